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
import java.util.Arrays;
import java.util.List;

/**
 * {@code -m multiport [!] --sports|--dports|--ports LIST} (libxt_multiport revision 1 /
 * xt_multiport): up to 15 ports, a range {@code A:B} (A &lt; B) taking two slots. Needs
 * {@code -p tcp|udp|udplite|sctp|dccp} (not inverted). Non-first fragments never match; a first
 * fragment without the 4 port bytes is hot-dropped.
 */
public final class MultiportMatch implements MatchExtension {
    static final int O_SPORTS = 0;
    static final int O_DPORTS = 1;
    static final int O_PORTS = 2;
    private static final List<Option> OPTIONS = List.of(
            Option.invValue("source-ports", O_SPORTS), Option.invValue("sports", O_SPORTS),
            Option.invValue("destination-ports", O_DPORTS), Option.invValue("dports", O_DPORTS),
            Option.invValue("ports", O_PORTS));
    private static final String[] LONG_NAMES = {"source-ports", "destination-ports", "ports"};
    /** XT_MULTI_PORTS. */
    static final int MAX_PORTS = 15;

    @Override
    public String name() {
        return "multiport";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    /** check_proto of libxt_multiport: the service-name protocol, or iptables' error. */
    static String protoName(int proto, boolean inverted) throws ParameterProblem {
        if (inverted) {
            throw new ParameterProblem("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
        }
        return switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 136 -> "udplite";
            case 132 -> "sctp";
            case 33 -> "dccp";
            case 0 -> throw new ParameterProblem(
                    "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
            default -> throw new ParameterProblem("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
        };
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int which = -1;
            private Spec spec;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                if (which >= 0) {
                    if (which == opt.id()) {
                        throw Xt.once("multiport", LONG_NAMES[which]);
                    }
                    throw Xt.together("multiport", LONG_NAMES[opt.id()], LONG_NAMES[which]);
                }
                String proto = env.protocol() < 0 ? "tcp" : protoName(env.protocol(), env.protocolInverted());
                which = opt.id();
                spec = parsePorts(which, arg, inverted, proto);
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                if (spec == null) {
                    throw new ParameterProblem("multiport expection an option");
                }
                return spec;
            }
        };
    }

    static Spec parsePorts(int which, String list, boolean inverted, String proto) throws ParameterProblem {
        int[] lo = new int[MAX_PORTS];
        int[] hi = new int[MAX_PORTS];
        int n = 0;
        int slots = 0;
        String[] items = list.split(",", -1);
        for (int k = 0; k < items.length; k++) {
            if (slots >= MAX_PORTS) {
                throw new ParameterProblem("too many ports specified");
            }
            String it = items[k];
            int colon = it.indexOf(':');
            if (colon >= 0) {
                if (slots == MAX_PORTS - 1) {
                    throw new ParameterProblem("too many ports specified");
                }
                int a = Xt.port(it.substring(0, colon), proto);
                int b = Xt.port(it.substring(colon + 1), proto);
                if (a >= b) {
                    throw new ParameterProblem("invalid portrange specified");
                }
                lo[n] = a;
                hi[n] = b;
                slots += 2;
            } else {
                lo[n] = hi[n] = Xt.port(it, proto);
                slots++;
            }
            n++;
        }
        return new Spec(which, inverted, Arrays.copyOf(lo, n), Arrays.copyOf(hi, n), proto);
    }

    /**
     * The parsed match (struct xt_multiport_v1), one entry per port or range.
     *
     * @param which     0 source, 1 destination, 2 either (XT_MULTIPORT_*)
     * @param lo        first port of each entry
     * @param hi        last port of each entry (equal to lo for a single port)
     * @param protoName the protocol whose service names the listing uses
     */
    public record Spec(int which, boolean inverted, int[] lo, int[] hi, String protoName)
            implements MatchSpec, Matcher {

        @Override
        public String name() {
            return "multiport";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.which == which && s.inverted == inverted && Arrays.equals(s.lo, lo)
                    && Arrays.equals(s.hi, hi);
        }

        @Override
        public int hashCode() {
            return which * 31 + Arrays.hashCode(lo) * 7 + Arrays.hashCode(hi) + (inverted ? 1 : 0);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("multiport");
            save(sb);
            return sb.toString();
        }

        @Override
        public void save(StringBuilder out) {
            out.append(inverted ? " !" : "").append(switch (which) {
                case O_SPORTS -> " --sports ";
                case O_DPORTS -> " --dports ";
                default -> " --ports ";
            });
            appendList(out, true);
        }

        private void appendList(StringBuilder out, boolean numeric) {
            for (int i = 0; i < lo.length; i++) {
                out.append(i == 0 ? "" : ",");
                Xt.appendPort(out, lo[i], protoName, numeric);
                if (lo[i] != hi[i]) {
                    out.append(':');
                    Xt.appendPort(out, hi[i], protoName, numeric);
                }
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("multiport ").append(switch (which) {
                case O_SPORTS -> "sports ";
                case O_DPORTS -> "dports ";
                default -> "ports ";
            });
            out.append(inverted ? " !" : "");
            appendList(out, numeric);
        }

        @Override
        public String check(CheckEnv env) {
            try {
                MultiportMatch.protoName(env.ip().protocol(), env.ip().inverted(io.stockade.rules.IpHeaderFilter.INV_PROTO));
                return null;
            } catch (ParameterProblem e) {
                return e.getMessage();
            }
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0 || truncated(pd)) {
                return false;
            }
            int src = pd.srcPort;
            int dst = pd.dstPort;
            for (int i = 0; i < lo.length; i++) {
                boolean m = switch (which) {
                    case O_SPORTS -> src >= lo[i] && src <= hi[i];
                    case O_DPORTS -> dst >= lo[i] && dst <= hi[i];
                    default -> (src >= lo[i] && src <= hi[i]) || (dst >= lo[i] && dst <= hi[i]);
                };
                if (m) {
                    return !inverted;
                }
            }
            return inverted;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            return skb.pd.fragOffset == 0 && truncated(skb.pd);
        }

        private static boolean truncated(PacketDescriptor pd) {
            return pd.l4Offset < 0 || pd.length - pd.l4Offset < 4;
        }
    }
}
