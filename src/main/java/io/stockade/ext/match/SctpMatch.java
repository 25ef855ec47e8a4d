package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.Arrays;

/**
 * {@code -m sctp [!] --sport P[:P] [!] --dport P[:P] [!] --chunk-types any|all|only LIST}
 * (libxt_sctp / xt_sctp): ports and the chunks of the packet. LIST is {@code ALL}, {@code NONE} or
 * chunk names with optional flag letters ({@code DATA:Be}: upper case = set, lower = clear).
 * {@code any}: some listed chunk is present; {@code all}: every listed chunk is present;
 * {@code only}: every chunk present is listed. The kernel requires {@code -p sctp}; non-first
 * fragments never match; a cut or zero-length chunk header hot-drops the packet.
 *
 * <p>As in iptables, chunk flag requirements are stored under the chunk's index in iptables'
 * name table (equal to the chunk type for DATA … SHUTDOWN_COMPLETE, not for the later ones).
 */
public final class SctpMatch implements io.stockade.rules.MatchExtension {
    static final int IPPROTO_SCTP = 132;
    private static final int O_SPORT = 1;
    private static final int O_DPORT = 2;
    private static final int O_CHUNKS = 3;
    static final int SRC_PORTS = 0x01;
    static final int DEST_PORTS = 0x02;
    static final int CHUNK_TYPES = 0x04;
    static final int MATCH_ANY = 0x01;
    static final int MATCH_ALL = 0x02;
    static final int MATCH_ONLY = 0x04;
    /** XT_NUM_SCTP_FLAGS. */
    static final int NUM_FLAGS = 4;

    static final String[] NAMES = {
        "DATA", "INIT", "INIT_ACK", "SACK", "HEARTBEAT", "HEARTBEAT_ACK", "ABORT", "SHUTDOWN",
        "SHUTDOWN_ACK", "ERROR", "COOKIE_ECHO", "COOKIE_ACK", "ECN_ECNE", "ECN_CWR", "SHUTDOWN_COMPLETE",
        "I_DATA", "RE_CONFIG", "PAD", "ASCONF", "ASCONF_ACK", "FORWARD_TSN", "I_FORWARD_TSN"};
    static final int[] TYPES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 64, 130, 132, 193, 128, 192, 194};
    static final String[] VALID_FLAGS = {
        "----IUBE", "--------", "--------", "--------", "--------", "--------", "-------T", "--------",
        "--------", "--------", "--------", "--------", "--------", "--------", "-------T",
        "----IUBE", "--------", "--------", "--------", "--------", "--------", "--------"};

    private static final java.util.List<Option> OPTIONS = java.util.List.of(
            new Option("source-port", Option.Arg.REQUIRED, true, O_SPORT),
            new Option("sport", Option.Arg.REQUIRED, true, O_SPORT),
            new Option("destination-port", Option.Arg.REQUIRED, true, O_DPORT),
            new Option("dport", Option.Arg.REQUIRED, true, O_DPORT),
            new Option("chunk-types", Option.Arg.TWO, true, O_CHUNKS));

    @Override
    public String name() {
        return "sctp";
    }

    @Override
    public java.util.List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int flags;
            private int invflags;
            private int[] spts = {0, 0xffff};
            private int[] dpts = {0, 0xffff};
            private int matchType;
            private final int[] chunkmap = new int[8];
            private final int[] flagType = {-1, -1, -1, -1};
            private final int[] flagMask = new int[NUM_FLAGS];
            private final int[] flagVal = new int[NUM_FLAGS];
            private int flagCount;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                switch (opt.id()) {
                    case O_SPORT -> {
                        if ((flags & SRC_PORTS) != 0) {
                            throw new ParameterProblem("Only one `--source-port' allowed");
                        }
                        flags |= SRC_PORTS;
                        spts = Xt.portRange(arg, "sctp");
                        invflags |= inverted ? SRC_PORTS : 0;
                    }
                    case O_DPORT -> {
                        if ((flags & DEST_PORTS) != 0) {
                            throw new ParameterProblem("Only one `--destination-port' allowed");
                        }
                        flags |= DEST_PORTS;
                        dpts = Xt.portRange(arg, "sctp");
                        invflags |= inverted ? DEST_PORTS : 0;
                    }
                    default -> {
                        if ((flags & CHUNK_TYPES) != 0) {
                            throw new ParameterProblem("Only one `--chunk-types' allowed");
                        }
                        int sp = arg.indexOf(' ');
                        if (sp < 0 || arg.length() == sp + 1) {
                            throw new ParameterProblem("--chunk-types requires two args");
                        }
                        flags |= CHUNK_TYPES;
                        parseChunks(arg.substring(0, sp), arg.substring(sp + 1));
                        invflags |= inverted ? CHUNK_TYPES : 0;
                    }
                }
            }

            private void parseChunks(String type, String chunks) throws ParameterProblem {
                if (type.equalsIgnoreCase("ANY")) {
                    matchType = MATCH_ANY;
                } else if (type.equalsIgnoreCase("ALL")) {
                    matchType = MATCH_ALL;
                } else if (type.equalsIgnoreCase("ONLY")) {
                    matchType = MATCH_ONLY;
                } else {
                    throw new ParameterProblem("Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"");
                }
                Arrays.fill(chunkmap, 0);
                if (chunks.equalsIgnoreCase("ALL")) {
                    Arrays.fill(chunkmap, -1);
                    return;
                }
                if (chunks.equalsIgnoreCase("NONE")) {
                    return;
                }
                for (String tok : chunks.split(",")) {
                    if (tok.isEmpty()) {
                        continue;
                    }
                    String flagStr = null;
                    int colon = tok.indexOf(':');
                    if (colon >= 0) {
                        flagStr = tok.substring(colon + 1);
                        tok = tok.substring(0, colon);
                    }
                    int i = 0;
                    while (i < NAMES.length && !NAMES[i].equalsIgnoreCase(tok)) {
                        i++;
                    }
                    if (i == NAMES.length) {
                        throw new ParameterProblem("Unknown sctp chunk `" + tok + "'");
                    }
                    chunkmap[TYPES[i] >>> 5] |= 1 << (TYPES[i] & 31);
                    if (flagStr != null) {
                        for (int j = 0; j < flagStr.length(); j++) {
                            char c = flagStr.charAt(j);
                            int p = VALID_FLAGS[i].indexOf(Character.toUpperCase(c));
                            if (p < 0) {
                                throw new ParameterProblem("Invalid flags for chunk type " + i);
                            }
                            saveFlag(i, 7 - p, Character.isUpperCase(c));
                        }
                    }
                }
            }

            private void saveFlag(int chunk, int bit, boolean set) throws ParameterProblem {
                for (int k = 0; k < flagCount; k++) {
                    if (flagType[k] == chunk) {
                        flagMask[k] |= 1 << bit;
                        flagVal[k] |= set ? 1 << bit : 0;
                        return;
                    }
                }
                if (flagCount == NUM_FLAGS) {
                    throw new ParameterProblem("Number of chunk types with flags exceeds currently allowed limit."
                            + " Increasing this limit involves changing IPT_NUM_SCTP_FLAGS and recompiling both"
                            + " the kernel space and user space modules");
                }
                flagType[flagCount] = chunk;
                flagMask[flagCount] |= 1 << bit;
                flagVal[flagCount] |= set ? 1 << bit : 0;
                flagCount++;
            }

            @Override
            public MatchSpec finish() {
                return new Spec(flags, invflags, spts[0], spts[1], dpts[0], dpts[1], matchType,
                        chunkmap.clone(), Arrays.copyOf(flagType, flagCount), Arrays.copyOf(flagMask, flagCount),
                        Arrays.copyOf(flagVal, flagCount));
            }
        };
    }

    /**
     * The parsed match (xt_sctp_info).
     *
     * @param chunkmap 256-bit chunk type map
     * @param flagType chunk (name-table index) of each flag requirement
     */
    public record Spec(int flags, int invflags, int sptMin, int sptMax, int dptMin, int dptMax, int matchType,
            int[] chunkmap, int[] flagType, int[] flagMask, int[] flagVal) implements MatchSpec, Matcher {
        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.flags == flags && s.invflags == invflags && s.sptMin == sptMin
                    && s.sptMax == sptMax && s.dptMin == dptMin && s.dptMax == dptMax && s.matchType == matchType
                    && Arrays.equals(s.chunkmap, chunkmap) && Arrays.equals(s.flagType, flagType)
                    && Arrays.equals(s.flagMask, flagMask) && Arrays.equals(s.flagVal, flagVal);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(chunkmap) * 31 + flags * 7 + sptMin + dptMin;
        }

        @Override
        public String name() {
            return "sctp";
        }

        boolean isSet(int type) {
            return (chunkmap[type >>> 5] & (1 << (type & 31))) != 0;
        }

        @Override
        public void save(StringBuilder out) {
            if ((flags & SRC_PORTS) != 0) {
                Fmt.saveRangeAlways(out, "sport", sptMin, sptMax, (invflags & SRC_PORTS) != 0);
            }
            if ((flags & DEST_PORTS) != 0) {
                Fmt.saveRangeAlways(out, "dport", dptMin, dptMax, (invflags & DEST_PORTS) != 0);
            }
            if ((flags & CHUNK_TYPES) != 0) {
                out.append((invflags & CHUNK_TYPES) != 0 ? " !" : "").append(" --chunk-types");
                chunks(out, false);
            }
        }

        private void chunks(StringBuilder out, boolean numeric) {
            out.append(switch (matchType) {
                case MATCH_ANY -> " any";
                case MATCH_ALL -> " all";
                default -> " only";
            });
            boolean clear = true;
            boolean all = true;
            for (int w : chunkmap) {
                clear &= w == 0;
                all &= w == -1;
            }
            if (clear) {
                out.append(" NONE");
                return;
            }
            if (all) {
                out.append(" ALL");
                return;
            }
            boolean first = true;
            for (int t = 0; t < 256; t++) {
                if (!isSet(t)) {
                    continue;
                }
                out.append(first ? ' ' : ',');
                first = false;
                if (numeric) {
                    String h = Integer.toHexString(t).toUpperCase(java.util.Locale.ROOT);
                    out.append("0x").append("0000".substring(h.length())).append(h);
                } else {
                    for (int i = 0; i < TYPES.length; i++) {
                        if (TYPES[i] == t) {
                            out.append(NAMES[i]);
                        }
                    }
                }
                for (int j = 0; j < flagType.length; j++) {
                    if (flagType[j] == t && t < VALID_FLAGS.length && flagMask[j] != 0) {
                        out.append(':');
                        for (int b = 7; b >= 0; b--) {
                            if ((flagMask[j] & (1 << b)) != 0) {
                                char c = VALID_FLAGS[t].charAt(7 - b);
                                out.append((flagVal[j] & (1 << b)) != 0 ? c : Character.toLowerCase(c));
                            }
                        }
                    }
                }
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("sctp");
            if ((flags & SRC_PORTS) != 0) {
                PortText.print(out, "spt", sptMin, sptMax, (invflags & SRC_PORTS) != 0, "sctp", numeric);
            }
            if ((flags & DEST_PORTS) != 0) {
                PortText.print(out, "dpt", dptMin, dptMax, (invflags & DEST_PORTS) != 0, "sctp", numeric);
            }
            if ((flags & CHUNK_TYPES) != 0) {
                if ((invflags & CHUNK_TYPES) != 0) {
                    out.append(" !");
                }
                chunks(out, numeric);
            }
        }

        @Override
        public String check(CheckEnv env) {
            return AhMatch.requireProto(env, IPPROTO_SCTP);
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            if (pd.fragOffset != 0 || pd.l4Offset < 0 || !HeaderBytes.has(pd, pd.l4Offset, 12)) {
                return false;
            }
            int sport = HeaderBytes.u16(pd, pd.l4Offset);
            int dport = HeaderBytes.u16(pd, pd.l4Offset + 2);
            if (!check(SRC_PORTS, sport >= sptMin && sport <= sptMax)
                    || !check(DEST_PORTS, dport >= dptMin && dport <= dptMax)) {
                return false;
            }
            if ((flags & CHUNK_TYPES) == 0) {
                return true;
            }
            int r = matchChunks(pd);
            // An invalid chunk is a hot-drop in Linux whatever the inversion: report no match so
            // that the engine asks hotdrop().
            return r >= 0 && (r == 1) ^ ((invflags & CHUNK_TYPES) != 0);
        }

        private boolean check(int opt, boolean cond) {
            return (flags & opt) == 0 || (cond ^ ((invflags & opt) != 0));
        }

        /** 1 match, 0 no match, -1 invalid (hot-drop). Allocation free: ALL keeps a bit count. */
        int matchChunks(io.stockade.packet.PacketDescriptor pd) {
            int end = pd.ipTotalLength > 0 ? Math.min(pd.length, pd.ipTotalLength) : pd.length;
            int offset = pd.l4Offset + 12;
            long seenLo0 = 0;
            long seenLo1 = 0;
            long seenHi0 = 0;
            long seenHi1 = 0;
            do {
                if (!HeaderBytes.has(pd, offset, 4)) {
                    return -1;
                }
                int type = HeaderBytes.u8(pd, offset);
                int cflags = HeaderBytes.u8(pd, offset + 1);
                int len = HeaderBytes.u16(pd, offset + 2);
                if (len == 0) {
                    return -1;
                }
                offset += (len + 3) & ~3;
                if (isSet(type)) {
                    boolean fl = flagsOk(type, cflags);
                    switch (matchType) {
                        case MATCH_ANY -> {
                            if (fl) {
                                return 1;
                            }
                        }
                        case MATCH_ALL -> {
                            if (fl) {
                                long bit = 1L << (type & 63);
                                switch (type >>> 6) {
                                    case 0 -> seenLo0 |= bit;
                                    case 1 -> seenLo1 |= bit;
                                    case 2 -> seenHi0 |= bit;
                                    default -> seenHi1 |= bit;
                                }
                            }
                        }
                        default -> {
                            if (!fl) {
                                return 0;
                            }
                        }
                    }
                } else if (matchType == MATCH_ONLY) {
                    return 0;
                }
            } while (offset < end);
            return switch (matchType) {
                case MATCH_ALL -> covered(0, seenLo0) && covered(1, seenLo1) && covered(2, seenHi0)
                        && covered(3, seenHi1) ? 1 : 0;
                case MATCH_ANY -> 0;
                default -> 1;
            };
        }

        private boolean covered(int quarter, long seen) {
            long want = (chunkmap[2 * quarter] & 0xffffffffL) | ((long) chunkmap[2 * quarter + 1] << 32);
            return (want & ~seen) == 0;
        }

        private boolean flagsOk(int type, int cflags) {
            for (int i = 0; i < flagType.length; i++) {
                if (flagType[i] == type) {
                    return (cflags & flagMask[i]) == flagVal[i];
                }
            }
            return true;
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
            return (flags & CHUNK_TYPES) != 0 && check(SRC_PORTS, sport >= sptMin && sport <= sptMax)
                    && check(DEST_PORTS, dport >= dptMin && dport <= dptMax) && matchChunks(pd) < 0;
        }
    }
}
