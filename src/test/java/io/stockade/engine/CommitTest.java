package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import org.junit.jupiter.api.Test;

/** Commit-time checks, with the kernel's answers observed with iptables-nft 1.8.9 on Linux 6.18. */
class CommitTest {
    private static String chainOfDepth(int userChains, boolean fromInput) {
        StringBuilder b = new StringBuilder("*filter\n");
        for (int i = 1; i <= userChains; i++) {
            b.append(':').append("C").append(i).append(" - [0:0]\n");
        }
        for (int i = 1; i < userChains; i++) {
            b.append("-A C").append(i).append(" -j C").append(i + 1).append('\n');
        }
        if (fromInput) {
            b.append("-A INPUT -j C1\n");
        }
        return b.append("COMMIT\n").toString();
    }

    @Test
    void fifteenUserChainsDeepIsAccepted() throws Exception {
        // INPUT → C6 … C20 (15 levels) was accepted by the kernel; INPUT → C5 … C20 was not.
        CompiledRuleset.compile(MiniRules.parse(Family.IPV4, chainOfDepth(15, true)), new StateRegistry());
    }

    @Test
    void sixteenUserChainsDeepIsTooManyLinks() {
        CommitException e = assertThrows(CommitException.class,
                () -> CompiledRuleset.compile(MiniRules.parse(Family.IPV4, chainOfDepth(16, true)), new StateRegistry()));
        assertEquals("Too many links", e.errno);
        assertEquals("C15", e.chain);
        assertEquals(1, e.ruleNumber);
    }

    @Test
    void deepChainsNoBuiltinReachesAreAccepted() throws Exception {
        CompiledRuleset.compile(MiniRules.parse(Family.IPV4, chainOfDepth(30, false)), new StateRegistry());
    }

    @Test
    void reachableLoopIsRefused() {
        String rules = """
                *filter
                :A - [0:0]
                :B - [0:0]
                -A INPUT -j A
                -A A -j B
                -A B -g A
                COMMIT""";
        CommitException e = assertThrows(CommitException.class,
                () -> CompiledRuleset.compile(MiniRules.parse(Family.IPV6, rules), new StateRegistry()));
        assertEquals("Too many links", e.errno);
    }

    @Test
    void unreachableLoopIsAccepted() throws Exception {
        // iptables -N A; -N B; -A A -j B; -A B -j A: accepted by iptables-nft and legacy alike.
        CompiledRuleset.compile(MiniRules.parse(Family.IPV4, """
                *filter
                :A - [0:0]
                :B - [0:0]
                -A A -j B
                -A B -j A
                COMMIT"""), new StateRegistry());
    }

    @Test
    void jumpToMissingChainIsRefused() {
        CommitException e = assertThrows(CommitException.class,
                () -> CompiledRuleset.compile(MiniRules.parse(Family.IPV4, "*filter\n-A INPUT -s 10.0.0.1 -j NOPE\nCOMMIT"),
                        new StateRegistry()));
        assertEquals("No such file or directory", e.errno);
        assertEquals("INPUT", e.chain);
    }

    @Test
    void runtimeStateSurvivesARecompile() throws Exception {
        StateRegistry state = new StateRegistry();
        Object first = state.shared("recent:DEFAULT", Object::new);
        Ruleset rs = MiniRules.parse(Family.IPV4, "*filter\n-A INPUT -j ACCEPT\nCOMMIT");
        CompiledRuleset.compile(rs, state);
        CompiledRuleset.compile(rs, state);
        assertSame(first, state.shared("recent:DEFAULT", Object::new));
        assertEquals(1, state.size());
    }
}
