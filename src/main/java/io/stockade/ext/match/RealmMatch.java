package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * IPv4 {@code -m realm [!] --realm VALUE[/MASK]|NAME} (libipt_realm / xt_realm): the routing realm
 * (tclassid) of the packet's route, names from {@code /etc/iproute2/rt_realms}. Valid from
 * INPUT, FORWARD, OUTPUT and POSTROUTING only.
 *
 * <p>LINUX-DIFF: Stockade's routes carry no realm, so the packet's realm is always 0.
 */
public final class RealmMatch extends XtOptMatch {
    static final String REALMS = "/etc/iproute2/rt_realms";

    public RealmMatch() {
        super("realm", entry("realm", 0, Type.STRING, MAND | INVERT));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV4;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long id;
            private long mask;
            private boolean invert;

            @Override
            void parse(Call cb) throws ParameterProblem {
                long[] vm = ValMask.parse("realm", "realm", cb.arg, ValMask.Lmap.load(REALMS));
                id = vm[0];
                mask = vm[1];
                invert |= cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(id, mask, invert);
            }
        };
    }

    /** The parsed match (xt_realm_info). */
    public record Spec(long id, long mask, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "realm";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " !" : "").append(" --realm");
            ValMask.print(out, id, mask, ValMask.Lmap.load(REALMS));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(invert ? "! " : "").append("realm");
            ValMask.print(out, id, mask, numeric ? null : ValMask.Lmap.load(REALMS));
        }

        @Override
        public String check(CheckEnv env) {
            int allowed = Hook.POSTROUTING.bit() | Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.INPUT.bit();
            return env.onlyHooks(allowed) ? null : EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            long tclassid = 0;
            return (id == (tclassid & mask)) ^ invert;
        }
    }
}
