package io.stockade.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.packet.PacketBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MASQUERADE's address choice and an exhausted SNAT port range, against Linux: a gateway namespace
 * with three addresses on ppp0 (100.64.0.2/24 first, 198.51.100.2/24 with the default gateway's
 * subnet, 198.51.100.3/24 a secondary) forwards UDP from three LAN addresses; the kernel's
 * {@code conntrack -L} reply tuples and insert failures must be Stockade's.
 */
@Tag("kernel")
class KernelMasqueradeTest {
    private static final String RULES = """
            *nat
            -A POSTROUTING -o ppp0 -p udp --dport 53 -j MASQUERADE --to-ports 3000
            -A POSTROUTING -o ppp0 -p udp --dport 54 -j SNAT --to-source 198.51.100.10:2000-2001
            COMMIT
            """;
    private static final String HOST = """
            iface eth0 192.168.0.1/24
            iface ppp0 100.64.0.2/24 198.51.100.2/24 198.51.100.3/24
            route default via 198.51.100.1 dev ppp0
            sysctl net.ipv4.ip_forward=1
            """;
    /** Flows sent from the LAN, in this order: source address, destination, destination port. */
    private static final String[][] FLOWS = {
            {"192.168.0.10", "203.0.113.1", "53"},
            {"192.168.0.10", "100.64.0.9", "53"},
            {"192.168.0.10", "203.0.113.1", "54"},
            {"192.168.0.11", "203.0.113.1", "54"},
            {"192.168.0.12", "203.0.113.1", "54"},
    };

    private static boolean root() {
        try {
            Process p = new ProcessBuilder("id", "-u").start();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().equals("0")
                    && p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void requireRoot() {
        boolean root = root();
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true: kernel comparison tests need root and network namespaces");
        }
        assumeTrue(root, "needs root and network namespaces (ip netns); skipped");
    }

    /** "src dport → reply dst:port" for every entry, sorted; plus the insert_failed count. */
    private static String summary(String conntrackL, int insertFailed) {
        TreeSet<String> rows = new TreeSet<>();
        Pattern p = Pattern.compile("src=(\\S+) dst=(\\S+) sport=5000 dport=(\\d+) .*src=\\S+ dst=(\\S+) sport=\\d+ dport=(\\d+)");
        for (String line : conntrackL.split("\n")) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                String port = m.group(3).equals("54") ? "2000-2001" : m.group(5);
                if (m.group(3).equals("54") && !(m.group(5).equals("2000") || m.group(5).equals("2001"))) {
                    port = "outside:" + m.group(5);
                }
                rows.add(m.group(1) + ">" + m.group(2) + ":" + m.group(3) + " as " + m.group(4) + ":" + port);
            }
        }
        return String.join("\n", rows) + "\ninsert_failed=" + insertFailed;
    }

    private static String sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + script);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String kernel() throws Exception {
        String n = "nm" + ProcessHandle.current().pid();
        String lan = n + "l", gw = n + "g", wan = n + "w";
        StringBuilder s = new StringBuilder("set -e\n");
        for (String ns : List.of(lan, gw, wan)) {
            s.append("ip netns add ").append(ns).append(" && ip -n ").append(ns).append(" link set lo up\n");
        }
        s.append("ip link add ").append(n).append("a type veth peer name ").append(n).append("b\n")
                .append("ip link set ").append(n).append("a netns ").append(lan).append(" name eth0\n")
                .append("ip link set ").append(n).append("b netns ").append(gw).append(" name eth0\n")
                .append("ip link add ").append(n).append("c type veth peer name ").append(n).append("d\n")
                .append("ip link set ").append(n).append("c netns ").append(gw).append(" name ppp0\n")
                .append("ip link set ").append(n).append("d netns ").append(wan).append(" name eth0\n");
        for (String a : List.of("10", "11", "12")) {
            s.append("ip -n ").append(lan).append(" addr add 192.168.0.").append(a).append("/24 dev eth0\n");
        }
        s.append("ip -n ").append(gw).append(" addr add 192.168.0.1/24 dev eth0\n");
        for (String a : List.of("100.64.0.2/24", "198.51.100.2/24", "198.51.100.3/24")) {
            s.append("ip -n ").append(gw).append(" addr add ").append(a).append(" dev ppp0\n");
        }
        for (String a : List.of("198.51.100.1/24", "203.0.113.1/32", "100.64.0.9/24")) {
            s.append("ip -n ").append(wan).append(" addr add ").append(a).append(" dev eth0\n");
        }
        s.append("for x in ").append(lan).append(' ').append(gw).append(' ').append(wan)
                .append("; do ip -n $x link set eth0 up; done\nip -n ").append(gw).append(" link set ppp0 up\n")
                .append("ip -n ").append(lan).append(" route add default via 192.168.0.1\n")
                .append("ip -n ").append(gw).append(" route add default via 198.51.100.1\n")
                .append("ip -n ").append(wan).append(" route add 192.168.0.0/24 via 198.51.100.2\n")
                .append("ip netns exec ").append(gw).append(" sysctl -qw net.ipv4.ip_forward=1\n")
                .append("printf '%s' '").append(RULES).append("' | ip netns exec ").append(gw).append(" iptables-restore\n");
        for (String[] f : FLOWS) {
            s.append("ip netns exec ").append(lan).append(" python3 -c \"import socket; s=socket.socket(socket.AF_INET,"
                    + " socket.SOCK_DGRAM); s.bind(('").append(f[0]).append("', 5000)); s.sendto(b'x' * 9, ('")
                    .append(f[1]).append("', ").append(f[2]).append("))\"\n");
        }
        s.append("sleep 0.5\necho ===CT\nip netns exec ").append(gw).append(" conntrack -L -p udp 2>/dev/null\n")
                .append("echo ===STATS\nip netns exec ").append(gw).append(" conntrack -S 2>/dev/null\n");
        Path script = Files.createTempFile("natlab", ".sh");
        try {
            Files.writeString(script, s.toString());
            String out = sh("bash " + script);
            if (!out.contains("===STATS")) {
                throw new IOException("namespace lab failed:\n" + out);
            }
            String ct = out.substring(out.indexOf("===CT") + 5, out.indexOf("===STATS"));
            int failed = 0;
            Matcher m = Pattern.compile("insert_failed=(\\d+)").matcher(out.substring(out.indexOf("===STATS")));
            while (m.find()) {
                failed += Integer.parseInt(m.group(1));
            }
            return summary(ct, failed);
        } finally {
            sh("for x in " + lan + " " + gw + " " + wan + "; do ip netns del $x 2>/dev/null; done; true");
            Files.deleteIfExists(script);
        }
    }

    private static String stockade() throws Exception {
        Gateway g = new Gateway(RULES, "", HOST);
        int failed = 0;
        for (String[] f : FLOWS) {
            String v = g.receive("eth0", PacketBuilder.ipv4(f[0], f[1]).udp(5000, Integer.parseInt(f[2])).payload(9));
            if (v.equals("drop")) {
                failed++;
            }
        }
        List<String> lines = new ArrayList<>();
        for (io.stockade.conntrack.Conn c : g.conntrack.entries(g.now)) {
            lines.add(io.stockade.conntrack.ConntrackFormat.line(c, g.now, false));
        }
        return summary(String.join("\n", lines), failed);
    }

    @Test
    void masqueradeAddressAndExhaustedSnatRangeMatchLinux() throws Exception {
        requireRoot();
        String kernel = kernel();
        System.out.println("kernel:\n" + kernel);
        assertEquals(5 - 1, kernel.split("\n").length - 1, "the kernel run binds four flows:\n" + kernel);
        assertEquals(kernel, stockade());
    }
}
