package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m mark [!] --mark VALUE[/MASK]} (libxt_mark revision 1 / xt_mark): {@code (nfmark & mask)
 * == value}. The same file provides {@code -m connmark}, which tests the conntrack entry's mark
 * (no entry: never matches, even inverted, as the kernel).
 */
public final class MarkMatch extends XtOptMatch {
    private final boolean conn;

    private MarkMatch(boolean conn) {
        super(conn ? "connmark" : "mark", entry("mark", 0, Type.STRING, INVERT | MAND));
        this.conn = conn;
    }

    /** {@code -m mark}. */
    public static MarkMatch mark() {
        return new MarkMatch(false);
    }

    /** {@code -m connmark}. */
    public static MarkMatch connmark() {
        return new MarkMatch(true);
    }

    /** XTTYPE_MARKMASK32: {@code VALUE[/MASK]}, each an unsigned 32-bit number in any C base. */
    static long[] markMask(String module, String option, String arg) throws ParameterProblem {
        return ValMask.parse(module, option, arg);
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long[] mm;
            private boolean inv;

            @Override
            void parse(Call cb) throws ParameterProblem {
                mm = markMask(conn ? "connmark" : "mark", "mark", cb.arg);
                inv = cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(conn, (int) mm[0], (int) mm[1], inv);
            }
        };
    }

    /** The parsed match (struct xt_mark_mtinfo1 / xt_connmark_mtinfo1). */
    public record Spec(boolean conn, int mark, int mask, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return conn ? "connmark" : "mark";
        }

        private void appendMark(StringBuilder out) {
            out.append(" 0x").append(Integer.toHexString(mark));
            if (mask != -1) {
                out.append("/0x").append(Integer.toHexString(mask));
            }
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " ! --mark" : " --mark");
            appendMark(out);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(conn ? "connmark match " + (invert ? "!" : "") : "mark match" + (invert ? " !" : ""));
            appendMark(out);
        }

        @Override
        public boolean matches(Skb skb) {
            if (conn) {
                if (skb.conn == null) {
                    return false;
                }
                return ((skb.conn.mark & mask) == mark) != invert;
            }
            return ((skb.mark & mask) == mark) != invert;
        }
    }
}
