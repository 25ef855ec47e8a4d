package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelTraceTest {
    /** nft -j -a list ruleset, trimmed: two filter INPUT rules, one U0 rule and the harness's own table. */
    private static final String NFT = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}},
             {"table": {"family": "ip", "name": "filter", "handle": 2}},
             {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 5, "expr": []}},
             {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 7, "expr": []}},
             {"rule": {"family": "ip", "table": "filter", "chain": "U0", "handle": 9, "expr": []}},
             {"rule": {"family": "inet", "table": "sdt_ct", "chain": "keep", "handle": 2, "expr": []}}]}
            """;

    private static final List<String> TRACE = List.of(
            "PACKET: 2 aa IN=eth0 MACSRC=2:0:0:0:0:2 SRC=10.0.0.2 DST=10.0.0.1 LEN=31 TOS=0x0 TTL=64 ID=4096 DF SPORT=1 DPORT=99 ",
            " TRACE: 2 aa raw:PREROUTING:rule:0x3:CONTINUE  -4 -t raw -A PREROUTING -j TRACE",
            " TRACE: 2 aa raw:PREROUTING:policy:ACCEPT ",
            "PACKET: 2 aa IN=eth0 MACSRC=2:0:0:0:0:2 SRC=10.0.0.2 DST=10.0.0.1 LEN=31 TOS=0x0 TTL=64 ID=4096 DF SPORT=1 DPORT=99 ",
            " TRACE: 2 aa filter:INPUT:rule:0x5:JUMP:U0  -4 -t filter -A INPUT -p udp -j U0",
            " TRACE: 2 aa filter:U0:rule:0x9:0xfffffffb  -4 -t filter -A U0 -j RETURN",
            " TRACE: 2 aa filter:INPUT:rule:0x7:DROP  -4 -t filter -A INPUT -p udp -j DROP",
            "PACKET: 2 bb OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=56 TOS=0x0 TTL=64 ID=4096 ",
            " TRACE: 2 bb filter:OUTPUT:policy:ACCEPT ",
            "PACKET: 1 cc IN=eth0 NFPROTO=2 SRC=198.18.0.1 DST=198.18.0.2 LEN=20 ID=3 ",
            " TRACE: 1 cc sdt_ct:keep:rule:0x2:DROP  ");

    @Test
    void handlesMapToRuleNumbersPerChain() {
        Map<String, Integer> h = KernelTrace.handles(NFT);
        assertEquals(1, h.get("ip:filter:INPUT:5"));
        assertEquals(2, h.get("ip:filter:INPUT:7"));
        assertEquals(1, h.get("ip:filter:U0:9"));
    }

    @Test
    void theDecidingRuleIsTheTerminalVerdictOfTheInjectedPacketsOwnTrace() {
        List<KernelTrace.Verdict> v = KernelTrace.verdicts(TRACE, 4, 4096, "eth0", KernelTrace.handles(NFT), false);
        // the generated packet bb (an answer leaving through OUTPUT) is not the injected one; raw is the harness's
        assertEquals(List.of(new KernelTrace.Verdict("4:filter:INPUT:2", "filter", "DROP")), v);
        assertEquals("4:filter:INPUT:2", KernelTrace.decided(v, true));
        assertTrue(KernelTrace.verdicts(TRACE, 4, 4097, "eth0", KernelTrace.handles(NFT), false).isEmpty());
    }

    @Test
    void ownRawTablesCountAndTheFilterVerdictWinsOverEarlierAccepts() {
        List<KernelTrace.Verdict> v = List.of(new KernelTrace.Verdict("4:raw:PREROUTING:policy", "raw", "ACCEPT"),
                new KernelTrace.Verdict("4:filter:FORWARD:3", "filter", "ACCEPT"),
                new KernelTrace.Verdict("4:mangle:POSTROUTING:policy", "mangle", "ACCEPT"));
        assertEquals("4:filter:FORWARD:3", KernelTrace.decided(v, false));
        assertEquals("4:raw:PREROUTING:policy", KernelTrace.decided(v.subList(0, 1), false));
        assertNull(KernelTrace.decided(v, true), "accepted by every table yet dropped: the host dropped it");
        assertEquals(2, KernelTrace.verdicts(TRACE, 4, 4096, "eth0", KernelTrace.handles(NFT), true).size());
    }

    @Test
    void traceRulesAreAppendedToTheRawTableOrAddedInFront() {
        String filter = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n";
        String t = KernelTrace.withTrace(filter);
        assertTrue(t.startsWith("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j TRACE\n-A OUTPUT -j TRACE\nCOMMIT\n"), t);
        assertTrue(t.endsWith(filter));
        String raw = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j NOTRACK\nCOMMIT\n" + filter;
        assertEquals("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j NOTRACK\n-A PREROUTING -j TRACE\n"
                + "-A OUTPUT -j TRACE\nCOMMIT\n" + filter, KernelTrace.withTrace(raw));
        assertTrue(KernelTrace.hasRaw(raw));
        assertEquals("", KernelTrace.withTrace(""));
    }
}
