package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j CLASSIFY --set-class MAJOR:MINOR} (libxt_CLASSIFY / xt_CLASSIFY): hexadecimal tc
 * class, stored as {@code major << 16 | minor} in {@link Skb#priority}. Checkentry: FORWARD,
 * OUTPUT and POSTROUTING (any table).
 */
public final class ClassifyTarget implements TargetExtension {
    private static final List<Option> OPTIONS = List.of(Option.value("set-class", 0));

    @Override
    public String name() {
        return "CLASSIFY";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("CLASSIFY", OPTIONS);
            private long priority = -1;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                int colon = arg.indexOf(':');
                long major = colon < 0 ? -1 : hex(arg.substring(0, colon));
                long minor = colon < 0 ? -1 : hex(arg.substring(colon + 1));
                if (major < 0 || minor < 0) {
                    throw new ParameterProblem("Bad class value \"" + arg + "\"");
                }
                priority = major << 16 | minor;
            }

            private long hex(String s) {
                if (s.isEmpty() || s.length() > 4) {
                    return -1;
                }
                try {
                    return Long.parseLong(s, 16);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (priority < 0) {
                    throw TargetArgs.mustSpecify("CLASSIFY", "set-class");
                }
                return new Spec((int) priority);
            }
        };
    }

    /** The parsed target: the tc handle. */
    public record Spec(int priority) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "CLASSIFY";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --set-class ").append(String.format("%04x:%04x", priority >>> 16, priority & 0xffff));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("CLASSIFY set ").append(Integer.toHexString(priority >>> 16)).append(':')
                    .append(Integer.toHexString(priority & 0xffff));
        }

        @Override
        public String check(CheckEnv env) {
            return env.onlyHooks(Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit()) ? null : TargetArgs.EINVAL;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            skb.priority = priority;
            return Verdict.CONTINUE;
        }
    }
}
