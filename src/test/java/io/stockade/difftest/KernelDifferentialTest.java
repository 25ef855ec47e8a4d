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
     * Areas whose agreement is asserted, with the minimum in percent. Measured on 2026-11-23 at the
     * end of the day: 100.0 % in every area (500 cases; earlier the same day 69 %, before NAT,
     * defrag, the REJECT-confirm fix and the IPv6 fragment-id normalisation). The floors leave two
     * points for the kernel's own timing (rate limits, timeouts) — the kernel repeated against
     * itself agreed 100 % on every seed tried, so a drop below them is a Stockade regression.
     * Since the second session of 2026-11-23 the comparison also covers LOG lines, xtables-monitor
     * trace lines, the deciding rule from the trace, source NAT's random choices and SCTP
     * (100.0 % in every area, 500 cases).
     */
    static final Map<Area, Double> MIN_AGREEMENT = Map.of(
            Area.FILTER, 98.0, Area.CONNTRACK, 98.0, Area.REJECT, 98.0, Area.LOG, 98.0,
            Area.LIMIT_RECENT, 98.0, Area.IPV6, 98.0, Area.NAT, 98.0, Area.SCTP, 98.0, Area.DCCP_UDPLITE, 98.0, Area.SET, 98.0);

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
        assertTrue(r.tally().logLines() > 0, "the kernel must have written LOG lines to compare:\n" + report);
        assertTrue(r.tally().traced() > 0, "the kernel's trace must have decided packets:\n" + report);
        for (Map.Entry<Area, Double> e : MIN_AGREEMENT.entrySet()) {
            double got = r.tally().percent(e.getKey());
            assertTrue(got >= e.getValue(), e.getKey().label + " agreement " + got + " % < " + e.getValue() + " %:\n" + report);
        }
    }
}
