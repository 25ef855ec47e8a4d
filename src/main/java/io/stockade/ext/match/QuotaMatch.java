package io.stockade.ext.match;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m quota [!] --quota BYTES} (libxt_quota / xt_quota): matches while the remaining quota
 * covers the packet's length, then never again (the remainder drops to 0). The remainder lives in
 * the compiled rule and restarts at each commit, as the kernel's checkentry re-arms it.
 */
public final class QuotaMatch extends XtOptMatch {
    public QuotaMatch() {
        super("quota", entry("quota", 0, Type.UINT64, INVERT | MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long quota;
            private boolean inv;

            @Override
            void parse(Call cb) {
                quota = cb.value;
                inv = cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(quota, inv);
            }
        };
    }

    /** The parsed match (struct xt_quota_info); {@code quota} is unsigned. */
    public record Spec(long quota, boolean invert) implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "quota";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " ! --quota " : " --quota ").append(Long.toUnsignedString(quota));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("quota: ").append(Long.toUnsignedString(quota)).append(" bytes");
        }

        @Override
        public Matcher compile(RuntimeState state) {
            return new Matcher() {
                private long left = quota;

                @Override
                public boolean matches(Skb skb) {
                    long len = skb.pd.ipTotalLength;
                    if (Long.compareUnsigned(left, len) >= 0) {
                        left -= len;
                        return !invert;
                    }
                    left = 0;
                    return invert;
                }
            };
        }
    }
}
