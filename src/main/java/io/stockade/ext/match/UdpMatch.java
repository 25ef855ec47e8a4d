package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.List;

/**
 * {@code -m udp} (libxt_udp / xt_tcpudp): source and destination port ranges, each invertible.
 * Requires {@code -p udp} (kernel checkentry). Per packet: a non-first fragment never matches; a
 * first fragment without a whole 8-byte UDP header is hot-dropped.
 */
public final class UdpMatch implements MatchExtension {
    static final int O_SPORT = 0;
    static final int O_DPORT = 1;
    private static final List<Option> OPTIONS = List.of(
            Option.invValue("source-port", O_SPORT), Option.invValue("sport", O_SPORT),
            Option.invValue("destination-port", O_DPORT), Option.invValue("dport", O_DPORT));

    /** XT_UDP_INV_* bits. */
    public static final int INV_SRCPT = 0x01;
    public static final int INV_DSTPT = 0x02;

    @Override
    public String name() {
        return "udp";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final int[] sp = {0, 0xffff};
            private final int[] dp = {0, 0xffff};
            private int inv;
            private int seen;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                int bit = 1 << opt.id();
                if ((seen & bit) != 0) {
                    throw Xt.once("udp", opt.id() == O_SPORT ? "source-port" : "destination-port");
                }
                seen |= bit;
                // LINUX-DIFF: iptables 1.8.9 accepts udp ports above 65535 (truncated to 16 bits); refused here like tcp.
                int[] r = Xt.xtPortRange(arg, "udp");
                int[] dst = opt.id() == O_SPORT ? sp : dp;
                dst[0] = r[0];
                dst[1] = r[1];
                if (inverted) {
                    inv |= opt.id() == O_SPORT ? INV_SRCPT : INV_DSTPT;
                }
            }

            @Override
            public MatchSpec finish() {
                return new Spec(sp[0], sp[1], dp[0], dp[1], inv);
            }
        };
    }

    /** The parsed match (struct xt_udp). */
    public record Spec(int sportLo, int sportHi, int dportLo, int dportHi, int invFlags)
            implements MatchSpec, Matcher {

        @Override
        public String name() {
            return "udp";
        }

        @Override
        public void save(StringBuilder out) {
            PortText.save(out, "sport", sportLo, sportHi, (invFlags & INV_SRCPT) != 0);
            PortText.save(out, "dport", dportLo, dportHi, (invFlags & INV_DSTPT) != 0);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("udp");
            PortText.print(out, "spt", sportLo, sportHi, (invFlags & INV_SRCPT) != 0, "udp", numeric);
            PortText.print(out, "dpt", dportLo, dportHi, (invFlags & INV_DSTPT) != 0, "udp", numeric);
        }

        @Override
        public String check(CheckEnv env) {
            return Xt.protoIs(env, 17) ? null : Xt.EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0 || truncated(pd)) {
                return false;
            }
            return (pd.srcPort >= sportLo && pd.srcPort <= sportHi) != ((invFlags & INV_SRCPT) != 0)
                    && (pd.dstPort >= dportLo && pd.dstPort <= dportHi) != ((invFlags & INV_DSTPT) != 0);
        }

        @Override
        public boolean hotdrop(Skb skb) {
            return skb.pd.fragOffset == 0 && truncated(skb.pd);
        }

        private static boolean truncated(PacketDescriptor pd) {
            return pd.l4Offset < 0 || pd.length - pd.l4Offset < 8;
        }
    }
}
