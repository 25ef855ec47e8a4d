package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.IpText;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
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
 * {@code -j TPROXY --on-port P [--on-ip ADDR] [--tproxy-mark V[/M]]} (libxt_TPROXY revision 1/2,
 * xt_TPROXY) for IPv4 and IPv6: mangle PREROUTING only, {@code -p tcp} or {@code -p udp}. Saved
 * with all three options (on-ip 0.0.0.0 / ::, mark 0x0/0x0 by default), as iptables does.
 * Per packet: sets the mark and accepts. LINUX-DIFF: Linux first looks for a local socket on
 * the address/port and drops the packet when there is none; Stockade has no socket table and
 * assumes the proxy listens.
 */
public final class TproxyTarget implements TargetExtension {
    private static final int O_PORT = 0;
    private static final int O_IP = 1;
    private static final int O_MARK = 2;
    private static final List<Option> OPTIONS = List.of(
            Option.value("on-port", O_PORT),
            Option.value("on-ip", O_IP),
            Option.value("tproxy-mark", O_MARK));

    @Override
    public String name() {
        return "TPROXY";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("TPROXY", OPTIONS);
            private int port = -1;
            private long[] ip = {0, 0};
            private int mark;
            private int mask;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_PORT -> {
                        port = NatRange.service(arg);
                        if (port < 0) {
                            throw new ParameterProblem("Port \"" + arg + "\" does not resolve to anything.\n");
                        }
                    }
                    case O_IP -> ip = NatRange.address(env.family(), arg);
                    default -> {
                        long mm = TargetArgs.markMask("TPROXY", "tproxy-mark", arg);
                        mark = (int) mm;
                        mask = (int) (mm >>> 32);
                    }
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (port < 0) {
                    throw TargetArgs.mustSpecify("TPROXY", "on-port");
                }
                return new Spec(env.family(), port, ip[0], ip[1], mark, mask);
            }
        };
    }

    /** The parsed target. */
    public record Spec(Family family, int port, long ipHi, long ipLo, int mark, int mask)
            implements TargetSpec, TargetAction {
        private String ip() {
            return family == Family.IPV4 ? IpText.v4(ipLo) : IpText.v6(ipHi, ipLo);
        }

        @Override
        public String name() {
            return "TPROXY";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --on-port ").append(port).append(" --on-ip ").append(ip()).append(" --tproxy-mark ")
                    .append(TargetArgs.hex(mark)).append('/').append(TargetArgs.hex(mask));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("TPROXY redirect ").append(ip()).append(':').append(port).append(" mark ")
                    .append(TargetArgs.hex(mark)).append('/').append(TargetArgs.hex(mask));
        }

        @Override
        public String check(CheckEnv env) {
            IpHeaderFilter ip = env.ip();
            if (env.table() != TableKind.MANGLE || !env.onlyHooks(Hook.PREROUTING.bit())) {
                return TargetArgs.EINVAL;
            }
            return (ip.protocol() == 6 || ip.protocol() == 17) && !ip.inverted(IpHeaderFilter.INV_PROTO)
                    ? null : TargetArgs.EINVAL;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            skb.mark = (skb.mark & ~mask) ^ mark;
            return Verdict.ACCEPT;
        }
    }
}
