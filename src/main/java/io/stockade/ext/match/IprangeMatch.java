package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m iprange [!] --src-range A[-B] [!] --dst-range A[-B]} (libxt_iprange revision 1 /
 * xt_iprange): inclusive address ranges compared as unsigned big-endian numbers; a single address is
 * the range A-A, a reversed range is accepted and never matches (the kernel only warns).
 */
public final class IprangeMatch extends XtOptMatch {
    static final int O_SRC = 0;
    static final int O_DST = 1;

    public IprangeMatch() {
        super("iprange", entry("src-range", O_SRC, Type.STRING, INVERT), entry("dst-range", O_DST, Type.STRING, INVERT));
    }

    @Override
    protected State newState(ParseEnv env) {
        Family f = env.family();
        return new State() {
            private final long[] r = new long[8];
            private int flags;

            @Override
            void parse(Call cb) throws ParameterProblem {
                int dash = cb.arg.indexOf('-');
                String a = dash < 0 ? cb.arg : cb.arg.substring(0, dash);
                String b = dash < 0 ? cb.arg : cb.arg.substring(dash + 1);
                long[] lo = f == Family.IPV4 ? Xt.ipv4(a) : Xt.ipv6(a);
                long[] hi = f == Family.IPV4 ? Xt.ipv4(b) : Xt.ipv6(b);
                if (lo == null || hi == null) {
                    throw new ParameterProblem("iprange: Bad value for \"--" + cb.entry.name() + "\" option: \""
                            + (lo == null ? a : b) + "\"");
                }
                int o = cb.entry.id() * 4;
                r[o] = lo[0];
                r[o + 1] = lo[1];
                r[o + 2] = hi[0];
                r[o + 3] = hi[1];
                flags |= cb.entry.id() == O_SRC ? 1 : 2;
                if (cb.invert) {
                    flags |= cb.entry.id() == O_SRC ? 0x10 : 0x20;
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (flags == 0) {
                    throw new ParameterProblem("iprange match: You must specify `--src-range' or `--dst-range'");
                }
                return new Spec(f, flags, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
            }
        };
    }

    /**
     * The parsed match (struct xt_iprange_mtinfo).
     *
     * @param flags IPRANGE_SRC 1, IPRANGE_DST 2, IPRANGE_SRC_INV 0x10, IPRANGE_DST_INV 0x20
     */
    public record Spec(Family family, int flags, long srcMinHi, long srcMinLo, long srcMaxHi, long srcMaxLo,
            long dstMinHi, long dstMinLo, long dstMaxHi, long dstMaxLo) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "iprange";
        }

        private void range(StringBuilder out, long aHi, long aLo, long bHi, long bLo) {
            out.append(Xt.formatAddress(family, aHi, aLo)).append('-').append(Xt.formatAddress(family, bHi, bLo));
        }

        @Override
        public void save(StringBuilder out) {
            if ((flags & 1) != 0) {
                out.append((flags & 0x10) != 0 ? " ! --src-range " : " --src-range ");
                range(out, srcMinHi, srcMinLo, srcMaxHi, srcMaxLo);
            }
            if ((flags & 2) != 0) {
                out.append((flags & 0x20) != 0 ? " ! --dst-range " : " --dst-range ");
                range(out, dstMinHi, dstMinLo, dstMaxHi, dstMaxLo);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            if ((flags & 1) != 0) {
                sb.append(" source IP range").append((flags & 0x10) != 0 ? " ! " : " ");
                range(sb, srcMinHi, srcMinLo, srcMaxHi, srcMaxLo);
            }
            if ((flags & 2) != 0) {
                sb.append(" destination IP range").append((flags & 0x20) != 0 ? " ! " : " ");
                range(sb, dstMinHi, dstMinLo, dstMaxHi, dstMaxLo);
            }
            out.append(sb, 1, sb.length());
        }

        private static int cmp(long aHi, long aLo, long bHi, long bLo) {
            int c = Long.compareUnsigned(aHi, bHi);
            return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
        }

        @Override
        public boolean matches(Skb skb) {
            long hi = skb.pd.srcHi;
            long lo = skb.pd.srcLo;
            if ((flags & 1) != 0) {
                boolean out = cmp(hi, lo, srcMinHi, srcMinLo) < 0 || cmp(hi, lo, srcMaxHi, srcMaxLo) > 0;
                if (out != ((flags & 0x10) != 0)) {
                    return false;
                }
            }
            if ((flags & 2) != 0) {
                hi = skb.pd.dstHi;
                lo = skb.pd.dstLo;
                boolean out = cmp(hi, lo, dstMinHi, dstMinLo) < 0 || cmp(hi, lo, dstMaxHi, dstMaxLo) > 0;
                if (out != ((flags & 0x20) != 0)) {
                    return false;
                }
            }
            return true;
        }
    }
}
