package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture made by Linux replayed through the same rules: in a namespace with {@code eth7}
 * (192.0.2.1/24) and {@code iptables -A INPUT -i eth7 -p tcp --dport 22 -j REJECT --reject-with
 * tcp-reset}, a peer namespace connects to port 22 while {@code tcpdump -i any} records (Linux
 * cooked v2: interface indexes, no names). The namespace's {@code ip -j} output is the host model.
 * Stockade must map the SLL2 index to eth7, reject the SYN with the same rule, and generate the
 * RST the kernel sent (same ports, ack = SYN seq + 1).
 */
@Tag("kernel")
class ReplayKernelTest {
    private static String sh(String cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void linuxCaptureReplaysToTheSameVerdict(@TempDir Path dir) throws Exception {
        boolean tools = Files.isExecutable(Path.of("/usr/bin/tcpdump")) || Files.isExecutable(Path.of("/usr/sbin/tcpdump"));
        if (!"root".equals(System.getProperty("user.name")) || !tools) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the replay kernel test must run, but it needs root and tcpdump");
            }
            Assumptions.abort("needs root (network namespaces) and tcpdump");
        }
        String a = "stk-rk-a" + ProcessHandle.current().pid();
        String b = "stk-rk-b" + ProcessHandle.current().pid();
        Path host = Files.createDirectories(dir.resolve("host"));
        Path cap = dir.resolve("cap.pcap");
        Process tcpdump = null;
        try {
            sh("ip netns add " + a + " && ip netns add " + b
                    + " && ip link add stkr1 netns " + a + " type veth peer name stkr2 netns " + b
                    + " && ip netns exec " + a + " sh -c 'ip link set lo up; ip link set stkr1 name eth7;"
                    + " ip addr add 192.0.2.1/24 dev eth7; ip link set eth7 up;"
                    + " iptables -A INPUT -i eth7 -p tcp --dport 22 -j REJECT --reject-with tcp-reset'"
                    + " && ip netns exec " + b + " sh -c 'ip link set lo up; ip addr add 192.0.2.9/24 dev stkr2; ip link set stkr2 up'"
                    + " && sleep 1");
            sh("ip netns exec " + a + " sh -c 'ip -j address show > " + host.resolve("address.json")
                    + "; ip -j route show table all > " + host.resolve("route.json") + "'");
            // veth packets carry offloaded (unfinished) checksums: the kernel never checks them.
            Files.writeString(host.resolve("host.conf"), "sysctl net.netfilter.nf_conntrack_checksum=0\n");
            tcpdump = new ProcessBuilder("ip", "netns", "exec", a, "tcpdump", "-i", "any", "-U", "-w", cap.toString(), "tcp")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump.log").toFile()).start();
            Thread.sleep(1500);
            sh("ip netns exec " + b + " bash -c 'echo > /dev/tcp/192.0.2.1/22' 2>/dev/null; sleep 1");
            tcpdump.destroy();
            tcpdump.waitFor(10, TimeUnit.SECONDS);
            Path rules = dir.resolve("rules");
            Files.writeString(rules, "*filter\n-A INPUT -i eth7 -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset\nCOMMIT\n");
            Path verdicts = dir.resolve("v.jsonl");
            Path out = dir.resolve("out.pcapng");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = ReplayCommand.run(List.of("--rules", rules.toString(), "--host", host.toString(), "--quiet",
                            "--verdicts", verdicts.toString(), "-o", out.toString(), cap.toString()),
                    dir.resolve("state"), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
            List<String> lines = Files.readAllLines(verdicts);
            assertTrue(lines.size() >= 2, "capture: SYN in, RST out; got " + lines);
            assertTrue(lines.get(0).startsWith("{\"packet\":1,\"verdict\":\"reject\",\"path\":\"INPUT\""), lines.get(0));
            assertTrue(lines.get(0).contains("\"rule\":\"filter:INPUT:1\""), lines.get(0));
            // The kernel's RST (captured, outbound) and Stockade's generated RST: same summary.
            String kernelRst = sh("tcpdump -nr " + cap + " 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null | sed 's/.* IP /IP /'").trim();
            String ours = sh("tcpdump -nr " + out + " 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null | sed 's/.* IP /IP /'").trim();
            assertTrue(kernelRst.contains("Flags [R.]"), kernelRst);
            assertEquals(kernelRst.lines().findFirst().orElse(""), ours.lines().findFirst().orElse("-"));
        } finally {
            if (tcpdump != null) {
                tcpdump.destroyForcibly();
            }
            sh("ip netns del " + a + "; ip netns del " + b);
        }
    }
}
