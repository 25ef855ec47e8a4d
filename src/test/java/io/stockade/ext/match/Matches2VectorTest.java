package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.testing.UpstreamVectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the upstream {@code .t} vectors of the matches2 modules (read in place from
 * {@code ../shared/conformance/iptables-extensions}) through {@link M2Harness}: every line whose
 * rule consists only of {@code -p} and {@code -m} parts is checked (OK: the save text; FAIL: an
 * error from the parser or the kernel check). Lines using other rule parts are left to the CLI
 * vector runner.
 */
class Matches2VectorTest {
    static final String[] FILES = {
        "libxt_dscp", "libxt_tos", "libxt_ecn", "libipt_ah", "libip6t_ah", "libxt_esp", "libip6t_frag",
        "libip6t_ipv6header", "libip6t_rt", "libip6t_hbh", "libip6t_dst", "libip6t_mh",
        "libxt_ipcomp", "libip6t_eui64", "libxt_cpu", "libxt_cluster", "libxt_cgroup", "libxt_socket",
        "libxt_connlabel", "libipt_realm", "libxt_nfacct", "libxt_sctp", "libxt_dccp",
        "libxt_policy", "libipt_policy", "libip6t_policy", "libxt_ipvs", "libipt_ipvs", "libxt_physdev", "libip6t_srh", "libxt_u32", "libxt_bpf", "libipt_osf",
    };

    static List<String> files() {
        return List.of(FILES);
    }

    @TestFactory
    Stream<DynamicTest> vectors() {
        UpstreamVectors.assumePresent();
        List<DynamicTest> tests = new ArrayList<>();
        for (String f : files()) {
            Path p = UpstreamVectors.DIR.resolve(f + ".t");
            assertTrue(Files.exists(p), "missing vector file " + p);
        }
        for (UpstreamVectors.Case c : UpstreamVectors.cases(files())) {
            UpstreamVectors.Rule r = c.rule();
            List<Hook> hooks = r.chains().isEmpty() ? List.of(Hook.INPUT)
                    : r.chains().stream().map(Hook::valueOf).toList();
            String rule = r.rule();
            String save = r.save();
            boolean ok = r.result().equals("OK");
            Family fam = c.family();
            String name = c.file().substring(0, c.file().length() - 2) + ":" + r.line() + " " + fam + " " + rule;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                boolean anyFailed = false;
                for (Hook hook : hooks) {
                    M2Harness.Result res = M2Harness.parse(fam, rule, hook);
                    assumeTrue(res != null, "rule uses parts the harness does not model");
                    if (ok) {
                        assertNotNull(res.save(), () -> hook + ": rejected: " + res.error());
                        assertEquals(save, res.save(), hook.toString());
                    } else if (res.save() == null) {
                        anyFailed = true;
                    }
                }
                if (!ok) {
                    assertTrue(anyFailed, "should fail on some chain");
                }
            }));
        }
        return tests.stream();
    }
}
