package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TRACE target's lines byte for byte against Linux: the {@link TraceRulesets} loaded with
 * iptables-legacy / ip6tables-legacy (whose ipt_do_table writes the trace lines to the kernel log)
 * in a throwaway namespace (which forwards to a third one), each packet put on its veth wire as an
 * Ethernet frame from a second namespace, the kernel's {@code TRACE:} records read from /dev/kmsg ({@link Kmsg}; needs the
 * global sysctl net.netfilter.nf_log_all_netns=1, set for the test and restored after), and the
 * same frames through the offline engine: the two lists of lines, level included, must be equal.
 * Needs root; skips elsewhere, fails under {@code CI=true}.
 */
@Tag("kernel")
class TraceKernelTest {
    private static final Path ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");

    static Stream<TraceRulesets.Case> cases() {
        return TraceRulesets.all().stream();
    }

    private static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root";
        }
        for (String tool : List.of("/usr/sbin/iptables-legacy-restore", "/usr/sbin/ip6tables-legacy-restore", "/usr/bin/python3")) {
            if (!Files.isExecutable(Path.of(tool)) && !Files.isExecutable(Path.of(tool.replace("/usr/sbin/", "/sbin/")))) {
                return "needs " + tool;
            }
        }
        if (!Files.isWritable(ALL_NETNS)) {
            return "needs " + ALL_NETNS;
        }
        return null;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theKernelWritesTheSameTraceLines(TraceRulesets.Case c) throws Exception {
        String why = unavailable();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the TRACE kernel test must run, but it " + why);
            }
            assumeTrue(false, "TRACE kernel test skipped: it " + why);
        }
        String tag = Long.toString(ProcessHandle.current().pid() % 100000) + c.name().hashCode() % 10;
        String before = Files.readString(ALL_NETNS).strip();
        try (TraceLab lab = new TraceLab(tag.replace("-", ""))) {
            String ifB = lab.ifB;
            String ifC = lab.ifC;
            lab.inB(c.rules(), c.family().version == 6 ? "ip6tables-legacy-restore" : "iptables-legacy-restore");
            Files.writeString(ALL_NETNS, "1");
            List<List<String>> stockade = TraceRulesets.offline(c, ifB);
            int traced = 0;
            try (Kmsg kmsg = new Kmsg()) {
                for (int k = 0; k < c.packets().size(); k++) {
                    if (TraceRulesets.local(c, k)) {
                        lab.sendFromB(TraceRulesets.frame(c, k));
                    } else {
                        lab.send(TraceRulesets.frame(c, k));
                    }
                    List<String> kernel = new ArrayList<>();
                    long deadline = System.nanoTime() + (stockade.get(k).isEmpty() ? 300_000_000L : 2_000_000_000L);
                    boolean settled = false;
                    while (!settled) {
                        settled = System.nanoTime() > deadline || (!stockade.get(k).isEmpty() && kernel.size() >= stockade.get(k).size());
                        if (settled) {
                            Thread.sleep(100);
                        }
                        for (String rec : kmsg.drain()) {
                            if (rec.contains("TRACE: ") && (rec.contains("=" + ifB + " ") || rec.contains("=" + ifC + " ")
                                    || (rec.contains(" IN=lo ") || rec.contains(" OUT=lo ")) && (rec.contains("=10.77.0.") || rec.contains("=fd77:")))) {
                                kernel.add(rec);
                            }
                        }
                        Thread.sleep(20);
                    }
                    traced += kernel.size();
                    assertEquals(String.join("\n", kernel), String.join("\n", stockade.get(k)),
                            c.name() + " packet " + k + ": " + c.packets().get(k));
                }
            }
            assertTrue(traced > 0, "the kernel traced something");
        } finally {
            Files.writeString(ALL_NETNS, before);
        }
    }
}
