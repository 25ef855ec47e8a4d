package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code stockade trace --ipsets FILE}: sets from ipset save text, written by SET and read by the set match. */
class IpsetsOptionTest {
    @Test
    void traceWithIpsets() throws Exception {
        Path dir = Files.createTempDirectory("stockade-ipsets");
        Path sets = dir.resolve("sets.save");
        Files.writeString(sets, "create io_knock hash:ip family inet hashsize 1024 maxelem 65536 timeout 30\n");
        Path rules = dir.resolve("rules");
        Files.writeString(rules, """
                *filter
                -A INPUT -p tcp -m tcp --dport 22 -m set --match-set io_knock src -j ACCEPT
                -A INPUT -p udp -m udp --dport 7000 -j SET --add-set io_knock src
                -A INPUT -j DROP
                COMMIT
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = TraceCommand.run(List.of("--ipsets", sets.toString(), "--rules", rules.toString(),
                "in eth0 tcp 192.0.2.9:40000 > 192.0.2.1:22 syn",
                "in eth0 udp 192.0.2.9:5000 > 192.0.2.1:7000",
                "in eth0 tcp 192.0.2.9:40001 > 192.0.2.1:22 syn"), null,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        List<String> verdicts = text.lines().map(String::trim).filter(l -> l.startsWith("verdict:")).toList();
        // the first SYN is dropped, the knock adds the source, the second SYN is accepted by rule 1
        assertEquals(List.of("verdict: DROP, path INPUT, rule filter:INPUT:3, ctstate NEW",
                "verdict: DROP, path INPUT, rule filter:INPUT:3, ctstate NEW",
                "verdict: ACCEPT, path INPUT, rule filter:INPUT:1, ctstate NEW"), verdicts, text);
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        int bad = TraceCommand.run(List.of("--ipsets", dir.resolve("missing").toString(), "in eth0 udp 1.2.3.4:1 > 192.0.2.1:2"),
                null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err2, true, StandardCharsets.UTF_8));
        assertEquals(2, bad);
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("cannot read the ipset file"));
    }
}
