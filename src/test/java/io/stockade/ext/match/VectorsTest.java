package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.TableKind;
import io.stockade.rules.ParameterProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the upstream iptables {@code .t} vectors of this package's modules through
 * {@link Harness}: every OK line must parse, pass the kernel check and save exactly as the
 * vector says; every FAIL line must be refused. Lines that need parts of the command line the
 * harness does not model (-s, -j, …) are skipped with their reason. Reads the vectors in place
 * from {@code ../shared}; skips when absent.
 */
class VectorsTest {
    static final Path DIR = Path.of("..", "shared", "conformance", "iptables-extensions");

    static final List<String> FILES = List.of(
            "libxt_tcp.t", "libxt_udp.t", "libipt_icmp.t", "libip6t_icmp6.t", "libxt_multiport.t",
            "libxt_conntrack.t", "libipt_conntrack.t", "libip6t_conntrack.t", "libxt_state.t",
            "libxt_comment.t", "libxt_limit.t", "libxt_recent.t", "libipt_recent.t", "libip6t_recent.t",
            "libxt_hashlimit.t", "libxt_connlimit.t", "libipt_connlimit.t", "libip6t_connlimit.t",
            "libxt_mark.t", "libxt_connmark.t", "libxt_length.t", "libipt_ttl.t", "libip6t_hl.t", "libxt_pkttype.t",
            "libxt_mac.t", "libxt_iprange.t", "libipt_iprange.t", "libip6t_iprange.t", "libxt_tcpmss.t",
            "libxt_helper.t", "libxt_quota.t", "libxt_statistic.t", "libxt_connbytes.t", "libxt_rpfilter.t",
            "libxt_owner.t", "libxt_addrtype.t", "libxt_string.t", "libxt_time.t", "libxt_set.t");

    static List<String> files() {
        return FILES;
    }

    @TestFactory
    Stream<DynamicTest> vectors() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "../shared/conformance/iptables-extensions is absent");
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : files()) {
            List<Family> fams = file.startsWith("libxt_") ? List.of(Family.IPV4, Family.IPV6)
                    : file.startsWith("libip6t_") ? List.of(Family.IPV6) : List.of(Family.IPV4);
            int n = 0;
            int hooks = 0x1f;
            TableKind table = TableKind.FILTER;
            for (String line : Files.readAllLines(DIR.resolve(file))) {
                n++;
                if (line.startsWith(":")) {
                    hooks = 0;
                    for (String c : line.substring(1).split(",")) {
                        hooks |= Hook.byChainName(c.trim()).bit();
                    }
                    continue;
                }
                if (line.startsWith("*")) {
                    table = TableKind.valueOf(line.substring(1).trim().toUpperCase(java.util.Locale.ROOT));
                    continue;
                }
                if (line.isBlank() || line.startsWith("#") || line.startsWith("@") || line.startsWith("%")) {
                    continue;
                }
                String[] f = line.split(";", -1);
                for (Family fam : fams) {
                    String name = file + ":" + n + " " + fam + " " + f[0];
                    for (int h = 0; h < 5; h++) {
                        if ((hooks & (1 << h)) != 0) {
                            int hookMask = 1 << h;
                            TableKind t = table;
                            tests.add(DynamicTest.dynamicTest(name + " [" + Hook.of(h) + "]", () -> judge(f, fam, t, hookMask)));
                        }
                    }
                }
            }
        }
        return tests.stream();
    }

    static void judge(String[] f, Family fam, TableKind table, int hookMask) {
        String rule = f[0];
        String expect = f[1].equals("=") ? rule : f[1];
        boolean ok = f[2].equals("OK");
        try {
            Harness.Result r = Harness.run(rule, fam, table, hookMask);
            if (!ok) {
                fail("accepted, expected FAIL; saved as: " + r.save());
            }
            assertEquals(expect, r.save());
        } catch (ParameterProblem e) {
            if (ok) {
                fail("refused (" + e.getMessage() + "), expected OK");
            }
        } catch (Harness.Unsupported e) {
            Assumptions.abort("harness does not model " + e.getMessage());
        }
    }
}
