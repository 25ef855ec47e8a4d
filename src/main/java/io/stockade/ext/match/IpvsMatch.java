package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m ipvs [!] --ipvs [!] --vproto P [!] --vaddr A[/M] [!] --vport P --vdir ORIGINAL|REPLY
 * [!] --vmethod GATE|IPIP|MASQ [!] --vportctl P} (libxt_ipvs / xt_ipvs): properties of the IPVS
 * connection the packet belongs to.
 *
 * <p>LINUX-DIFF: Stockade has no IPVS, so no packet carries the IPVS property: {@code --ipvs}
 * and every option that needs an IPVS connection never match, {@code ! --ipvs} alone always does
 * (Linux's answer for a packet IPVS did not touch). Without {@code -n}, {@code -L} prints
 * {@code --vaddr} numerically (no reverse DNS).
 */
public final class IpvsMatch extends XtOptMatch {
    static final int IPVS_PROPERTY = 1;
    static final int PROTO = 1 << 1;
    static final int VADDR = 1 << 2;
    static final int VPORT = 1 << 3;
    static final int DIR = 1 << 4;
    static final int METHOD = 1 << 5;
    static final int VPORTCTL = 1 << 6;
    static final int ONCE_MASK = 0x7e;
    /** IP_VS_CONN_F_* forwarding methods. */
    static final int F_MASQ = 0;
    static final int F_TUNNEL = 2;
    static final int F_DROUTE = 3;

    public IpvsMatch() {
        super("ipvs",
                entry("ipvs", 0, Type.NONE, INVERT),
                entry("vproto", 1, Type.STRING, INVERT),
                entry("vaddr", 2, Type.STRING, INVERT),
                entry("vport", 3, Type.STRING, INVERT),
                entry("vdir", 4, Type.STRING, 0),
                entry("vmethod", 5, Type.STRING, INVERT),
                entry("vportctl", 6, Type.STRING, INVERT));
    }

    /** xtopt_parse_port: a decimal port or a service name of any protocol. */
    static int port(String s) throws ParameterProblem {
        try {
            return Xt.xtPort(s, "tcp");
        } catch (ParameterProblem e) {
            return Xt.xtPort(s, "udp");
        }
    }

    @Override
    protected State newState(ParseEnv env) {
        Family family = env.family();
        return new State() {
            private int bitmask;
            private int invert;
            private int l4proto;
            private long[] vaddr = new long[4];
            private int vport;
            private int vportctl;
            private int method;

            @Override
            void parse(Call cb) throws ParameterProblem {
                int id = cb.entry.id();
                switch (id) {
                    case 1 -> l4proto = Xt.protocol(cb.arg);
                    case 2 -> vaddr = Xt.addressWithMask(cb.arg, family, false);
                    case 3 -> vport = port(cb.arg);
                    case 4 -> {
                        if (cb.arg.equalsIgnoreCase("ORIGINAL")) {
                            invert &= ~DIR;
                        } else if (cb.arg.equalsIgnoreCase("REPLY")) {
                            invert |= DIR;
                        } else {
                            throw new ParameterProblem("ipvs: Bad value for \"--vdir\" option: \"" + cb.arg + "\"");
                        }
                    }
                    case 5 -> {
                        if (cb.arg.equalsIgnoreCase("GATE")) {
                            method = F_DROUTE;
                        } else if (cb.arg.equalsIgnoreCase("IPIP")) {
                            method = F_TUNNEL;
                        } else if (cb.arg.equalsIgnoreCase("MASQ")) {
                            method = F_MASQ;
                        } else {
                            throw new ParameterProblem("ipvs: Bad value for \"--vmethod\" option: \"" + cb.arg + "\"");
                        }
                    }
                    case 6 -> vportctl = port(cb.arg);
                    default -> {
                    }
                }
                bitmask |= 1 << id;
                if (cb.invert) {
                    invert |= 1 << id;
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (xflags == 0) {
                    throw new ParameterProblem("IPVS: At least one option is required");
                }
                if ((bitmask & ONCE_MASK) != 0) {
                    if ((invert & IPVS_PROPERTY) != 0) {
                        throw new ParameterProblem("! --ipvs cannot be together with other options");
                    }
                    bitmask |= IPVS_PROPERTY;
                }
                return new Spec(family, bitmask, invert, l4proto, vaddr[0], vaddr[1], vaddr[2], vaddr[3],
                        vport, vportctl, method);
            }
        };
    }

    /** The parsed match (xt_ipvs_mtinfo). */
    public record Spec(Family family, int bitmask, int invert, int l4proto, long vaddrHi, long vaddrLo,
            long vmaskHi, long vmaskLo, int vport, int vportctl, int method) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "ipvs";
        }

        private StringBuilder inv(StringBuilder out, int bit) {
            return (invert & bit) != 0 ? out.append(" !") : out;
        }

        private void dump(StringBuilder out, boolean numeric, String pfx) {
            if (bitmask == IPVS_PROPERTY) {
                inv(out, IPVS_PROPERTY).append(' ').append(pfx).append("ipvs");
            }
            if ((bitmask & PROTO) != 0) {
                inv(out, PROTO).append(' ').append(pfx).append("vproto ").append(l4proto);
            }
            if ((bitmask & VADDR) != 0) {
                inv(out, VADDR).append(' ').append(pfx).append("vaddr");
                if (!numeric && vaddrHi == 0 && vaddrLo == 0) {
                    out.append(" anywhere");
                } else {
                    out.append(' ').append(Xt.formatNet(family, vaddrHi, vaddrLo, vmaskHi, vmaskLo));
                }
            }
            if ((bitmask & VPORT) != 0) {
                inv(out, VPORT).append(' ').append(pfx).append("vport ").append(vport);
            }
            if ((bitmask & DIR) != 0) {
                out.append(' ').append(pfx).append((invert & DIR) != 0 ? "vdir REPLY" : "vdir ORIGINAL");
            }
            if ((bitmask & METHOD) != 0) {
                inv(out, METHOD).append(' ').append(pfx).append("vmethod").append(switch (method) {
                    case F_DROUTE -> " GATE";
                    case F_TUNNEL -> " IPIP";
                    case F_MASQ -> " MASQ";
                    default -> " UNKNOWN";
                });
            }
            if ((bitmask & VPORTCTL) != 0) {
                inv(out, VPORTCTL).append(' ').append(pfx).append("vportctl ").append(vportctl);
            }
        }

        @Override
        public void save(StringBuilder out) {
            dump(out, true, "--");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            dump(sb, numeric, "");
            out.append(sb, 1, sb.length());
        }

        @Override
        public boolean matches(Skb skb) {
            boolean ipvsProperty = false;
            if (bitmask == IPVS_PROPERTY) {
                return ipvsProperty ^ ((invert & IPVS_PROPERTY) != 0);
            }
            return false;
        }
    }
}
