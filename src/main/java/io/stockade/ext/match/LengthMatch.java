package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m length [!] --length MIN[:MAX]} (libxt_length / xt_length): the IPv4 total length, or
 * for IPv6 the payload length plus the 40-byte header.
 */
public final class LengthMatch extends XtOptMatch {
    public LengthMatch() {
        super("length", entry("length", 0, Type.UINT16RC, INVERT | MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long min;
            private long max;
            private boolean inv;

            @Override
            void parse(Call cb) throws ParameterProblem {
                min = cb.range[0];
                max = cb.nvals == 1 ? min : cb.range[1];
                inv = cb.invert;
                if (min > max) {
                    // LINUX-DIFF: iptables 1.8.9 accepts a reversed range (never matches); the vectors refuse it.
                    throw new ParameterProblem("length: bad value for option \"--length\", range \"" + cb.arg
                            + "\" is reversed");
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec((int) min, (int) max, inv);
            }
        };
    }

    /** The parsed match (struct xt_length_info). */
    public record Spec(int min, int max, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "length";
        }

        @Override
        public void save(StringBuilder out) {
            Fmt.saveRangeAlways(out, "length", min, max, invert);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("length ").append(invert ? "!" : "");
            Fmt.appendRange(out, min, max);
        }

        @Override
        public boolean matches(Skb skb) {
            int len = skb.pd.ipTotalLength;
            return (len >= min && len <= max) != invert;
        }
    }
}
