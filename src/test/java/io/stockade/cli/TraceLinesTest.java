package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.rules.Family;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The TRACE target's kernel log lines from the offline engine. The expected prefixes and fields
 * are what Linux 6.18 with iptables-legacy wrote for the same frames ({@link TraceKernelTest}
 * compares whole lines against the live kernel; these keep the numbering rules under test where
 * no kernel is at hand).
 */
class TraceLinesTest {
    private static final String IF = "trb1";

    private static List<String> prefixes(List<String> lines) {
        return lines.stream().map(l -> l.substring(0, l.indexOf(" IN="))).toList();
    }

    @Test
    void jumpReturnAndPolicyAreNumberedAsTheKernelDoes() throws Exception {
        TraceRulesets.Case v4 = TraceRulesets.all().get(1);
        List<List<String>> lines = TraceRulesets.offline(v4, IF);
        // the echo request: the TRACE rule itself is not traced; Y's tail is "return:3"; M's
        // unconditional -j RETURN is named like a tail ("return:2")
        assertEquals(List.of(
                "<4>TRACE: raw:PREROUTING:policy:3",
                "<4>TRACE: mangle:PREROUTING:rule:1",
                "<4>TRACE: mangle:M:return:2",
                "<4>TRACE: mangle:PREROUTING:policy:2",
                "<4>TRACE: nat:PREROUTING:policy:2",
                "<4>TRACE: mangle:INPUT:policy:1",
                "<4>TRACE: filter:INPUT:rule:2",
                "<4>TRACE: filter:X:rule:1",
                "<4>TRACE: filter:Y:return:3",
                "<4>TRACE: filter:X:return:4",
                "<4>TRACE: filter:INPUT:rule:3",
                "<4>TRACE: security:INPUT:policy:2",
                "<4>TRACE: nat:INPUT:policy:1"), prefixes(lines.get(0)));
        // goto: Y's end returns to INPUT, not to X
        assertEquals(List.of(
                "<4>TRACE: filter:INPUT:rule:2",
                "<4>TRACE: filter:X:rule:1",
                "<4>TRACE: filter:Y:return:3",
                "<4>TRACE: filter:X:rule:3",
                "<4>TRACE: filter:Y:return:3",
                "<4>TRACE: filter:INPUT:policy:5"),
                prefixes(lines.get(5)).subList(6, 12));
        // a DROP in a user chain ends the trace there
        List<String> drop = prefixes(lines.get(4));
        assertEquals("<4>TRACE: filter:X:rule:2", drop.get(drop.size() - 1));
    }

    @Test
    void theFieldsAreTheLogTargetsWithTheTraceFlags() throws Exception {
        TraceRulesets.Case v4 = TraceRulesets.all().get(1);
        List<List<String>> lines = TraceRulesets.offline(v4, IF);
        assertEquals("<4>TRACE: raw:PREROUTING:policy:3 IN=trb1 OUT= MAC=02:77:00:00:00:02:02:77:00:00:00:01:08:00"
                + " SRC=10.77.0.1 DST=10.77.0.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1 ",
                lines.get(0).get(0));
        // MARK set in mangle shows from the next line on
        assertTrue(lines.get(3).get(2).endsWith(" LEN=18 "), lines.get(3).get(2));
        assertTrue(lines.get(3).get(3).endsWith(" LEN=18 MARK=0x5 "), lines.get(3).get(3));
        // TCP sequence and options are logged (NF_LOG_DEFAULT_MASK)
        assertTrue(lines.get(6).get(0).endsWith(" SEQ=0 ACK=0 WINDOW=65535 RES=0x00 SYN URGP=0 OPT (020405B40303070402080A000000010000000000) "),
                lines.get(6).get(0));
        // after DNAT in nat PREROUTING the later lines show the new port
        assertTrue(lines.get(7).get(4).startsWith("<4>TRACE: nat:PREROUTING:rule:1 ") && lines.get(7).get(4).contains(" DPT=2222 "));
        assertTrue(lines.get(7).get(5).contains(" DPT=22 "), lines.get(7).get(5));
    }

    @Test
    void ipv6LinesAndUntracedPackets() throws Exception {
        TraceRulesets.Case v6 = TraceRulesets.all().get(2);
        List<List<String>> lines = TraceRulesets.offline(v6, IF);
        assertEquals("<4>TRACE: raw:PREROUTING:policy:3 IN=trb1 OUT= MAC=02:77:00:00:00:02:02:77:00:00:00:01:86:dd"
                + " SRC=fd77:0000:0000:0000:0000:0000:0000:0001 DST=fd77:0000:0000:0000:0000:0000:0000:0002 LEN=48 TC=0"
                + " HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=1 SEQ=1 ", lines.get(0).get(0));
        assertEquals(13, lines.get(0).size());
        // a packet the TRACE rule does not select writes nothing
        TraceRulesets.Case other = new TraceRulesets.Case("other source", Family.IPV4, TraceRulesets.RULES4,
                List.of("tcp 10.77.0.5:40001 > 10.77.0.2:22 syn"));
        assertEquals(List.of(List.of()), TraceRulesets.offline(other, IF));
    }

    @Test
    void tablesThatDoNotExistWriteNoLines() throws Exception {
        List<List<String>> lines = TraceRulesets.offline(TraceRulesets.all().get(0), IF);
        assertEquals(List.of("<4>TRACE: raw:PREROUTING:policy:2", "<4>TRACE: filter:INPUT:rule:1"), prefixes(lines.get(0)));
        assertEquals(List.of(), lines.get(1));
        assertEquals(List.of("<4>TRACE: raw:PREROUTING:policy:2", "<4>TRACE: filter:INPUT:policy:2"), prefixes(lines.get(2)));
    }

    @Test
    void nftFormAsXtablesMonitorPrintsIt() throws Exception {
        List<List<String>> lines = TraceRulesets.offline(TraceRulesets.all().get(1), IF, true);
        List<String> echo = lines.get(0).stream().map(l -> l.replaceFirst("^(PACKET: 2 | TRACE: 2 )[0-9a-f]{8} ", "$1ID ")).toList();
        // as Linux 6.18 + xtables-monitor 1.8.9 printed it (TraceNftKernelTest): the TRACE rule is
        // traced, every table traversal starts with the packet, RETURN shows as 0xfffffffb, a
        // user chain's end shows nothing, handles count chains then rules
        assertEquals(List.of(
                "PACKET: 2 ID IN=trb1 MACSRC=2:77:0:0:0:1 MACDST=2:77:0:0:0:2 MACPROTO=0800 SRC=10.77.0.1 DST=10.77.0.2"
                        + " LEN=28 TOS=0x0 TTL=64 ID=0 ",
                " TRACE: 2 ID raw:PREROUTING:rule:0x3:CONTINUE  -4 -t raw -A PREROUTING -s 10.77.0.1/32 -j TRACE",
                " TRACE: 2 ID raw:PREROUTING:policy:ACCEPT "), echo.subList(0, 3));
        assertEquals(List.of(
                " TRACE: 2 ID mangle:PREROUTING:rule:0x7:JUMP:M  -4 -t mangle -A PREROUTING -j M",
                " TRACE: 2 ID mangle:M:rule:0x9:0xfffffffb  -4 -t mangle -A M -j RETURN",
                " TRACE: 2 ID mangle:PREROUTING:policy:ACCEPT "), echo.subList(4, 7));
        assertTrue(echo.contains(" TRACE: 2 ID filter:INPUT:rule:0x8:ACCEPT  -4 -t filter -A INPUT -p icmp -j ACCEPT"), echo.toString());
        // one id per packet, the same in every table
        assertEquals(1, lines.get(0).stream().map(l -> l.split(" ")[l.startsWith(" ") ? 3 : 2]).distinct().count());
        // the udp packet: ports, and MARK once mangle set it
        assertTrue(lines.get(3).stream().anyMatch(l -> l.startsWith("PACKET: ") && l.endsWith(" SPORT=40003 DPORT=53 MARK=0x5 ")),
                lines.get(3).toString());
    }

    @Test
    void traceCommandOffersBothForms(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path rules = dir.resolve("r.rules");
        java.nio.file.Files.writeString(rules, "*raw\n-A PREROUTING -p udp -j TRACE\nCOMMIT\n*filter\n-A INPUT -p udp -j DROP\nCOMMIT\n");
        String pkt = "in eth0 udp 198.51.100.7:5000 > 192.0.2.1:53";
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream o = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        java.io.PrintStream e = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, TraceCommand.run(List.of("--rules", rules.toString(), pkt), dir.resolve("s"), o, e));
        String legacy = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(legacy.contains("log: <4>TRACE: filter:INPUT:rule:1 IN=eth0 OUT= "), legacy);
        out.reset();
        assertEquals(0, TraceCommand.run(List.of("--rules", rules.toString(), "--trace-format", "nft", pkt), dir.resolve("s"), o, e));
        String nft = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(nft.contains(":filter:INPUT:rule:0x") || nft.contains(" filter:INPUT:rule:0x"), nft);
        assertTrue(nft.contains("DROP  -4 -t filter -A INPUT -p udp -j DROP"), nft);
        assertTrue(nft.contains("PACKET: 2 "), nft);
        assertEquals(2, TraceCommand.run(List.of("--trace-format", "json", pkt), dir.resolve("s"), o, e));
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8)
                .contains("--trace-format: expected legacy or nft, found 'json'"), err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void packetsTheHostSendsCarryTheSocketOwnerAndLoseTheFlagOnLo() throws Exception {
        List<List<String>> lines = TraceRulesets.offline(TraceRulesets.all().get(5), IF);
        assertTrue(lines.get(0).get(0).startsWith("<4>TRACE: raw:OUTPUT:policy:3 IN= OUT=trb1 SRC=10.77.0.2 DST=10.77.0.1 "),
                lines.get(0).get(0));
        assertTrue(lines.get(0).get(0).endsWith(" UID=0 GID=0 "), lines.get(0).get(0));
        // to the host's own address: OUTPUT and POSTROUTING on lo, nothing once received on lo
        List<String> self = lines.get(3);
        assertEquals("<4>TRACE: mangle:POSTROUTING:policy:1", prefixes(self).get(self.size() - 1));
        assertTrue(self.stream().noneMatch(l -> l.contains(" IN=lo ")), self.toString());
    }
}
