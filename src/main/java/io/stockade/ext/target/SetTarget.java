package io.stockade.ext.target;

import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import java.util.List;

/**
 * {@code -j SET --add-set|--del-set|--map-set NAME FLAGS …} (libxt_SET). iptables asks the kernel
 * for the set by name while parsing; Stockade has no ipset sets, so every use is refused with
 * iptables' message for a missing set ("Set NAME doesn't exist."), never ignored.
 */
public final class SetTarget implements TargetExtension {
    private static final List<Option> OPTIONS = List.of(
            new Option("add-set", Option.Arg.TWO, false, 0),
            new Option("del-set", Option.Arg.TWO, false, 1),
            new Option("map-set", Option.Arg.TWO, false, 2),
            Option.value("timeout", 3),
            Option.flag("exist", 4),
            Option.flag("map-mark", 5),
            Option.flag("map-prio", 6),
            Option.flag("map-queue", 7));

    @Override
    public String name() {
        return "SET";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                if (opt.id() <= 2) {
                    String set = arg == null ? "" : arg.split("\\s+")[0];
                    // LINUX-DIFF: no ipset support; the kernel would look the set up here.
                    throw new ParameterProblem(ParameterProblem.OTHER, "Set " + set + " doesn't exist.");
                }
            }

            @Override
            public io.stockade.rules.TargetSpec finish() throws ParameterProblem {
                throw new ParameterProblem("You must specify either `--add-set' or `--del-set'");
            }
        };
    }
}
