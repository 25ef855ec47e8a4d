package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private static String run(String stdin, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + List.of(cmd));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + List.of(cmd) + "\n" + out);
        }
        return out;
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
        String tag = Long.toString(ProcessHandle.current().pid() % 100000) + (c.family().version == 6 ? "b" : "a");
        String nsA = "s1trA" + tag;
        String nsB = "s1trB" + tag;
        String ifA = "tra" + tag;
        String ifB = "trb" + tag;
        String nsC = "s1trC" + tag;
        String ifC = "trc" + tag;
        String ifD = "trd" + tag;
        String before = Files.readString(ALL_NETNS).strip();
        try {
            run("", "ip", "netns", "add", nsA);
            run("", "ip", "netns", "add", nsB);
            run("", "ip", "netns", "add", nsC);
            run("", "ip", "netns", "exec", nsC, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            run("", "ip", "netns", "exec", nsB, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
            run("", "ip", "netns", "exec", nsA, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            run("", "ip", "netns", "exec", nsB, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                    "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.default.router_solicitations=0");
            run("", "ip", "link", "add", ifA, "netns", nsA, "address", "02:77:00:00:00:01", "type", "veth",
                    "peer", "name", ifB, "netns", nsB, "address", "02:77:00:00:00:02");
            run("", "ip", "link", "add", ifD, "netns", nsC, "address", "02:78:00:00:00:02", "type", "veth",
                    "peer", "name", ifC, "netns", nsB, "address", "02:78:00:00:00:01");
            run("", "ip", "-n", nsB, "addr", "add", "10.78.0.1/24", "dev", ifC);
            run("", "ip", "-n", nsB, "addr", "add", "fd78::1/64", "dev", ifC, "nodad");
            run("", "ip", "-n", nsC, "link", "set", ifD, "up");
            run("", "ip", "-n", nsB, "link", "set", ifC, "up");
            run("", "ip", "-n", nsB, "neigh", "replace", "10.78.0.2", "lladdr", "02:78:00:00:00:02", "dev", ifC, "nud", "permanent");
            run("", "ip", "-n", nsB, "neigh", "replace", "fd78::2", "lladdr", "02:78:00:00:00:02", "dev", ifC, "nud", "permanent");
            run("", "ip", "-n", nsB, "addr", "add", "10.77.0.2/24", "dev", ifB);
            run("", "ip", "-n", nsB, "addr", "add", "fd77::2/64", "dev", ifB, "nodad");
            run("", "ip", "-n", nsA, "link", "set", ifA, "up");
            run("", "ip", "-n", nsB, "link", "set", ifB, "up");
            run("", "ip", "-n", nsB, "neigh", "replace", "10.77.0.1", "lladdr", "02:77:00:00:00:01", "dev", ifB, "nud", "permanent");
            run("", "ip", "-n", nsB, "neigh", "replace", "fd77::1", "lladdr", "02:77:00:00:00:01", "dev", ifB, "nud", "permanent");
            run(c.rules(), "ip", "netns", "exec", nsB, c.family().version == 6 ? "ip6tables-legacy-restore" : "iptables-legacy-restore");
            Files.writeString(ALL_NETNS, "1");
            List<List<String>> stockade = TraceRulesets.offline(c, ifB);
            int traced = 0;
            try (Kmsg kmsg = new Kmsg()) {
                for (int k = 0; k < c.packets().size(); k++) {
                    byte[] frame = TraceRulesets.frame(c, k);
                    run("", "ip", "netns", "exec", nsA, "python3", "-c",
                            "import socket,sys; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((sys.argv[1], 0));"
                                    + " s.send(bytes.fromhex(sys.argv[2]))", ifA, HexFormat.of().formatHex(frame));
                    List<String> kernel = new ArrayList<>();
                    long deadline = System.nanoTime() + (stockade.get(k).isEmpty() ? 300_000_000L : 2_000_000_000L);
                    boolean settled = false;
                    while (!settled) {
                        settled = System.nanoTime() > deadline || (!stockade.get(k).isEmpty() && kernel.size() >= stockade.get(k).size());
                        if (settled) {
                            Thread.sleep(100);
                        }
                        for (String rec : kmsg.drain()) {
                            if (rec.contains("TRACE: ") && (rec.contains("=" + ifB + " ") || rec.contains("=" + ifC + " "))) {
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
            for (String ns : List.of(nsA, nsB, nsC)) {
                try {
                    run("", "ip", "netns", "del", ns);
                } catch (IOException e) {
                    // not created
                }
            }
        }
    }
}
