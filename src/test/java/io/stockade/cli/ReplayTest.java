package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stockade replay} and {@code trace} end to end, asserting on the verdict JSON lines. */
class ReplayTest {
    private static final Path RULES = Path.of("examples/single-machine.rules");
    private static final Path HOST = Path.of("examples/host");

    /** Expected per packet of the example capture: verdict, path, ctstate, rule. */
    private static final String[][] EXPECTED = {
            {"accept", "INPUT", "NEW", "filter:INPUT:4"},          // ping
            {"accept", "OUTPUT", "ESTABLISHED", "filter:OUTPUT:policy"},
            {"accept", "INPUT", "ESTABLISHED", "filter:INPUT:1"},
            {"accept", "OUTPUT", "ESTABLISHED", "filter:OUTPUT:policy"},
            {"accept", "INPUT", "NEW", "filter:TCP:1"},            // SSH SYN
            {"accept", "OUTPUT", "ESTABLISHED", "filter:OUTPUT:policy"},
            {"accept", "INPUT", "ESTABLISHED", "filter:INPUT:1"},
            {"accept", "INPUT", "ESTABLISHED", "filter:INPUT:1"},
            {"accept", "OUTPUT", "ESTABLISHED", "filter:OUTPUT:policy"},
            {"accept", "INPUT", "ESTABLISHED", "filter:INPUT:1"},
            {"accept", "OUTPUT", "ESTABLISHED", "filter:OUTPUT:policy"},
            {"accept", "INPUT", "ESTABLISHED", "filter:INPUT:1"},
            {"reject", "INPUT", "NEW", "filter:INPUT:8"},          // closed port 23
            {"reject", "INPUT", "NEW", "filter:INPUT:7"},          // UDP probe
            {"reject", "INPUT", "NEW", "filter:INPUT:8"},          // scan
            {"accept", "INPUT", "NEW", "filter:TCP:1"},
            {"reject", "INPUT", "NEW", "filter:INPUT:8"},
            {"reject", "INPUT", "NEW", "filter:INPUT:8"},
            {"reject", "INPUT", "NEW", "filter:INPUT:8"},
            {"reject", "INPUT", "NEW", "filter:INPUT:8"},
            {"drop", "INPUT", "INVALID", "filter:INPUT:3"},        // SYN+FIN
            {"drop", "INPUT", "INVALID", "filter:INPUT:3"},        // bad checksum
            {"accept", "INPUT", "NEW", "filter:INPUT:policy"},     // IPv6 ping, no ip6tables rules
            {"accept", "OUTPUT", "ESTABLISHED", "filter:OUTPUT:policy"},
    };

    @Test
    void exampleCaptureIsDeterministicAndCommitted(@TempDir Path dir) throws Exception {
        Path fresh = dir.resolve("example.pcapng");
        ExampleCapture.write(fresh);
        assertArrayEquals(Files.readAllBytes(Path.of("examples/example.pcapng")), Files.readAllBytes(fresh),
                "examples/example.pcapng is what ExampleCapture generates");
    }

    @Test
    void verdictLinesForTheExampleCapture(@TempDir Path dir) throws Exception {
        Path verdicts = dir.resolve("v.jsonl");
        Path pcap = dir.resolve("out.pcapng");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ReplayCommand.run(List.of("--rules", RULES.toString(), "--host", HOST.toString(), "-o", pcap.toString(),
                        "--verdicts", verdicts.toString(), "examples/example.pcapng"), dir.resolve("none.state"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        List<String> lines = Files.readAllLines(verdicts);
        assertEquals(EXPECTED.length, lines.size());
        for (int i = 0; i < EXPECTED.length; i++) {
            String[] e = EXPECTED[i];
            String l = lines.get(i);
            String where = "packet " + (i + 1) + ": " + l;
            assertTrue(l.startsWith("{\"packet\":" + (i + 1) + ",\"verdict\":\"" + e[0] + "\",\"path\":\"" + e[1] + "\""), where);
            assertTrue(l.contains("\"ctstate\":\"" + e[2] + "\""), where);
            assertTrue(l.contains("\"rule\":\"" + e[3] + "\""), where);
            assertTrue(e[1].equals("OUTPUT") ? l.contains("\"out\":\"eth0\"") : l.contains("\"out\":null"), where);
        }
        String listing = out.toString(StandardCharsets.UTF_8);
        assertTrue(listing.contains("# iptables -t filter -nvL"), listing);
        assertTrue(listing.contains("Chain INPUT (policy DROP 0 packets, 0 bytes)"), listing);
        assertTrue(listing.matches("(?s).*\\n +6 +264 REJECT .*reject-with tcp-reset.*"), listing);
        assertTrue(listing.contains("Drops not decided by a rule: none"), listing);
        // The output capture: 9 local deliveries, 6 sent, 7 generated replies; readable back.
        int n = 0;
        int generated = 0;
        try (var r = io.stockade.io.CaptureReader.open(pcap)) {
            while (r.next()) {
                n++;
                if ("eth0".equals(r.interfaceName()) && r.direction() == io.stockade.io.CaptureReader.DIRECTION_OUTBOUND) {
                    generated++;
                }
            }
        }
        assertEquals(22, n);
        assertEquals(13, generated, "6 sent by the host + 7 generated replies leave eth0");
    }

    @Test
    void traceShowsEstablishedOnTheSecondPacket(@TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = TraceCommand.run(List.of("--rules", RULES.toString(), "--host", HOST.toString(), "--json",
                        "in eth0 icmp 198.51.100.10 > 192.0.2.1 echo-request id 7 seq 1",
                        "out eth0 icmp 192.0.2.1 > 198.51.100.10 echo-reply id 7 seq 1",
                        "in eth0 icmp 198.51.100.10 > 192.0.2.1 echo-request id 7 seq 2",
                        "in eth0 tcp 198.51.100.10:40000 > 192.0.2.1:23 syn"),
                dir.resolve("none.state"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, rc);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size());
        assertTrue(lines.get(0).contains("\"verdict\":\"accept\",\"path\":\"INPUT\",\"out\":null,\"ctstate\":\"NEW\",\"rule\":\"filter:INPUT:4\""), lines.get(0));
        assertTrue(lines.get(0).contains("{\"step\":\"rule\",\"table\":\"filter\",\"chain\":\"INPUT\",\"rule\":1,"
                + "\"spec\":\"-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\",\"matched\":false,\"failedMatch\":\"conntrack\"}"), lines.get(0));
        assertTrue(lines.get(2).contains("\"ctstate\":\"ESTABLISHED\",\"rule\":\"filter:INPUT:1\""), lines.get(2));
        assertTrue(lines.get(3).contains("\"verdict\":\"reject\""), lines.get(3));
        assertTrue(lines.get(3).contains("\"emitted\":[\"eth0 IP 192.0.2.1.23 > 198.51.100.10.40000: Flags [R.]"), lines.get(3));
    }

    @Test
    void traceTakesAPacketFromACapture(@TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = TraceCommand.run(List.of("--rules", RULES.toString(), "--host", HOST.toString(),
                        "--pcap", "examples/example.pcapng", "--index", "21"),
                dir.resolve("none.state"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, rc);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("packet 1: in eth0 IP 203.0.113.66.61001 > 192.0.2.1.22: Flags [FS]"), text);
        assertTrue(text.contains("INPUT #3 -A INPUT -m conntrack --ctstate INVALID -j DROP  → match"), text);
        assertTrue(text.contains("verdict: DROP, path INPUT, rule filter:INPUT:3, ctstate INVALID"), text);
    }

    @Test
    void badArgumentsAreReported(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, TraceCommand.run(List.of("in eth0 tcp 1.2.3.4:1 > 5.6.7.8"), dir.resolve("s"), System.out, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("stockade trace: packet 1: "), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, ReplayCommand.run(List.of("--rules", "no/such/file", "x.pcap"), dir.resolve("s"), System.out, e));
        assertEquals("stockade replay: no/such/file: cannot read the rules file\n", err.toString(StandardCharsets.UTF_8));
    }
}
