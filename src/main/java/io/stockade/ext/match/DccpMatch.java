package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m dccp [!] --sport P[:P] [!] --dport P[:P] [!] --dccp-types T[,T…] [!] --dccp-option N}
 * (libxt_dccp / xt_dccp): ports, packet type (REQUEST … SYNCACK, INVALID = types 10..15) and the
 * presence of option N in the header's option area. The kernel requires {@code -p dccp}; non-first
 * fragments never match; a cut header or option area hot-drops the packet.
 */
public final class DccpMatch extends XtOptMatch {
    static final int IPPROTO_DCCP = 33;
    private static final int O_SPORT = 0;
    private static final int O_DPORT = 1;
    private static final int O_TYPES = 2;
    private static final int O_OPTION = 3;
    static final int SRC_PORTS = 0x01;
    static final int DEST_PORTS = 0x02;
    static final int TYPE = 0x04;
    static final int OPTION = 0x08;
    static final String[] TYPES = {
        "REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC", "SYNCACK", "INVALID"};
    static final int INVALID = 10;
    static final int INVALID_OTHER_TYPE_MASK = 0xf800;

    public DccpMatch() {
        super("dccp",
                entry("source-port", O_SPORT, Type.STRING, INVERT),
                entry("sport", O_SPORT, Type.STRING, INVERT),
                entry("destination-port", O_DPORT, Type.STRING, INVERT),
                entry("dport", O_DPORT, Type.STRING, INVERT),
                entry("dccp-types", O_TYPES, Type.STRING, INVERT),
                entry("dccp-option", O_OPTION, Type.UINT8, INVERT, 1, 0xff));
    }

    /** xtopt_parse_mport: PORT[:PORT], either end may be empty; ports by number or service name. */
    static int[] portRange(String opt, String arg) throws ParameterProblem {
        String[] parts = arg.split(":", -1);
        if (parts.length > 2) {
            throw new ParameterProblem("dccp: Too many components for option \"--" + opt + "\" (max: 2)\n");
        }
        int[] r = {0, 0xffff};
        int prev = 0;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                continue;
            }
            int v = Xt.xtPort(parts[i], null);
            if (v < prev) {
                throw new ParameterProblem("Port range " + prev + "-" + v + " is negative.\n");
            }
            prev = v;
            r[i] = v;
        }
        if (parts.length == 1) {
            r[1] = r[0];
        }
        return r;
    }

    static int parseTypes(String s) throws ParameterProblem {
        int mask = 0;
        for (String tok : s.split(",")) {
            if (tok.isEmpty()) {
                continue;
            }
            int i = 0;
            while (i < TYPES.length && !TYPES[i].equalsIgnoreCase(tok)) {
                i++;
            }
            if (i == TYPES.length) {
                throw new ParameterProblem("Unknown DCCP type `" + tok + "'");
            }
            mask |= 1 << i;
        }
        if ((mask & (1 << INVALID)) != 0) {
            mask |= INVALID_OTHER_TYPE_MASK;
        }
        return mask;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int flags;
            private int invflags;
            private int[] spts = {0, 0};
            private int[] dpts = {0, 0};
            private int typemask;
            private int option;

            @Override
            void parse(Call cb) throws ParameterProblem {
                int bit = switch (cb.entry.id()) {
                    case O_SPORT -> {
                        spts = portRange(cb.entry.name(), cb.arg);
                        yield SRC_PORTS;
                    }
                    case O_DPORT -> {
                        dpts = portRange(cb.entry.name(), cb.arg);
                        yield DEST_PORTS;
                    }
                    case O_TYPES -> {
                        typemask = parseTypes(cb.arg);
                        yield TYPE;
                    }
                    default -> {
                        option = (int) cb.value;
                        yield OPTION;
                    }
                };
                flags |= bit;
                invflags |= cb.invert ? bit : 0;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(flags, invflags, spts[0], spts[1], dpts[0], dpts[1], typemask, option);
            }
        };
    }

    /** The parsed match (xt_dccp_info). */
    public record Spec(int flags, int invflags, int sptMin, int sptMax, int dptMin, int dptMax, int typemask,
            int option) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "dccp";
        }

        @Override
        public void save(StringBuilder out) {
            if ((flags & SRC_PORTS) != 0) {
                Fmt.saveRangeAlways(out, "sport", sptMin, sptMax, (invflags & SRC_PORTS) != 0);
            }
            if ((flags & DEST_PORTS) != 0) {
                Fmt.saveRangeAlways(out, "dport", dptMin, dptMax, (invflags & DEST_PORTS) != 0);
            }
            if ((flags & TYPE) != 0) {
                out.append((invflags & TYPE) != 0 ? " !" : "").append(" --dccp-types");
                types(out, false, false);
            }
            if ((flags & OPTION) != 0) {
                out.append((invflags & OPTION) != 0 ? " !" : "").append(" --dccp-option ").append(option);
            }
        }

        private void types(StringBuilder out, boolean inverted, boolean numeric) {
            if (inverted) {
                out.append(" !");
            }
            out.append(' ');
            int t = typemask & 0xffff;
            boolean have = false;
            while (t != 0) {
                int i = Integer.numberOfTrailingZeros(t);
                out.append(have ? "," : "");
                have = true;
                if (numeric) {
                    out.append(i);
                } else {
                    out.append(i < TYPES.length ? TYPES[i] : Integer.toString(i));
                    if (i == INVALID) {
                        break;
                    }
                }
                t &= ~(1 << i);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("dccp");
            if ((flags & SRC_PORTS) != 0) {
                PortText.print(out, "spt", sptMin, sptMax, (invflags & SRC_PORTS) != 0, "dccp", numeric);
            }
            if ((flags & DEST_PORTS) != 0) {
                PortText.print(out, "dpt", dptMin, dptMax, (invflags & DEST_PORTS) != 0, "dccp", numeric);
            }
            if ((flags & TYPE) != 0) {
                types(out, (invflags & TYPE) != 0, numeric);
            }
            if ((flags & OPTION) != 0 && (option != 0 || (invflags & OPTION) != 0)) {
                out.append(" option=").append((invflags & OPTION) != 0 ? "!" : "").append(option);
            }
        }

        @Override
        public String check(CheckEnv env) {
            return AhMatch.requireProto(env, IPPROTO_DCCP);
        }

        private boolean check(int opt, boolean cond) {
            return (flags & opt) == 0 || (cond ^ ((invflags & opt) != 0));
        }

        /** __dccp_hdr_len: generic header (12, or 16 with X) plus the type-specific part. */
        static int hdrLen(int type, boolean x) {
            int basic = x ? 16 : 12;
            int extra = switch (type) {
                case 2 -> 0;
                case 3, 4, 5, 6, 8, 9 -> 8;
                case 0 -> 4;
                default -> 12;
            };
            return basic + extra;
        }

        /** 1 found, 0 not found, -1 invalid (hot-drop). */
        int findOption(PacketDescriptor pd) {
            int th = pd.l4Offset;
            int doff = HeaderBytes.u8(pd, th + 4) * 4;
            int b8 = HeaderBytes.u8(pd, th + 8);
            int hl = hdrLen((b8 >>> 1) & 0xf, (b8 & 1) != 0);
            if (doff < hl) {
                return -1;
            }
            int optlen = doff - hl;
            if (optlen == 0) {
                return 0;
            }
            int op = th + hl;
            if (!HeaderBytes.has(pd, op, optlen)) {
                return -1;
            }
            for (int i = 0; i < optlen;) {
                int o = HeaderBytes.u8(pd, op + i);
                if (o == option) {
                    return 1;
                }
                if (o < 2) {
                    i++;
                } else {
                    int l = i + 1 < optlen ? HeaderBytes.u8(pd, op + i + 1) : 0;
                    i += l != 0 ? l : 1;
                }
            }
            return 0;
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            if (pd.fragOffset != 0 || pd.l4Offset < 0 || !HeaderBytes.has(pd, pd.l4Offset, 12)) {
                return false;
            }
            int sport = HeaderBytes.u16(pd, pd.l4Offset);
            int dport = HeaderBytes.u16(pd, pd.l4Offset + 2);
            int type = (HeaderBytes.u8(pd, pd.l4Offset + 8) >>> 1) & 0xf;
            return check(SRC_PORTS, sport >= sptMin && sport <= sptMax)
                    && check(DEST_PORTS, dport >= dptMin && dport <= dptMax)
                    && check(TYPE, (typemask & (1 << type)) != 0)
                    && ((flags & OPTION) == 0 || optionCheck(pd));
        }

        /** The option test; an invalid option area (hot-drop in Linux) is no match whatever the inversion. */
        private boolean optionCheck(PacketDescriptor pd) {
            int r = findOption(pd);
            return r >= 0 && check(OPTION, r == 1);
        }

        @Override
        public boolean hotdrop(Skb skb) {
            var pd = skb.pd;
            if (pd.fragOffset != 0) {
                return false;
            }
            if (pd.l4Offset < 0 || !HeaderBytes.has(pd, pd.l4Offset, 12)) {
                return true;
            }
            int sport = HeaderBytes.u16(pd, pd.l4Offset);
            int dport = HeaderBytes.u16(pd, pd.l4Offset + 2);
            int type = (HeaderBytes.u8(pd, pd.l4Offset + 8) >>> 1) & 0xf;
            return (flags & OPTION) != 0 && check(SRC_PORTS, sport >= sptMin && sport <= sptMax)
                    && check(DEST_PORTS, dport >= dptMin && dport <= dptMax)
                    && check(TYPE, (typemask & (1 << type)) != 0) && findOption(pd) < 0;
        }
    }
}
