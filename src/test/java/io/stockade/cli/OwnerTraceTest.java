package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stockade trace} with a socket owner on locally generated packets ({@code uid}, {@code gid},
 * {@code groups}): owner {@code --gid-owner} sees the fsgid, and with {@code --suppl-groups} the
 * supplementary groups; a fwmark rule in the host model steers a packet MARKed in mangle OUTPUT,
 * and the trace names the policy rule that chose each route.
 */
class OwnerTraceTest {
    /** The host model: two uplinks, table 7 via eth1 chosen by fwmark 1/0xff. */
    private static final String HOST = """
            iface eth0 192.0.2.1/24
            iface eth1 198.51.100.1/24
            route default via 192.0.2.254 dev eth0
            route default via 198.51.100.254 dev eth1 table 7
            rule pref 1000 fwmark 1/0xff lookup 7
            """;

    /** Runs {@code stockade trace} with these rules and host.conf (files in {@code dir}) on {@code args}; asserts exit 0, returns stdout. */
    private static String trace(Path dir, String rulesText, String hostConf, String... args) throws Exception {
        Path rules = dir.resolve("rules");
        Files.writeString(rules, rulesText);
        Path host = Files.createDirectory(dir.resolve("host"));
        Files.writeString(host.resolve("host.conf"), hostConf);
        List<String> argv = new ArrayList<>(List.of("--rules", rules.toString(), "--host", host.toString()));
        argv.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = TraceCommand.run(argv, dir.resolve("none.state"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, rc);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void supplementaryGroupsAndMarkRouting(@TempDir Path dir) throws Exception {
        String text = trace(dir, """
                *mangle
                -A OUTPUT -m owner --uid-owner 1000 -j MARK --set-mark 1
                COMMIT
                *filter
                -A OUTPUT -m owner --gid-owner 27 --suppl-groups -j ACCEPT
                -A OUTPUT -m owner --gid-owner 27 -j REJECT
                -A OUTPUT -m owner --socket-exists -j DROP
                COMMIT
                """, HOST.replace("fwmark 1/0xff", "fwmark 1"), "--json",
                "out eth0 udp 192.0.2.1:5000 > 203.0.113.9:53 uid 1000 gid 1000 groups 4,27",
                "out eth0 udp 192.0.2.1:5000 > 203.0.113.9:53 uid 1001 gid 1001 groups 4,26",
                "out eth0 udp 192.0.2.1:5000 > 203.0.113.9:53 uid 1001 gid 27",
                "out eth0 udp 192.0.2.1:5000 > 203.0.113.9:53");
        List<String> lines = text.lines().toList();
        assertEquals(4, lines.size());
        assertTrue(lines.get(0).contains("\"verdict\":\"accept\",\"path\":\"OUTPUT\",\"out\":\"eth1\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"rule\":\"filter:OUTPUT:1\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"verdict\":\"drop\",\"path\":\"OUTPUT\",\"out\":\"eth0\""), lines.get(1));
        assertTrue(lines.get(1).contains("\"rule\":\"filter:OUTPUT:3\""), lines.get(1));
        assertTrue(lines.get(2).contains("\"rule\":\"filter:OUTPUT:1\""), "fsgid 27: " + lines.get(2));
        assertTrue(lines.get(3).contains("\"verdict\":\"accept\"") && lines.get(3).contains("\"rule\":\"filter:OUTPUT:policy\""),
                "no socket: " + lines.get(3));
    }

    @Test
    void traceNamesThePolicyRule(@TempDir Path dir) throws Exception {
        String text = trace(dir, "*mangle\n-A OUTPUT -p udp --dport 53 -j MARK --set-mark 0x101\nCOMMIT\n", HOST,
                "out eth0 udp 192.0.2.1:5000 > 203.0.113.9:53");
        assertTrue(text.contains("routing: policy rule 32766: from all lookup main (mark 0x0)"), text);
        assertTrue(text.contains("routing: policy rule 1000: from all fwmark 0x1/0xff lookup 7 (mark 0x101)"), text);
        assertTrue(text.contains("mangle OUTPUT changed the packet, rerouted via eth1"), text);
    }
}
