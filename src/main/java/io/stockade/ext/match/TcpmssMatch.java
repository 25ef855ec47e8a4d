package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.lang.foreign.ValueLayout;

/**
 * {@code -m tcpmss [!] --mss MIN[:MAX]} (libxt_tcpmss / xt_tcpmss): the MSS option of a TCP
 * segment. A segment without options, or without an MSS option, matches only when inverted; a cut
 * TCP header is hot-dropped. Requires {@code -p tcp}.
 */
public final class TcpmssMatch extends XtOptMatch {
    public TcpmssMatch() {
        super("tcpmss", entry("mss", 0, Type.STRING, INVERT | MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int min;
            private int max;
            private boolean inv;

            @Override
            void parse(Call cb) throws ParameterProblem {
                // xtopt_parse_mint (UINT16RC): at most two components; the error quotes the rest
                // of the argument from the component that failed.
                int colon = cb.arg.indexOf(':');
                String a = colon < 0 ? cb.arg : cb.arg.substring(0, colon);
                String b = colon < 0 ? cb.arg : cb.arg.substring(colon + 1);
                int colon2 = b.indexOf(':');
                String b1 = colon2 < 0 ? b : b.substring(0, colon2);
                long lo = a.isEmpty() ? 0 : strictUint(a, 0, 0xffff);
                long hi = b1.isEmpty() ? 0xffff : strictUint(b1, 0, 0xffff);
                if (lo < 0 || hi < 0) {
                    throw new ParameterProblem("tcpmss: bad value for option \"--mss\" near \"" + (lo < 0 ? cb.arg : b)
                            + "\", or out of range (0-65535).\n");
                }
                if (colon >= 0 && colon2 >= 0) {
                    throw new ParameterProblem("tcpmss: Too many components for option \"--mss\" (max: 2)\n");
                }
                min = (int) lo;
                max = (int) hi;
                inv = cb.invert;
                if (min > max) {
                    throw new ParameterProblem("tcpmss: invalid range given");
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(min, max, inv);
            }
        };
    }

    /** The parsed match (struct xt_tcpmss_match_info). */
    public record Spec(int min, int max, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "tcpmss";
        }

        @Override
        public void save(StringBuilder out) {
            Fmt.saveRangeAlways(out, "mss", min, max, invert);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("tcpmss match ").append(invert ? "!" : "");
            Fmt.appendRange(out, min, max);
        }

        @Override
        public String check(CheckEnv env) {
            return Xt.protoIs(env, 6) ? null : Xt.EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (cut(pd)) {
                return false;
            }
            int optLen = pd.tcpHeaderLength - 20;
            int off = pd.l4Offset + 20;
            for (int i = 0; i < optLen; ) {
                int kind = pd.data.get(ValueLayout.JAVA_BYTE, off + i) & 0xff;
                int len = i + 1 < optLen ? pd.data.get(ValueLayout.JAVA_BYTE, off + i + 1) & 0xff : 0;
                if (kind == 2 && optLen - i >= 4 && len == 4) {
                    int mss = ((pd.data.get(ValueLayout.JAVA_BYTE, off + i + 2) & 0xff) << 8)
                            | (pd.data.get(ValueLayout.JAVA_BYTE, off + i + 3) & 0xff);
                    return (mss >= min && mss <= max) != invert;
                }
                i += kind < 2 ? 1 : (len == 0 ? 1 : len);
            }
            return invert;
        }

        /** No whole TCP header, a data offset below 5 or options beyond the captured bytes. */
        private static boolean cut(PacketDescriptor pd) {
            return pd.l4Offset < 0 || pd.length - pd.l4Offset < 20 || pd.tcpHeaderLength < 20
                    || pd.l4Offset + pd.tcpHeaderLength > pd.length;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            // LINUX-DIFF: a non-first fragment (no TCP header) is not read as one; it just does not match.
            return skb.pd.fragOffset == 0 && cut(skb.pd);
        }
    }
}
