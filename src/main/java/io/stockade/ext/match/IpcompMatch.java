package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m ipcomp [!] --ipcompspi SPI[:SPI] [--compres]} (libxt_ipcomp / xt_ipcomp), both
 * families: the 16-bit CPI of the IPComp header (compared as a 32-bit number) that is the rule's
 * transport protocol. The kernel requires {@code -p ipcomp} (108); non-first fragments never
 * match; a truncated header hot-drops the packet. {@code --compres} is kept and printed but, as in
 * Linux, not checked.
 */
public final class IpcompMatch extends XtOptMatch {
    static final int IPPROTO_COMP = 108;

    public IpcompMatch() {
        super("ipcomp", entry("ipcompspi", 0, Type.UINT32RC, INVERT), entry("compres", 1, Type.NONE, 0));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long min;
            private long max = 0xffffffffL;
            private boolean inv;
            private boolean res;

            @Override
            void parse(Call cb) {
                if (cb.entry.id() == 0) {
                    min = cb.range[0];
                    max = cb.nvals == 1 ? min : cb.range[1];
                    inv |= cb.invert;
                } else {
                    res = true;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(min, max, inv, res);
            }
        };
    }

    /** The parsed match (xt_ipcomp). */
    public record Spec(long min, long max, boolean invert, boolean res) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "ipcomp";
        }

        @Override
        public void save(StringBuilder out) {
            Fmt.saveRange(out, "ipcompspi", min, max, invert);
            if (res) {
                out.append(" --compres");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("comp ");
            Fmt.printRange(out, "spi", min, max, invert);
            if (res) {
                out.append(" reserved");
            }
        }

        @Override
        public String check(CheckEnv env) {
            return AhMatch.requireProto(env, IPPROTO_COMP);
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            if (pd.fragOffset != 0 || pd.l4Offset < 0 || !HeaderBytes.has(pd, pd.l4Offset, 4)) {
                return false;
            }
            long cpi = HeaderBytes.u16(pd, pd.l4Offset + 2);
            return (cpi >= min && cpi <= max) ^ invert;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            var pd = skb.pd;
            return pd.fragOffset == 0 && (pd.l4Offset < 0 || !HeaderBytes.has(pd, pd.l4Offset, 4));
        }
    }
}
