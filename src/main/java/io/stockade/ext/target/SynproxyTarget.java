package io.stockade.ext.target;

import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j SYNPROXY [--mss N] [--wscale N] [--sack-perm] [--timestamp] [--ecn]}
 * (libxt_SYNPROXY / xt_SYNPROXY). Syntax, save, {@code -L} and checkentry (filter table, INPUT and
 * FORWARD, {@code -p tcp} not inverted). The per-packet SYN cookie proxy is not implemented:
 * the spec is not an action, so the engine refuses to run such a rule rather than ignore it.
 */
public final class SynproxyTarget implements TargetExtension {
    private static final int O_SACK_PERM = 0;
    private static final int O_TIMESTAMP = 1;
    private static final int O_WSCALE = 2;
    private static final int O_MSS = 3;
    private static final int O_ECN = 4;
    private static final List<Option> OPTIONS = List.of(
            Option.flag("sack-perm", O_SACK_PERM),
            Option.flag("timestamp", O_TIMESTAMP),
            Option.value("wscale", O_WSCALE),
            Option.value("mss", O_MSS),
            Option.flag("ecn", O_ECN));

    @Override
    public String name() {
        return "SYNPROXY";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("SYNPROXY", OPTIONS);
            private int wscale;
            private int mss;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_WSCALE) {
                    wscale = (int) TargetArgs.uint("SYNPROXY", "wscale", arg, 0, 255);
                } else if (opt.id() == O_MSS) {
                    mss = (int) TargetArgs.uint("SYNPROXY", "mss", arg, 0, 65535);
                }
            }

            @Override
            public TargetSpec finish() {
                return new Spec(seen.mask(), wscale, mss);
            }
        };
    }

    /** The parsed target: {@code options} holds bits of the option ids given. */
    public record Spec(int options, int wscale, int mss) implements TargetSpec {
        private boolean has(int id) {
            return (options & (1 << id)) != 0;
        }

        @Override
        public String name() {
            return "SYNPROXY";
        }

        @Override
        public void save(StringBuilder out) {
            if (has(O_SACK_PERM)) {
                out.append(" --sack-perm");
            }
            if (has(O_TIMESTAMP)) {
                out.append(" --timestamp");
            }
            if (has(O_WSCALE)) {
                out.append(" --wscale ").append(wscale);
            }
            if (has(O_MSS)) {
                out.append(" --mss ").append(mss);
            }
            if (has(O_ECN)) {
                out.append(" --ecn");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("SYNPROXY ");
            if (has(O_SACK_PERM)) {
                out.append("sack-perm ");
            }
            if (has(O_TIMESTAMP)) {
                out.append("timestamp ");
            }
            if (has(O_WSCALE)) {
                out.append("wscale ").append(wscale).append(' ');
            }
            if (has(O_MSS)) {
                out.append("mss ").append(mss).append(' ');
            }
            if (has(O_ECN)) {
                out.append("ecn ");
            }
        }

        @Override
        public String check(CheckEnv env) {
            IpHeaderFilter ip = env.ip();
            if (env.table() != TableKind.FILTER || !env.onlyHooks(Hook.INPUT.bit() | Hook.FORWARD.bit())
                    || ip.protocol() != 6 || ip.inverted(IpHeaderFilter.INV_PROTO)) {
                return TargetArgs.EINVAL;
            }
            return null;
        }
    }
}
