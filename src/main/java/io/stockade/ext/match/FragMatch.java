package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * IPv6 {@code -m frag} (libip6t_frag / ip6t_frag): the first Fragment header's identification
 * range ({@code [!] --fragid}), {@code --fragres} (reserved bits zero), {@code --fragfirst}
 * (offset 0), {@code --fragmore} / {@code --fraglast} (M flag set / clear). {@code --fraglen} is
 * kept and printed but, as in Linux, not checked against the packet.
 */
public final class FragMatch extends XtOptMatch {
    private static final int O_FRAGID = 0;
    private static final int O_FRAGLEN = 1;
    private static final int O_FRAGRES = 2;
    private static final int O_FRAGFIRST = 3;
    private static final int O_FRAGMORE = 4;
    private static final int O_FRAGLAST = 5;
    /** IP6T_FRAG_* flags. */
    static final int IDS = 0x01;
    static final int LEN = 0x02;
    static final int RES = 0x04;
    static final int FST = 0x08;
    static final int MF = 0x10;
    static final int NMF = 0x20;

    public FragMatch() {
        super("frag",
                entry("fragid", O_FRAGID, Type.UINT32RC, INVERT),
                entry("fraglen", O_FRAGLEN, Type.UINT32, INVERT),
                entry("fragres", O_FRAGRES, Type.NONE, 0),
                entry("fragfirst", O_FRAGFIRST, Type.NONE, 0),
                new Entry("fragmore", O_FRAGMORE, Type.NONE, 0, 0, 0, 1 << O_FRAGLAST, 0),
                new Entry("fraglast", O_FRAGLAST, Type.NONE, 0, 0, 0, 1 << O_FRAGMORE, 0));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long min;
            private long max = 0xffffffffL;
            private long hdrlen;
            private int flags;
            private boolean invIds;
            private boolean invLen;

            @Override
            void parse(Call cb) {
                switch (cb.entry.id()) {
                    case O_FRAGID -> {
                        min = cb.range[0];
                        max = cb.nvals == 1 ? min : cb.range[1];
                        invIds |= cb.invert;
                        flags |= IDS;
                    }
                    case O_FRAGLEN -> {
                        hdrlen = cb.value;
                        invLen |= cb.invert;
                        flags |= LEN;
                    }
                    case O_FRAGRES -> flags |= RES;
                    case O_FRAGFIRST -> flags |= FST;
                    case O_FRAGMORE -> flags |= MF;
                    default -> flags |= NMF;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(min, max, hdrlen, flags, invIds, invLen);
            }
        };
    }

    /** The parsed match (ip6t_frag). */
    public record Spec(long min, long max, long hdrlen, int flags, boolean invIds, boolean invLen)
            implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "frag";
        }

        @Override
        public void save(StringBuilder out) {
            Fmt.saveRange(out, "fragid", min, max, invIds);
            if ((flags & LEN) != 0) {
                out.append(invLen ? " !" : "").append(" --fraglen ").append(hdrlen);
            }
            if ((flags & RES) != 0) {
                out.append(" --fragres");
            }
            if ((flags & FST) != 0) {
                out.append(" --fragfirst");
            }
            if ((flags & MF) != 0) {
                out.append(" --fragmore");
            }
            if ((flags & NMF) != 0) {
                out.append(" --fraglast");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("frag ");
            Fmt.printRange(out, "id", min, max, invIds);
            if ((flags & LEN) != 0) {
                out.append(" length:").append(invLen ? "!" : "").append(hdrlen);
            }
            if ((flags & RES) != 0) {
                out.append(" reserved");
            }
            if ((flags & FST) != 0) {
                out.append(" first");
            }
            if ((flags & MF) != 0) {
                out.append(" more");
            }
            if ((flags & NMF) != 0) {
                out.append(" last");
            }
        }

        @Override
        public boolean matches(Skb skb) {
            int ptr = HeaderBytes.findIpv6(skb.pd, HeaderBytes.NEXTHDR_FRAGMENT);
            if (ptr < 0 || !HeaderBytes.has(skb.pd, ptr, 8)) {
                return false;
            }
            int reserved = HeaderBytes.u8(skb.pd, ptr + 1);
            int fragOff = HeaderBytes.u16(skb.pd, ptr + 2);
            long id = HeaderBytes.u32(skb.pd, ptr + 4);
            return ((id >= min && id <= max) ^ invIds)
                    && !((flags & RES) != 0 && (reserved != 0 || (fragOff & 0x6) != 0))
                    && !((flags & FST) != 0 && (fragOff & ~0x7) != 0)
                    && !((flags & MF) != 0 && (fragOff & 1) == 0)
                    && !((flags & NMF) != 0 && (fragOff & 1) != 0);
        }

        @Override
        public boolean hotdrop(Skb skb) {
            int ptr = HeaderBytes.findIpv6(skb.pd, HeaderBytes.NEXTHDR_FRAGMENT);
            return ptr == HeaderBytes.EBADMSG || (ptr >= 0 && !HeaderBytes.has(skb.pd, ptr, 8));
        }
    }
}
