package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeds' stateful scenarios ({@link SeedScenarios}: SSH brute-force protection with recent
 * --rttl, the ping limit and its per-source recent variant, the stateful firewall with rpfilter,
 * NEW-not-SYN resets, protocol rejects, IPv6 ND from fe80::/10 and icmp6 rejects) through the
 * offline engine: each packet's verdict and deciding rule, and one reply for every REJECT. The
 * kernel agrees on the same tables ({@code io.stockade.difftest.SeedScenarioKernelTest}).
 */
class SeedScenarioTest {
    static Stream<SeedScenarios.Scenario> scenarios() {
        return SeedScenarios.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyPacketAsTheTableSays(SeedScenarios.Scenario sc) throws Exception {
        List<SeedScenarios.Outcome> got = SeedScenarios.runOffline(sc);
        for (int k = 0; k < got.size(); k++) {
            SeedScenarios.Step st = sc.steps().get(k);
            String where = sc.name() + " step " + k + " at " + st.millis() + " ms: " + st.packet();
            assertEquals(st.verdict(), got.get(k).verdict(), where);
            assertEquals(st.rule(), got.get(k).rule(), where);
            assertEquals(st.verdict().equals("reject") ? 1 : 0, got.get(k).emitted(), where + ": replies sent");
        }
    }
}
