package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.IpText;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * IPv6 {@code -m srh} (libip6t_srh revision 1 / ip6t_srh): fields of the first Routing header when
 * it is a Segment Routing Header (type 4) — next header, header length, segments left and last
 * entry (each {@code -eq}/{@code -gt}/{@code -lt}, all sharing one value per field as in the
 * kernel struct), tag, and the previous / next / last segment ids ({@code --srh-psid},
 * {@code --srh-nsid}, {@code --srh-lsid} ADDR/PREFIX). Every option is invertible.
 */
public final class SrhMatch extends XtOptMatch {
    static final String[] NAMES = {
        "srh-next-hdr", "srh-hdr-len-eq", "srh-hdr-len-gt", "srh-hdr-len-lt", "srh-segs-left-eq",
        "srh-segs-left-gt", "srh-segs-left-lt", "srh-last-entry-eq", "srh-last-entry-gt",
        "srh-last-entry-lt", "srh-tag", "srh-psid", "srh-nsid", "srh-lsid"};
    /** The -L words (print) of the numeric options. */
    static final String[] PRINT = {
        "next-hdr", "hdr-len-eq", "hdr-len-gt", "hdr-len-lt", "segs-left-eq", "segs-left-gt",
        "segs-left-lt", "last-entry-eq", "last-entry-gt", "last-entry-lt", "tag"};
    static final int TAG = 10;
    static final int PSID = 11;
    static final int NSID = 12;
    static final int LSID = 13;

    public SrhMatch() {
        super("srh", entries());
    }

    private static Entry[] entries() {
        Entry[] e = new Entry[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            Type t = i < TAG ? Type.UINT8 : i == TAG ? Type.UINT16 : Type.STRING;
            e[i] = entry(NAMES[i], i, t, INVERT);
        }
        return e;
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    /** Which shared field an option writes: 0 next-hdr, 1 hdr-len, 2 segs-left, 3 last-entry, 4 tag. */
    static int field(int id) {
        return id == 0 ? 0 : id <= 3 ? 1 : id <= 6 ? 2 : id <= 9 ? 3 : 4;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int flags;
            private int inv;
            private final int[] values = new int[5];
            private final long[] sids = new long[12];

            @Override
            void parse(Call cb) throws ParameterProblem {
                int id = cb.entry.id();
                if (id <= TAG) {
                    values[field(id)] = (int) cb.value;
                } else {
                    long[] a = Xt.addressWithMask(cb.arg, Family.IPV6, false);
                    System.arraycopy(a, 0, sids, (id - PSID) * 4, 4);
                }
                flags |= 1 << id;
                inv |= cb.invert ? 1 << id : 0;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(flags, inv, values[0], values[1], values[2], values[3], values[4],
                        sids[0], sids[1], sids[2], sids[3], sids[4], sids[5], sids[6], sids[7],
                        sids[8], sids[9], sids[10], sids[11]);
            }
        };
    }

    /** The parsed match (ip6t_srh1); each sid is address hi/lo and mask hi/lo. */
    public record Spec(int flags, int inv, int nextHdr, int hdrLen, int segsLeft, int lastEntry, int tag,
            long psidHi, long psidLo, long psidMaskHi, long psidMaskLo,
            long nsidHi, long nsidLo, long nsidMaskHi, long nsidMaskLo,
            long lsidHi, long lsidLo, long lsidMaskHi, long lsidMaskLo) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "srh";
        }

        int value(int id) {
            return switch (field(id)) {
                case 0 -> nextHdr;
                case 1 -> hdrLen;
                case 2 -> segsLeft;
                case 3 -> lastEntry;
                default -> tag;
            };
        }

        private long[] sid(int id) {
            return switch (id) {
                case PSID -> new long[] {psidHi, psidLo, psidMaskHi, psidMaskLo};
                case NSID -> new long[] {nsidHi, nsidLo, nsidMaskHi, nsidMaskLo};
                default -> new long[] {lsidHi, lsidLo, lsidMaskHi, lsidMaskLo};
            };
        }

        private static String sidText(long[] s) {
            return IpText.v6(s[0], s[1]) + "/" + Integer.toUnsignedString(Xt.prefixLength(Family.IPV6, s[2], s[3]));
        }

        @Override
        public void save(StringBuilder out) {
            for (int id = 0; id < NAMES.length; id++) {
                if ((flags & (1 << id)) == 0) {
                    continue;
                }
                out.append((inv & (1 << id)) != 0 ? " !" : "").append(" --").append(NAMES[id]).append(' ');
                out.append(id <= TAG ? Integer.toString(value(id)) : sidText(sid(id)));
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("srh");
            for (int id = 0; id < NAMES.length; id++) {
                if ((flags & (1 << id)) == 0) {
                    continue;
                }
                boolean i = (inv & (1 << id)) != 0;
                if (id <= TAG) {
                    out.append(' ').append(PRINT[id]).append(':').append(i ? "!" : "").append(value(id));
                } else {
                    out.append(' ').append(NAMES[id].substring(4)).append(' ').append(i ? "!" : "").append(' ')
                            .append(sidText(sid(id)));
                }
            }
        }

        private boolean test(int id, boolean cond) {
            return (flags & (1 << id)) == 0 || (cond ^ ((inv & (1 << id)) != 0));
        }

        private boolean sidTest(Skb skb, int id, int off, long hi, long lo, long mhi, long mlo) {
            var pd = skb.pd;
            if (!HeaderBytes.has(pd, off, 16)) {
                return false;
            }
            boolean differ = ((HeaderBytes.u64(pd, off) ^ hi) & mhi) != 0 || ((HeaderBytes.u64(pd, off + 8) ^ lo) & mlo) != 0;
            return !(differ ^ ((inv & (1 << id)) != 0));
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            int off = HeaderBytes.findIpv6(pd, HeaderBytes.NEXTHDR_ROUTING);
            if (off < 0 || !HeaderBytes.has(pd, off, 8)) {
                return false;
            }
            int nh = HeaderBytes.u8(pd, off);
            int hl = HeaderBytes.u8(pd, off + 1);
            if (pd.length - off < ((hl + 1) << 3) || HeaderBytes.u8(pd, off + 2) != 4) {
                return false;
            }
            int sl = HeaderBytes.u8(pd, off + 3);
            int first = HeaderBytes.u8(pd, off + 4);
            int tg = HeaderBytes.u16(pd, off + 6);
            if (sl > first) {
                return false;
            }
            if (!(test(0, nh == nextHdr) && test(1, hl == hdrLen) && test(2, hl > hdrLen) && test(3, hl < hdrLen)
                    && test(4, sl == segsLeft) && test(5, sl > segsLeft) && test(6, sl < segsLeft)
                    && test(7, first == lastEntry) && test(8, first > lastEntry) && test(9, first < lastEntry)
                    && test(TAG, tg == tag))) {
                return false;
            }
            if ((flags & (1 << PSID)) != 0
                    && (sl == first || !sidTest(skb, PSID, off + 8 + (sl + 1) * 16, psidHi, psidLo, psidMaskHi, psidMaskLo))) {
                return false;
            }
            if ((flags & (1 << NSID)) != 0
                    && (sl == 0 || !sidTest(skb, NSID, off + 8 + (sl - 1) * 16, nsidHi, nsidLo, nsidMaskHi, nsidMaskLo))) {
                return false;
            }
            return (flags & (1 << LSID)) == 0 || sidTest(skb, LSID, off + 8, lsidHi, lsidLo, lsidMaskHi, lsidMaskLo);
        }
    }
}
