package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel-differential suite: random cases through the real kernel (namespaces of its own) and
 * through Stockade. Needs root; skips with the reason elsewhere, but under {@code CI=true} it must
 * run and fails when it cannot.
 */
@Tag("kernel")
class KernelDifferentialTest {
    /** Seed of the suite; change it only together with {@link #MIN_AGREEMENT}. */
    static final long SEED = 20261123L;
    static final int CASES = 500;

    /**
     * Areas whose agreement is asserted, with the minimum in percent: regression floors about ten
     * points under what was measured on 2026-11-23 (filter 67.2, conntrack 67.0, REJECT 64.5, LOG
     * 66.8, limit/recent 67.1, IPv6 71.2; NAT 0 — no NAT packet path yet; NAT 94.0 once the NAT targets
     * acted, the same day). The gaps then were NAT
     * targets without a packet implementation, no IPv4/IPv6 defragmentation before conntrack, and
     * the source address of REJECT's ICMP errors. Raise these as the engine matures.
     */
    static final Map<Area, Double> MIN_AGREEMENT = Map.of(
            Area.FILTER, 57.0, Area.CONNTRACK, 57.0, Area.REJECT, 54.0, Area.LOG, 57.0,
            Area.LIMIT_RECENT, 57.0, Area.IPV6, 60.0, Area.NAT, 84.0);

    private static void requireKernel() {
        String why = KernelLab.unavailableReason();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the kernel-differential test must run, but it " + why);
            }
            assumeTrue(false, "kernel-differential test skipped: it " + why);
        }
    }

    @Test
    void theHarnessSeesTheSameKernelBehaviourTwice() throws Exception {
        requireKernel();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DiffTest.Result r = DiffTest.run(new DiffTest.Options(SEED + 1, 40, -1, null, null, 2, true, false),
                new PrintStream(buf, true, StandardCharsets.UTF_8), System.err);
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        assertEquals(0, r.kernelRefused(), "the generator must only produce rules the kernel accepts:\n" + report);
        assertEquals(40, r.tally().cases());
        assertEquals(40, r.tally().agreed(), "the kernel run must be repeatable:\n" + report);
    }

    @Test
    void stockadeAgreesWithTheKernel() throws Exception {
        requireKernel();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DiffTest.Result r = DiffTest.run(new DiffTest.Options(SEED, CASES, -1, null, null, 3, false, false),
                new PrintStream(buf, true, StandardCharsets.UTF_8), System.err);
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        assertEquals(CASES, r.tally().cases());
        assertEquals(0, r.kernelRefused(), "the generator must only produce rules the kernel accepts");
        assertTrue(report.strip().endsWith("%"), "the report ends with the overall agreement line");
        for (Map.Entry<Area, Double> e : MIN_AGREEMENT.entrySet()) {
            double got = r.tally().percent(e.getKey());
            assertTrue(got >= e.getValue(), e.getKey().label + " agreement " + got + " % < " + e.getValue() + " %:\n" + report);
        }
    }
}
