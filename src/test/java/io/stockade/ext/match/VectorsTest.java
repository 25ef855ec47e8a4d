package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.TableKind;
import io.stockade.rules.ParameterProblem;
import io.stockade.testing.UpstreamVectors;
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
    Stream<DynamicTest> vectors() {
        List<DynamicTest> tests = new ArrayList<>();
        for (UpstreamVectors.Case c : UpstreamVectors.cases(files())) {
            UpstreamVectors.Rule r = c.rule();
            int hooks = 0x1f;
            if (!r.chains().isEmpty()) {
                hooks = 0;
                for (String chain : r.chains()) {
                    hooks |= Hook.byChainName(chain).bit();
                }
            }
            TableKind table = r.table() == null ? TableKind.FILTER
                    : TableKind.valueOf(r.table().toUpperCase(java.util.Locale.ROOT));
            String name = c.file() + ":" + r.line() + " " + c.family() + " " + r.rule();
            for (int h = 0; h < 5; h++) {
                if ((hooks & (1 << h)) != 0) {
                    int hookMask = 1 << h;
                    tests.add(DynamicTest.dynamicTest(name + " [" + Hook.of(h) + "]",
                            () -> judge(r.fields(), c.family(), table, hookMask)));
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
