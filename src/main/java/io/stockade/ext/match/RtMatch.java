package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.IpText;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.Arrays;

/**
 * IPv6 {@code -m rt} (libip6t_rt / ip6t_rt): the first Routing header — {@code [!] --rt-type},
 * {@code [!] --rt-segsleft MIN[:MAX]}, {@code [!] --rt-len} (total header bytes), and for type 0
 * {@code --rt-0-res} (reserved word zero), {@code --rt-0-addrs A[,A…]} (up to 16, a strict prefix
 * list of the header's addresses unless {@code --rt-0-not-strict}, then an ordered subset).
 */
public final class RtMatch extends XtOptMatch {
    private static final int O_TYPE = 0;
    private static final int O_SEGSLEFT = 1;
    private static final int O_LEN = 2;
    private static final int O_RES = 3;
    private static final int O_ADDRS = 4;
    private static final int O_NSTRICT = 5;
    /** IP6T_RT_* flags. */
    static final int TYP = 0x01;
    static final int SGS = 0x02;
    static final int LEN = 0x04;
    static final int RES = 0x08;
    static final int FST = 0x10;
    static final int FST_NSTRICT = 0x20;
    /** IP6T_RT_INV_* flags. */
    static final int INV_TYP = 0x01;
    static final int INV_SGS = 0x02;
    static final int INV_LEN = 0x04;
    static final int HOPS = 16;

    public RtMatch() {
        super("rt",
                entry("rt-type", O_TYPE, Type.UINT32, INVERT),
                entry("rt-segsleft", O_SEGSLEFT, Type.UINT32RC, INVERT),
                entry("rt-len", O_LEN, Type.UINT32, INVERT),
                entry("rt-0-res", O_RES, Type.NONE, 0),
                entry("rt-0-addrs", O_ADDRS, Type.STRING, 0),
                entry("rt-0-not-strict", O_NSTRICT, Type.NONE, 0));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long type;
            private long min;
            private long max = 0xffffffffL;
            private long hdrlen;
            private int flags;
            private int inv;
            private long[] addrs = new long[0];
            private boolean seenType;
            private boolean seenAddrs;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_TYPE -> {
                        type = cb.value;
                        inv |= cb.invert ? INV_TYP : 0;
                        flags |= TYP;
                        seenType = true;
                    }
                    case O_SEGSLEFT -> {
                        min = cb.range[0];
                        max = cb.nvals == 1 ? min : cb.range[1];
                        inv |= cb.invert ? INV_SGS : 0;
                        flags |= SGS;
                    }
                    case O_LEN -> {
                        hdrlen = cb.value;
                        inv |= cb.invert ? INV_LEN : 0;
                        flags |= LEN;
                    }
                    case O_RES -> {
                        requireType0("--rt-0-res");
                        flags |= RES;
                    }
                    case O_ADDRS -> {
                        requireType0("--rt-0-addrs");
                        addrs = parseAddresses(cb.arg);
                        flags |= FST;
                        seenAddrs = true;
                    }
                    default -> {
                        if (!seenAddrs) {
                            throw new ParameterProblem(
                                    "`--rt-0-addr ...' required before `--rt-0-not-strict'");
                        }
                        flags |= FST_NSTRICT;
                    }
                }
            }

            private void requireType0(String opt) throws ParameterProblem {
                if (!seenType || type != 0 || (inv & INV_TYP) != 0) {
                    throw new ParameterProblem("`--rt-type 0' required before `" + opt + "'");
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(type, min, max, hdrlen, flags, inv, addrs);
            }
        };
    }

    /** parse_addresses: comma list of at most 16 IPv6 addresses, flat as hi/lo pairs. */
    static long[] parseAddresses(String s) throws ParameterProblem {
        String[] parts = s.split(",", -1);
        if (parts.length > HOPS) {
            throw new ParameterProblem("too many addresses specified");
        }
        long[] out = new long[parts.length * 2];
        for (int i = 0; i < parts.length; i++) {
            long[] a = IpText.pton6(parts[i]);
            if (a == null) {
                throw new ParameterProblem("bad address: " + parts[i]);
            }
            out[2 * i] = a[0];
            out[2 * i + 1] = a[1];
        }
        return out;
    }

    /**
     * The parsed match (ip6t_rt).
     *
     * @param addrs type-0 addresses as hi/lo pairs
     */
    public record Spec(long type, long min, long max, long hdrlen, int flags, int inv, long[] addrs)
            implements MatchSpec, Matcher {
        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.type == type && s.min == min && s.max == max
                    && s.hdrlen == hdrlen && s.flags == flags && s.inv == inv
                    && Arrays.equals(s.addrs, addrs);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(type) * 31 + Arrays.hashCode(addrs) + flags;
        }

        @Override
        public String name() {
            return "rt";
        }

        private void appendAddrs(StringBuilder out) {
            for (int i = 0; i < addrs.length / 2; i++) {
                out.append(i == 0 ? ' ' : ',').append(IpText.v6(addrs[2 * i], addrs[2 * i + 1]));
            }
        }

        @Override
        public void save(StringBuilder out) {
            if ((flags & TYP) != 0) {
                out.append((inv & INV_TYP) != 0 ? " !" : "").append(" --rt-type ").append(type);
            }
            Fmt.saveRange(out, "rt-segsleft", min, max, (inv & INV_SGS) != 0);
            if ((flags & LEN) != 0) {
                out.append((inv & INV_LEN) != 0 ? " !" : "").append(" --rt-len ").append(hdrlen);
            }
            if ((flags & RES) != 0) {
                out.append(" --rt-0-res");
            }
            if ((flags & FST) != 0) {
                out.append(" --rt-0-addrs");
            }
            appendAddrs(out);
            if ((flags & FST_NSTRICT) != 0) {
                out.append(" --rt-0-not-strict");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("rt");
            if ((flags & TYP) != 0) {
                // printf("%d") of the u32 type, as iptables does.
                out.append(" type:").append((inv & INV_TYP) != 0 ? "!" : "").append((int) type);
            }
            if (!Fmt.skipRange(min, max, (inv & INV_SGS) != 0)) {
                out.append(' ');
                Fmt.printRange(out, "segsleft", min, max, (inv & INV_SGS) != 0);
            }
            if ((flags & LEN) != 0) {
                out.append(" length:").append((inv & INV_LEN) != 0 ? "!" : "").append(hdrlen);
            }
            if ((flags & RES) != 0) {
                out.append(" reserved");
            }
            if ((flags & FST) != 0) {
                out.append(" 0-addrs");
            }
            appendAddrs(out);
            if ((flags & FST_NSTRICT) != 0) {
                out.append(" 0-not-strict");
            }
        }

        @Override
        public String check(CheckEnv env) {
            if ((flags & (RES | FST | FST_NSTRICT)) != 0
                    && ((flags & TYP) == 0 || type != 0 || (inv & INV_TYP) != 0)) {
                return EINVAL;
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            int ptr = HeaderBytes.findIpv6(pd, HeaderBytes.NEXTHDR_ROUTING);
            if (ptr < 0 || !HeaderBytes.has(pd, ptr, 4)) {
                return false;
            }
            int hdrLen = (HeaderBytes.u8(pd, ptr + 1) + 1) << 3;
            if (pd.length - ptr < hdrLen) {
                return false;
            }
            int rtType = HeaderBytes.u8(pd, ptr + 2);
            int segsLeft = HeaderBytes.u8(pd, ptr + 3);
            boolean ret = ((segsLeft >= min && segsLeft <= max) ^ ((inv & INV_SGS) != 0))
                    && ((flags & LEN) == 0 || ((hdrlen == hdrLen) ^ ((inv & INV_LEN) != 0)))
                    && ((flags & TYP) == 0 || ((type == rtType) ^ ((inv & INV_TYP) != 0)));
            if (ret && (flags & RES) != 0) {
                ret = HeaderBytes.u32(pd, ptr + 4) == 0;
            }
            if ((flags & FST) == 0) {
                return ret;
            }
            int addrnr = addrs.length / 2;
            int slots = (hdrLen - 8) / 16;
            if (addrnr > slots) {
                return false;
            }
            if ((flags & FST_NSTRICT) != 0) {
                int i = 0;
                for (int t = 0; t < slots && i < addrnr; t++) {
                    int off = ptr + 8 + t * 16;
                    if (HeaderBytes.u64(pd, off) == addrs[2 * i] && HeaderBytes.u64(pd, off + 8) == addrs[2 * i + 1]) {
                        i++;
                    }
                }
                return i == addrnr && ret;
            }
            int t = 0;
            while (t < addrnr) {
                int off = ptr + 8 + t * 16;
                if (HeaderBytes.u64(pd, off) != addrs[2 * t] || HeaderBytes.u64(pd, off + 8) != addrs[2 * t + 1]) {
                    break;
                }
                t++;
            }
            return t == addrnr && t == slots && ret;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            int ptr = HeaderBytes.findIpv6(skb.pd, HeaderBytes.NEXTHDR_ROUTING);
            return ptr == HeaderBytes.EBADMSG || (ptr >= 0 && !HeaderBytes.has(skb.pd, ptr, 4));
        }
    }
}
