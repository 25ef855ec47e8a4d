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
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code -m tcp} (libxt_tcp / xt_tcpudp): source and destination port ranges, {@code --tcp-flags
 * MASK COMP} / {@code --syn}, {@code --tcp-option N}; each invertible. Requires {@code -p tcp}
 * (kernel checkentry). Per packet: never matches a non-first fragment (fragment offset 1, in 8-byte
 * units, is hot-dropped as the kernel's "evil TCP offset=1 frag"); a first fragment whose TCP
 * header is cut short is hot-dropped.
 */
public final class TcpMatch implements MatchExtension {
    static final int O_SPORT = 0;
    static final int O_DPORT = 1;
    static final int O_SYN = 2;
    static final int O_FLAGS = 3;
    static final int O_OPTION = 4;
    private static final List<Option> OPTIONS = List.of(
            Option.invValue("source-port", O_SPORT), Option.invValue("sport", O_SPORT),
            Option.invValue("destination-port", O_DPORT), Option.invValue("dport", O_DPORT),
            Option.invFlag("syn", O_SYN),
            Option.twoValues("tcp-flags", true, O_FLAGS),
            Option.invValue("tcp-option", O_OPTION));

    /** XT_TCP_INV_* bits. */
    public static final int INV_SRCPT = 0x01;
    public static final int INV_DSTPT = 0x02;
    public static final int INV_FLAGS = 0x04;
    public static final int INV_OPTION = 0x08;

    static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int spLo = 0;
            private int spHi = 0xffff;
            private int dpLo = 0;
            private int dpHi = 0xffff;
            private int option;
            private int flgMask;
            private int flgCmp;
            private int inv;
            private int seen;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                switch (opt.id()) {
                    case O_SPORT -> {
                        if ((seen & (1 << O_SPORT)) != 0) {
                            throw new ParameterProblem("Only one `--source-port' allowed");
                        }
                        int[] r = Xt.portRange(arg, "tcp");
                        spLo = r[0];
                        spHi = r[1];
                        inv |= inverted ? INV_SRCPT : 0;
                    }
                    case O_DPORT -> {
                        if ((seen & (1 << O_DPORT)) != 0) {
                            throw new ParameterProblem("Only one `--destination-port' allowed");
                        }
                        int[] r = Xt.portRange(arg, "tcp");
                        dpLo = r[0];
                        dpHi = r[1];
                        inv |= inverted ? INV_DSTPT : 0;
                    }
                    case O_SYN, O_FLAGS -> {
                        if ((seen & ((1 << O_SYN) | (1 << O_FLAGS))) != 0) {
                            throw new ParameterProblem("Only one of `--syn' or `--tcp-flags'  allowed");
                        }
                        if (opt.id() == O_SYN) {
                            flgMask = 0x17;
                            flgCmp = 0x02;
                        } else {
                            int sp = arg.indexOf(' ');
                            if (sp < 0) {
                                throw new ParameterProblem("--tcp-flags requires two args.");
                            }
                            flgMask = parseFlags(arg.substring(0, sp));
                            flgCmp = parseFlags(arg.substring(sp + 1));
                        }
                        inv |= inverted ? INV_FLAGS : 0;
                    }
                    case O_OPTION -> {
                        if ((seen & (1 << O_OPTION)) != 0) {
                            throw new ParameterProblem("Only one `--tcp-option' allowed");
                        }
                        long v = Xt.number(arg, 1, 255);
                        if (v < 0) {
                            throw new ParameterProblem("Bad TCP option \"" + arg + "\"");
                        }
                        option = (int) v;
                        inv |= inverted ? INV_OPTION : 0;
                    }
                    default -> throw new IllegalArgumentException(opt.name());
                }
                seen |= 1 << (opt.id() == O_FLAGS ? O_SYN : opt.id());
            }

            @Override
            public MatchSpec finish() {
                return new Spec(spLo, spHi, dpLo, dpHi, option, flgMask, flgCmp, inv);
            }
        };
    }

    /** Comma-separated flag names (case-insensitive), ALL and NONE included. */
    static int parseFlags(String list) throws ParameterProblem {
        int flags = 0;
        for (String f : list.split(",", -1)) {
            int bit = -1;
            for (int i = 0; i < FLAG_NAMES.length; i++) {
                if (FLAG_NAMES[i].equalsIgnoreCase(f)) {
                    bit = 1 << i;
                }
            }
            if (f.equalsIgnoreCase("ALL")) {
                bit = 0x3f;
            } else if (f.equalsIgnoreCase("NONE")) {
                bit = 0;
            }
            if (bit < 0) {
                throw new ParameterProblem("Unknown TCP flag `" + f + "'");
            }
            flags |= bit;
        }
        return flags;
    }

    static void appendFlags(StringBuilder out, int flags) {
        if (flags == 0) {
            out.append("NONE");
            return;
        }
        boolean first = true;
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.append(first ? "" : ",").append(FLAG_NAMES[i]);
                first = false;
            }
        }
    }

    /**
     * The parsed match (struct xt_tcp).
     *
     * @param invFlags bits of {@code INV_*}
     */
    public record Spec(int sportLo, int sportHi, int dportLo, int dportHi, int option, int flagMask, int flagCmp,
            int invFlags) implements MatchSpec, Matcher {

        @Override
        public String name() {
            return "tcp";
        }

        @Override
        public void save(StringBuilder out) {
            PortText.save(out, "sport", sportLo, sportHi, (invFlags & INV_SRCPT) != 0);
            PortText.save(out, "dport", dportLo, dportHi, (invFlags & INV_DSTPT) != 0);
            if (option != 0 || (invFlags & INV_OPTION) != 0) {
                out.append((invFlags & INV_OPTION) != 0 ? " !" : "").append(" --tcp-option ").append(option);
            }
            if (flagMask != 0 || (invFlags & INV_FLAGS) != 0) {
                out.append((invFlags & INV_FLAGS) != 0 ? " !" : "").append(" --tcp-flags ");
                appendFlags(out, flagMask);
                out.append(' ');
                appendFlags(out, flagCmp);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("tcp");
            PortText.print(out, "spt", sportLo, sportHi, (invFlags & INV_SRCPT) != 0, "tcp", numeric);
            PortText.print(out, "dpt", dportLo, dportHi, (invFlags & INV_DSTPT) != 0, "tcp", numeric);
            if (option != 0 || (invFlags & INV_OPTION) != 0) {
                out.append(" option=").append((invFlags & INV_OPTION) != 0 ? "!" : "").append(option);
            }
            if (flagMask != 0 || (invFlags & INV_FLAGS) != 0) {
                out.append(" flags:").append((invFlags & INV_FLAGS) != 0 ? "!" : "");
                if (numeric) {
                    out.append(String.format("0x%02X/0x%02X", flagMask, flagCmp));
                } else {
                    appendFlags(out, flagMask);
                    out.append('/');
                    appendFlags(out, flagCmp);
                }
            }
        }

        @Override
        public String check(CheckEnv env) {
            return Xt.protoIs(env, 6) ? null : Xt.EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0 || truncated(pd)) {
                return false;
            }
            if ((pd.srcPort >= sportLo && pd.srcPort <= sportHi) == ((invFlags & INV_SRCPT) != 0)) {
                return false;
            }
            if ((pd.dstPort >= dportLo && pd.dstPort <= dportHi) == ((invFlags & INV_DSTPT) != 0)) {
                return false;
            }
            if (((pd.tcpFlags & flagMask) == flagCmp) == ((invFlags & INV_FLAGS) != 0)) {
                return false;
            }
            if (option != 0) {
                int optLen = pd.tcpHeaderLength - 20;
                if (optLen < 0 || pd.l4Offset + pd.tcpHeaderLength > pd.length) {
                    return false;
                }
                return findOption(pd, pd.l4Offset + 20, optLen) != ((invFlags & INV_OPTION) != 0);
            }
            return true;
        }

        /**
         * The kernel's hotdrop for tcp: a fragment at offset 1 (8 bytes), a first fragment without
         * a whole TCP header, or an option test on a header whose data offset or options are cut.
         */
        @Override
        public boolean hotdrop(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0) {
                return pd.ipVersion == 4 && pd.fragOffset == 8;
            }
            if (truncated(pd)) {
                return true;
            }
            return option != 0 && (pd.tcpHeaderLength < 20 || pd.l4Offset + pd.tcpHeaderLength > pd.length);
        }

        private static boolean truncated(PacketDescriptor pd) {
            return pd.l4Offset < 0 || pd.length - pd.l4Offset < 20;
        }

        /** tcp_find_option: walks kinds 0 and 1 as one byte, others by their length byte. */
        private boolean findOption(PacketDescriptor pd, int off, int len) {
            int i = 0;
            while (i < len) {
                int kind = pd.data.get(ValueLayout.JAVA_BYTE, off + i) & 0xff;
                if (kind == option) {
                    return true;
                }
                if (kind < 2) {
                    i++;
                } else {
                    int l = i + 1 < len ? pd.data.get(ValueLayout.JAVA_BYTE, off + i + 1) & 0xff : 0;
                    i += l == 0 ? 1 : l;
                }
            }
            return false;
        }
    }
}
