package io.stockade.ext.match;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m helper [!] --helper NAME} (libxt_helper / xt_helper): the packet's connection was
 * expected by a helper ({@code Conn.master.helper}) whose name is a prefix of NAME (the kernel
 * compares {@code strlen(helper->name)} bytes), or, for an empty NAME, by any helper.
 */
public final class HelperMatch extends XtOptMatch {
    public HelperMatch() {
        super("helper", entry("helper", 0, Type.STRING, INVERT | MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private String helper;
            private boolean inv;

            @Override
            void parse(Call cb) throws ParameterProblem {
                if (cb.arg.length() > 29) {
                    throw new ParameterProblem("helper: option \"--helper\" argument too long (max 29)");
                }
                helper = cb.arg;
                inv = cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(helper, inv);
            }
        };
    }

    /** The parsed match (struct xt_helper_info). */
    public record Spec(String helper, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "helper";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " ! --helper " : " --helper ");
            io.stockade.syntax.Quoting.appendSaveString(out, helper);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(invert ? "helper match ! \"" : "helper match \"").append(helper).append('"');
        }

        @Override
        public boolean matches(Skb skb) {
            Conn ct = skb.conn;
            if (ct == null || ct.master == null || ct.master.helper == null) {
                return invert;
            }
            if (helper.isEmpty()) {
                return !invert;
            }
            return helper.startsWith(ct.master.helper) != invert;
        }
    }
}
