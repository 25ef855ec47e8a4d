package io.stockade.ext.match;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.List;

/**
 * {@code -m conntrack} (libxt_conntrack revision 3 / xt_conntrack): {@code --ctstate},
 * {@code --ctproto}, {@code --ctorigsrc/--ctorigdst/--ctreplsrc/--ctrepldst}, the four
 * {@code --ct*port} ranges, {@code --ctstatus}, {@code --ctexpire} and {@code --ctdir}; all but
 * {@code --ctdir} invertible. Per packet it reads {@code Skb.conn} and {@code Skb.ctinfo} as the
 * kernel reads {@code nf_ct_get()}: no entry and ctinfo 7 is UNTRACKED, no entry otherwise
 * INVALID; a packet without an entry fails every test but {@code --ctstate}.
 *
 * <p>State bits ({@link #stateBits}) follow the kernel's XT_CONNTRACK_STATE_* layout:
 * INVALID 1, ESTABLISHED 2, RELATED 4, NEW 8, SNAT 0x100, DNAT 0x200, UNTRACKED 0x400.
 */
public final class ConntrackMatch implements MatchExtension {
    static final int O_STATE = 0;
    static final int O_PROTO = 1;
    static final int O_ORIGSRC = 2;
    static final int O_ORIGDST = 3;
    static final int O_REPLSRC = 4;
    static final int O_REPLDST = 5;
    static final int O_STATUS = 6;
    static final int O_EXPIRE = 7;
    static final int O_ORIGSRCPORT = 8;
    static final int O_ORIGDSTPORT = 9;
    static final int O_REPLSRCPORT = 10;
    static final int O_REPLDSTPORT = 11;
    static final int O_DIR = 12;
    static final String[] NAMES = {"ctstate", "ctproto", "ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst",
        "ctstatus", "ctexpire", "ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport", "ctdir"};
    private static final List<Option> OPTIONS;

    static {
        Option[] o = new Option[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            o[i] = i == O_DIR ? Option.value(NAMES[i], i) : Option.invValue(NAMES[i], i);
        }
        OPTIONS = List.of(o);
    }

    /** XT_CONNTRACK_STATE_* bits. */
    public static final int ST_INVALID = 1;
    public static final int ST_ESTABLISHED = 1 << 1;
    public static final int ST_RELATED = 1 << 2;
    public static final int ST_NEW = 1 << 3;
    public static final int ST_SNAT = 1 << 8;
    public static final int ST_DNAT = 1 << 9;
    public static final int ST_UNTRACKED = 1 << 10;
    /** ctinfo value of an untracked packet (IP_CT_UNTRACKED). */
    public static final int IP_CT_UNTRACKED = 7;
    /** ctinfo values at or above this are reply direction (IP_CT_IS_REPLY). */
    public static final int IP_CT_IS_REPLY = 3;

    /** Print order of state names. */
    static final String[] STATE_NAMES = {"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"};
    static final int[] STATE_BITS = {ST_INVALID, ST_NEW, ST_RELATED, ST_ESTABLISHED, ST_UNTRACKED, ST_SNAT, ST_DNAT};
    static final String[] STATUS_NAMES = {"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"};
    static final int[] STATUS_BITS = {Conn.IPS_EXPECTED, Conn.IPS_SEEN_REPLY, Conn.IPS_ASSURED, Conn.IPS_CONFIRMED};

    @Override
    public String name() {
        return "conntrack";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    /**
     * The state bits of a packet as xt_conntrack computes them (without SNAT/DNAT, which
     * {@link Spec#matches} adds from the entry's status).
     */
    public static int stateBits(Skb skb) {
        Conn ct = skb.conn;
        if (ct == null) {
            return skb.ctinfo == IP_CT_UNTRACKED ? ST_UNTRACKED : ST_INVALID;
        }
        if ((ct.status & Conn.IPS_UNTRACKED) != 0) {
            return ST_UNTRACKED;
        }
        return 1 << (skb.ctinfo % IP_CT_IS_REPLY + 1);
    }

    /**
     * Parses a comma list of names into bits as libxt_conntrack's conntrack_ps_states does: the
     * error quotes the text from the first bad item on.
     */
    static int parseList(String arg, String[] names, int[] bits, String what, String zeroName)
            throws ParameterProblem {
        int mask = 0;
        String rest = arg;
        while (true) {
            int comma = rest.indexOf(',');
            String item = comma < 0 ? rest : rest.substring(0, comma);
            int bit = -1;
            for (int i = 0; i < names.length && !item.isEmpty(); i++) {
                if (names[i].equalsIgnoreCase(item)) {
                    bit = bits[i];
                }
            }
            if (bit < 0 && zeroName != null && zeroName.equalsIgnoreCase(item)) {
                bit = 0;
            }
            if (bit < 0) {
                throw new ParameterProblem("Bad " + what + " \"" + rest + "\"");
            }
            mask |= bit;
            if (comma < 0) {
                return mask;
            }
            rest = rest.substring(comma + 1);
        }
    }

    static void appendList(StringBuilder out, int mask, String[] names, int[] bits, String zeroName) {
        if (mask == 0 && zeroName != null) {
            out.append(zeroName);
            return;
        }
        boolean first = true;
        for (int i = 0; i < names.length; i++) {
            if ((mask & bits[i]) != 0) {
                out.append(first ? "" : ",").append(names[i]);
                first = false;
            }
        }
    }

    /** An address and mask in the flat two-long layout. */
    public record Net(long hi, long lo, long maskHi, long maskLo) {
        boolean contains(long aHi, long aLo) {
            return ((aHi ^ hi) & maskHi) == 0 && ((aLo ^ lo) & maskLo) == 0;
        }
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int flags;
            private int inv;
            private int stateMask;
            private int proto;
            private final Net[] nets = new Net[4];
            private final int[] ports = {0, 0xffff, 0, 0xffff, 0, 0xffff, 0, 0xffff};
            private int statusMask;
            private long expMin;
            private long expMax;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                int id = opt.id();
                if ((flags & (1 << id)) != 0) {
                    throw Xt.once("conntrack", NAMES[id]);
                }
                switch (id) {
                    case O_STATE -> stateMask = parseList(arg, STATE_NAMES, STATE_BITS, "ctstate", null);
                    case O_PROTO -> {
                        proto = Xt.protocol(arg);
                        if (proto == 0) {
                            // LINUX-DIFF: iptables 1.8.9 accepts --ctproto 0 (never matches); upstream refuses it.
                            throw new ParameterProblem(inverted ? "conntrack: condition would always match protocol"
                                    : "conntrack: rule would never match protocol");
                        }
                    }
                    case O_ORIGSRC, O_ORIGDST, O_REPLSRC, O_REPLDST -> {
                        long[] a = Xt.addressWithMask(arg, env.family(), false);
                        nets[id - O_ORIGSRC] = new Net(a[0], a[1], a[2], a[3]);
                    }
                    case O_STATUS -> statusMask = parseList(arg, STATUS_NAMES, STATUS_BITS, "ctstatus", "NONE");
                    case O_EXPIRE -> {
                        int colon = arg.indexOf(':');
                        String a = colon < 0 ? arg : arg.substring(0, colon);
                        String b = colon < 0 ? arg : arg.substring(colon + 1);
                        expMin = a.isEmpty() ? 0 : Xt.number(a, 0, 0xffffffffL);
                        expMax = b.isEmpty() ? 0xffffffffL : Xt.number(b, 0, 0xffffffffL);
                        if (expMin < 0 || expMax < 0) {
                            throw Xt.badValue("conntrack", "ctexpire", arg, 0, 0xffffffffL);
                        }
                        if (expMin > expMax) {
                            // LINUX-DIFF: iptables 1.8.9 accepts an inverted --ctexpire range; upstream vectors reject it.
                            throw new ParameterProblem("conntrack: invalid range \"" + arg + "\" for \"--ctexpire\"");
                        }
                    }
                    case O_ORIGSRCPORT, O_ORIGDSTPORT, O_REPLSRCPORT, O_REPLDSTPORT -> {
                        int[] r = Xt.xtPortRange(arg, null);
                        ports[2 * (id - O_ORIGSRCPORT)] = r[0];
                        ports[2 * (id - O_ORIGSRCPORT) + 1] = r[1];
                    }
                    case O_DIR -> {
                        if (arg.equalsIgnoreCase("ORIGINAL")) {
                            inverted = false;
                        } else if (arg.equalsIgnoreCase("REPLY")) {
                            inverted = true;
                        } else {
                            throw new ParameterProblem("conntrack: Bad value for \"--ctdir\" option: \"" + arg + "\"");
                        }
                    }
                    default -> throw new IllegalArgumentException(opt.name());
                }
                flags |= 1 << id;
                if (inverted) {
                    inv |= 1 << id;
                }
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                if (flags == 0) {
                    throw new ParameterProblem("conntrack: At least one option is required");
                }
                return new Spec(env.family(), flags, inv, stateMask, proto, nets[0], nets[1], nets[2], nets[3],
                        ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6], ports[7],
                        statusMask, expMin, expMax);
            }
        };
    }

    /**
     * The parsed match (struct xt_conntrack_mtinfo3). {@code flags} and {@code invFlags} hold
     * {@code 1 << O_*} bits (in the kernel's XT_CONNTRACK_* order for the save form); the
     * direction is "REPLY" when its inversion bit is set. Unset addresses are null.
     */
    public record Spec(Family family, int flags, int invFlags, int stateMask, int l4proto,
            Net origSrc, Net origDst, Net replSrc, Net replDst,
            int origSrcPortLo, int origSrcPortHi, int origDstPortLo, int origDstPortHi,
            int replSrcPortLo, int replSrcPortHi, int replDstPortLo, int replDstPortHi,
            int statusMask, long expiresMin, long expiresMax) implements MatchSpec, Matcher {

        @Override
        public String name() {
            return "conntrack";
        }

        private boolean has(int id) {
            return (flags & (1 << id)) != 0;
        }

        private boolean inv(int id) {
            return (invFlags & (1 << id)) != 0;
        }

        @Override
        public void save(StringBuilder out) {
            dump(out, "--", true);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            dump(sb, "", numeric);
            out.append(sb, 1, sb.length());
        }

        private void dump(StringBuilder out, String prefix, boolean numeric) {
            if (has(O_STATE)) {
                out.append(inv(O_STATE) ? " !" : "").append(' ').append(prefix).append("ctstate ");
                appendList(out, stateMask, STATE_NAMES, STATE_BITS, null);
            }
            if (has(O_PROTO)) {
                out.append(inv(O_PROTO) ? " !" : "").append(' ').append(prefix).append("ctproto ").append(l4proto);
            }
            Net[] nets = {origSrc, origDst, replSrc, replDst};
            for (int i = 0; i < 4; i++) {
                if (has(O_ORIGSRC + i)) {
                    Net n = nets[i];
                    out.append(inv(O_ORIGSRC + i) ? " !" : "").append(' ').append(prefix).append(NAMES[O_ORIGSRC + i]);
                    // LINUX-DIFF: -L without -n prints addresses numerically (no reverse DNS lookups).
                    if (!numeric && n.hi() == 0 && n.lo() == 0) {
                        out.append(" anywhere");
                    } else {
                        out.append(' ').append(Xt.formatNet(family, n.hi(), n.lo(), n.maskHi(), n.maskLo()));
                    }
                }
            }
            int[] p = {origSrcPortLo, origSrcPortHi, origDstPortLo, origDstPortHi, replSrcPortLo, replSrcPortHi,
                replDstPortLo, replDstPortHi};
            for (int i = 0; i < 4; i++) {
                if (has(O_ORIGSRCPORT + i)) {
                    out.append(inv(O_ORIGSRCPORT + i) ? " !" : "").append(' ').append(prefix)
                            .append(NAMES[O_ORIGSRCPORT + i]).append(' ').append(p[2 * i]);
                    if (p[2 * i] != p[2 * i + 1]) {
                        out.append(':').append(p[2 * i + 1]);
                    }
                }
            }
            if (has(O_STATUS)) {
                out.append(inv(O_STATUS) ? " !" : "").append(' ').append(prefix).append("ctstatus ");
                appendList(out, statusMask, STATUS_NAMES, STATUS_BITS, "NONE");
            }
            if (has(O_EXPIRE)) {
                out.append(inv(O_EXPIRE) ? " !" : "").append(' ').append(prefix).append("ctexpire ").append(expiresMin);
                if (expiresMin != expiresMax) {
                    out.append(':').append(expiresMax);
                }
            }
            if (has(O_DIR)) {
                out.append(' ').append(prefix).append("ctdir ").append(inv(O_DIR) ? "REPLY" : "ORIGINAL");
            }
        }

        @Override
        public boolean matches(Skb skb) {
            Conn ct = skb.conn;
            if (has(O_STATE)) {
                int bits = stateBits(skb);
                if (ct != null) {
                    bits |= ((ct.status & Conn.IPS_SRC_NAT) != 0 ? ST_SNAT : 0)
                            | ((ct.status & Conn.IPS_DST_NAT) != 0 ? ST_DNAT : 0);
                }
                if (((stateMask & bits) != 0) == inv(O_STATE)) {
                    return false;
                }
            }
            if (ct == null || (ct.status & Conn.IPS_UNTRACKED) != 0) {
                return has(O_STATE);
            }
            if (has(O_DIR) && (skb.ctinfo < IP_CT_IS_REPLY) == inv(O_DIR)) {
                return false;
            }
            if (has(O_ORIGSRC) && origSrc.contains(ct.origSrcHi, ct.origSrcLo) == inv(O_ORIGSRC)) {
                return false;
            }
            if (has(O_ORIGDST) && origDst.contains(ct.origDstHi, ct.origDstLo) == inv(O_ORIGDST)) {
                return false;
            }
            if (has(O_REPLSRC) && replSrc.contains(ct.replySrcHi, ct.replySrcLo) == inv(O_REPLSRC)) {
                return false;
            }
            if (has(O_REPLDST) && replDst.contains(ct.replyDstHi, ct.replyDstLo) == inv(O_REPLDST)) {
                return false;
            }
            if (has(O_PROTO) && (ct.protocol == l4proto) == inv(O_PROTO)) {
                return false;
            }
            if (has(O_ORIGSRCPORT) && in(ct.origSrcPort, origSrcPortLo, origSrcPortHi) == inv(O_ORIGSRCPORT)) {
                return false;
            }
            if (has(O_ORIGDSTPORT) && in(ct.origDstPort, origDstPortLo, origDstPortHi) == inv(O_ORIGDSTPORT)) {
                return false;
            }
            if (has(O_REPLSRCPORT) && in(ct.replySrcPort, replSrcPortLo, replSrcPortHi) == inv(O_REPLSRCPORT)) {
                return false;
            }
            if (has(O_REPLDSTPORT) && in(ct.replyDstPort, replDstPortLo, replDstPortHi) == inv(O_REPLDSTPORT)) {
                return false;
            }
            if (has(O_STATUS) && ((statusMask & ct.status) != 0) == inv(O_STATUS)) {
                return false;
            }
            if (has(O_EXPIRE)) {
                long left = ct.expiresNanos - skb.timeNanos;
                long secs = left <= 0 ? 0 : left / 1_000_000_000L;
                if ((secs >= expiresMin && secs <= expiresMax) == inv(O_EXPIRE)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean in(int v, int lo, int hi) {
            return v >= lo && v <= hi;
        }
    }
}
