package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import java.io.IOException;
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
    static final Path DIR = Path.of("..", "shared", "conformance", "iptables-extensions");
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
    Stream<DynamicTest> vectors() throws IOException {
        assumeTrue(Files.isDirectory(DIR), "../shared/conformance/iptables-extensions is absent: vectors skipped");
        List<DynamicTest> tests = new ArrayList<>();
        for (String f : files()) {
            Path p = DIR.resolve(f + ".t");
            assertTrue(Files.exists(p), "missing vector file " + p);
            List<Family> families = f.startsWith("libipt_") ? List.of(Family.IPV4)
                    : f.startsWith("libip6t_") ? List.of(Family.IPV6) : List.of(Family.IPV4, Family.IPV6);
            int n = 0;
            List<Hook> chains = List.of(Hook.INPUT);
            for (String line : Files.readAllLines(p)) {
                n++;
                if (line.startsWith(":")) {
                    List<Hook> hs = new ArrayList<>();
                    for (String c : line.substring(1).split(",")) {
                        hs.add(Hook.valueOf(c.strip()));
                    }
                    chains = hs;
                    continue;
                }
                if (line.isBlank() || "#*@%".indexOf(line.charAt(0)) >= 0) {
                    continue;
                }
                List<Hook> hooks = chains;
                String[] fld = line.split(";", -1);
                String rule = fld[0];
                String save = fld[1].equals("=") ? rule : fld[1];
                boolean ok = fld[2].equals("OK");
                for (Family fam : families) {
                    String name = f + ":" + n + " " + fam + " " + rule;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        boolean anyFailed = false;
                        for (Hook hook : hooks) {
                            M2Harness.Result r = M2Harness.parse(fam, rule, hook);
                            assumeTrue(r != null, "rule uses parts the harness does not model");
                            if (ok) {
                                assertNotNull(r.save(), () -> hook + ": rejected: " + r.error());
                                assertEquals(save, r.save(), hook.toString());
                            } else if (r.save() == null) {
                                anyFailed = true;
                            }
                        }
                        if (!ok) {
                            assertTrue(anyFailed, "should fail on some chain");
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }
}
