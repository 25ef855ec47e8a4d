package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m nfacct --nfacct-name NAME} (libxt_nfacct / xt_nfacct): accounts the packet to the
 * named nfacct object and always matches. The kernel refuses the rule (ENOENT) unless the object
 * exists.
 *
 * <p>LINUX-DIFF: Stockade has no nfacct objects (no {@code nfacct add}), so every nfacct rule is
 * refused as Linux refuses one naming a missing object.
 */
public final class NfacctMatch extends XtOptMatch {
    /** NFACCT_NAME_MAX - 1. */
    static final int NAME_MAX = 31;
    /** iptables' text for ENOENT from the kernel. */
    static final String ENOENT = "No chain/target/match by that name.";

    public NfacctMatch() {
        super("nfacct", new Entry("nfacct-name", 0, Type.STRING, MAND, 1, 0, 0, 0));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private String name;

            @Override
            void parse(Call cb) throws ParameterProblem {
                if (cb.arg.indexOf('\n') >= 0) {
                    throw new ParameterProblem("Newlines not allowed in --nfacct-name");
                }
                name = cb.arg.length() > NAME_MAX ? cb.arg.substring(0, NAME_MAX) : cb.arg;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(name);
            }
        };
    }

    /** The parsed match. */
    public record Spec(String nfacctName) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "nfacct";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --nfacct-name ");
            io.stockade.syntax.Quoting.appendSaveString(out, nfacctName);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("nfacct-name ");
            io.stockade.syntax.Quoting.appendSaveString(out, nfacctName);
        }

        @Override
        public String check(CheckEnv env) {
            return ENOENT;
        }

        @Override
        public boolean matches(Skb skb) {
            return true;
        }
    }
}
