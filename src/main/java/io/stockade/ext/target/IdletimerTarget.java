package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j IDLETIMER --timeout SECONDS --label NAME [--alarm]} (libxt_IDLETIMER revision 1):
 * the label keeps 27 bytes (the kernel's 28-byte field); a timeout of 0 is refused by checkentry.
 * Per packet: continues. LINUX-DIFF: the sysfs timer file (/sys/class/xt_idletimer/timers/NAME)
 * and its notifications are not modelled.
 */
public final class IdletimerTarget implements TargetExtension {
    private static final int O_TIMEOUT = 0;
    private static final int O_LABEL = 1;
    private static final int O_ALARM = 2;
    private static final List<Option> OPTIONS = List.of(
            Option.value("timeout", O_TIMEOUT),
            Option.value("label", O_LABEL),
            Option.flag("alarm", O_ALARM));

    @Override
    public String name() {
        return "IDLETIMER";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("IDLETIMER", OPTIONS);
            private long timeout;
            private String label;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_TIMEOUT) {
                    timeout = TargetArgs.uint("IDLETIMER", "timeout", arg, 0, 0xffffffffL);
                } else if (opt.id() == O_LABEL) {
                    label = LogTarget.truncate(arg, 27);
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (!seen.has(O_TIMEOUT)) {
                    throw TargetArgs.mustSpecify("IDLETIMER", "timeout");
                }
                if (label == null) {
                    throw TargetArgs.mustSpecify("IDLETIMER", "label");
                }
                return new Spec(timeout, label, seen.has(O_ALARM));
            }
        };
    }

    /** The parsed target. */
    public record Spec(long timeout, String label, boolean alarm) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "IDLETIMER";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --timeout ").append(timeout).append(" --label ").append(label);
            if (alarm) {
                out.append(" --alarm");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("timeout:").append(timeout).append(" label:").append(label);
            if (alarm) {
                out.append(" alarm");
            }
        }

        @Override
        public String check(CheckEnv env) {
            return timeout == 0 || label.isEmpty() ? TargetArgs.EINVAL : null;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            return Verdict.CONTINUE;
        }
    }
}
