package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j LED --led-trigger-id ID [--led-delay MS|inf] [--led-always-blink]} (libxt_LED):
 * the id keeps 26 bytes (27-byte field less the "netfilter-" prefix is the kernel's concern);
 * saved always in double quotes, as iptables prints it. Per packet: continues. LINUX-DIFF: no LED
 * trigger exists to blink.
 */
public final class LedTarget implements TargetExtension {
    private static final int O_ID = 0;
    private static final int O_DELAY = 1;
    private static final int O_BLINK = 2;
    private static final List<Option> OPTIONS = List.of(
            Option.value("led-trigger-id", O_ID),
            Option.value("led-delay", O_DELAY),
            Option.flag("led-always-blink", O_BLINK));

    @Override
    public String name() {
        return "LED";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("LED", OPTIONS);
            private String id;
            private long delay;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_ID) {
                    id = LogTarget.truncate(arg, 26);
                } else if (opt.id() == O_DELAY) {
                    delay = arg.equals("inf") ? -1 : TargetArgs.uint("LED", "led-delay", arg, 0, 0xffffffffL);
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (id == null) {
                    throw TargetArgs.mustSpecify("LED", "led-trigger-id");
                }
                return new Spec(id, delay, seen.has(O_BLINK));
            }
        };
    }

    /** The parsed target; {@code delay} -1 means "inf". */
    public record Spec(String id, long delay, boolean alwaysBlink) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "LED";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --led-trigger-id \"").append(id).append('"');
            if (delay != 0) {
                out.append(" --led-delay ").append(delay < 0 ? "inf" : String.valueOf(delay));
            }
            if (alwaysBlink) {
                out.append(" --led-always-blink");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("led-trigger-id:\"").append(id).append('"');
            if (delay != 0) {
                out.append(" led-delay:").append(delay < 0 ? "inf" : delay + "ms");
            }
            if (alwaysBlink) {
                out.append(" led-always-blink");
            }
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            return Verdict.CONTINUE;
        }
    }
}
