package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j CONNSECMARK --save | --restore} (libxt_CONNSECMARK / xt_CONNSECMARK): mangle or
 * security table. Per packet: continues; security marks need SELinux, which Stockade does not
 * model, so there is no mark to copy (listed in COMPATIBILITY.md).
 */
public final class ConnsecmarkTarget implements TargetExtension {
    private static final int O_SAVE = 0;
    private static final int O_RESTORE = 1;
    private static final List<Option> OPTIONS = List.of(Option.flag("save", O_SAVE), Option.flag("restore", O_RESTORE));

    @Override
    public String name() {
        return "CONNSECMARK";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("CONNSECMARK", OPTIONS);

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive(3);
                if (seen.mask() == 0) {
                    throw new ParameterProblem("CONNSECMARK target: parameter required");
                }
                return new Spec(seen.has(O_SAVE));
            }
        };
    }

    /** The parsed target: save (true) or restore. */
    public record Spec(boolean save) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "CONNSECMARK";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(save ? " --save" : " --restore");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(save ? "CONNSECMARK save" : "CONNSECMARK restore");
        }

        @Override
        public String check(CheckEnv env) {
            return env.table() == TableKind.MANGLE || env.table() == TableKind.SECURITY ? null : TargetArgs.EINVAL;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            // LINUX-DIFF: no SELinux, so no security marks to save or restore.
            return Verdict.CONTINUE;
        }
    }
}
