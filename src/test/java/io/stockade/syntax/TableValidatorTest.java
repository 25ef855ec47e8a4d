package io.stockade.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Table;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Commit-time checks: hook masks reachable through jumps, loops, and checkentry with that mask. */
class TableValidatorTest {

    /** A target allowed only from INPUT (as e.g. a target restricted to local input would be). */
    record InputOnly() implements TargetSpec {
        @Override
        public String name() {
            return "INPUTONLY";
        }

        @Override
        public void save(StringBuilder out) {
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
        }

        @Override
        public String check(CheckEnv env) {
            return env.onlyHooks(Hook.INPUT.bit()) ? null : "only from INPUT.";
        }
    }

    static Rule rule(RuleTarget t) {
        return new Rule(IpHeaderFilter.any(Family.IPV4), List.of(), t, 0, 0);
    }

    @Test
    void userChainsGetTheHooksOfTheirCallers() throws CommandFailure {
        Table t = new Table(Family.IPV4, TableKind.FILTER);
        t.addUserChain("a").rules().add(rule(new RuleTarget.Jump("b", false)));
        t.addUserChain("b").rules().add(rule(new RuleTarget.Extension(new InputOnly())));
        TableValidator.validate(t, "iptables");                       // unreferenced: mask 0, allowed
        t.chain("INPUT").rules().add(rule(new RuleTarget.Jump("a", false)));
        TableValidator.validate(t, "iptables");                       // reachable from INPUT only
        Map<String, Integer> masks = TableValidator.hookMasks(t, "iptables");
        assertEquals(Hook.INPUT.bit(), masks.get("b"));
        t.chain("FORWARD").rules().add(rule(new RuleTarget.Jump("a", true)));
        assertEquals(Hook.INPUT.bit() | Hook.FORWARD.bit(), TableValidator.hookMasks(t, "iptables").get("b"));
        CommandFailure f = assertThrows(CommandFailure.class, () -> TableValidator.validate(t, "iptables"));
        assertEquals("iptables: only from INPUT.", f.text());
    }

    @Test
    void loopsReachableFromAHookAreRefused() throws CommandFailure {
        Table t = new Table(Family.IPV4, TableKind.FILTER);
        t.addUserChain("x").rules().add(rule(new RuleTarget.Jump("y", false)));
        t.addUserChain("y").rules().add(rule(new RuleTarget.Jump("x", false)));
        TableValidator.validate(t, "iptables");                       // unreachable loop is legal
        t.chain("OUTPUT").rules().add(rule(new RuleTarget.Jump("x", false)));
        CommandFailure f = assertThrows(CommandFailure.class, () -> TableValidator.validate(t, "iptables"));
        assertEquals("iptables: Too many links.", f.text());
    }
}
