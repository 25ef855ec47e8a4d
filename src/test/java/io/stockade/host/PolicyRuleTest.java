package io.stockade.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.AddressTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy routing rules: {@code ip -j rule show} and host.conf {@code rule} lines read into
 * {@link PolicyRule}s, and {@link Host#lookupFlow} choosing tables as fib_rules_lookup does.
 */
class PolicyRuleTest {
    /** Two uplinks: eth0 (main table default) and eth1 (table 100 default), a LAN on eth2. */
    private static final String HOST = """
            iface eth0 192.0.2.1/24
            iface eth1 198.51.100.1/24
            iface eth2 10.0.0.1/24
            route default via 192.0.2.254 dev eth0
            route default via 198.51.100.254 dev eth1 table 100
            route 203.0.113.0/24 via 198.51.100.254 dev eth1 table 100
            route throw 10.9.0.0/16 table 100
            route unreachable 10.66.0.0/16 table 100
            """;

    private static Addresses.Ip ip(String s) {
        return Addresses.parse(s);
    }

    /** The output device of the lookup (or the route type name for reject results, "none" for no route). */
    private static String via(Host h, String dst, String src, int mark, int tos, String iif, int uid) {
        Addresses.Ip d = ip(dst);
        Addresses.Ip s = src == null ? new Addresses.Ip(d.version(), 0, 0) : ip(src);
        int r = h.lookupFlow(d.version(), d.hi(), d.lo(), s.hi(), s.lo(), mark, tos, iif, "", uid);
        if (r < 0) {
            return "none";
        }
        return switch (h.type(r)) {
            case AddressTypes.UNREACHABLE -> "unreachable";
            case AddressTypes.PROHIBIT -> "prohibit";
            case AddressTypes.BLACKHOLE -> "blackhole";
            case AddressTypes.LOCAL -> "local";
            default -> h.device(r);
        };
    }

    private static String via(Host h, String dst, int mark) {
        return via(h, dst, null, mark, 0, "lo", 0);
    }

    @Test
    void defaultsWithoutRules() throws IOException {
        Host h = HostLoader.fromConf(HOST);
        assertEquals(List.of(PolicyRule.lookup(4, 0, 255), PolicyRule.lookup(4, 32766, 254), PolicyRule.lookup(4, 32767, 253),
                PolicyRule.lookup(6, 0, 255), PolicyRule.lookup(6, 32766, 254)), h.rules());
        assertFalse(h.customRules(4));
        assertEquals("eth0", via(h, "203.0.113.9", 0), "table 100 is not consulted without a rule");
        assertEquals("eth0", via(h, "203.0.113.9", 1));
        assertEquals("local", via(h, "192.0.2.1", 0));
    }

    @Test
    void fwmarkRuleSteersToAnotherTable() throws IOException {
        Host h = HostLoader.fromConf(HOST + "rule pref 100 fwmark 0x1/0xff lookup 100\n");
        assertTrue(h.customRules(4));
        assertFalse(h.customRules(6));
        assertEquals("eth0", via(h, "8.8.8.8", 0));
        assertEquals("eth1", via(h, "8.8.8.8", 1));
        assertEquals("eth1", via(h, "8.8.8.8", 0x301), "only the masked bits are compared");
        assertEquals("eth0", via(h, "8.8.8.8", 2));
        assertEquals("local", via(h, "192.0.2.1", 1), "the local table's rule comes first");
        // A throw route in table 100 sends the lookup on to the next rule (main).
        assertEquals("eth0", via(h, "10.9.1.1", 1));
        // An unreachable route ends the lookup in error.
        assertEquals("unreachable", via(h, "10.66.1.1", 1));
    }

    @Test
    void selectors() throws IOException {
        Host h = HostLoader.fromConf(HOST + """
                rule pref 10 from 10.0.0.128/25 lookup 100
                rule pref 11 iif eth2 to 203.0.113.0/24 prohibit
                rule pref 12 tos 0x10 lookup 100
                rule pref 13 uidrange 1000-1999 lookup 100
                rule pref 14 not iif lo blackhole
                """);
        assertEquals("eth1", via(h, "8.8.8.8", "10.0.0.200", 0, 0, "lo", 0), "from 10.0.0.128/25");
        assertEquals("eth0", via(h, "8.8.8.8", "10.0.0.20", 0, 0, "lo", 0));
        assertEquals("prohibit", via(h, "203.0.113.5", "10.0.0.20", 0, 0, "eth2", 0));
        assertEquals("eth1", via(h, "8.8.8.8", "192.0.2.1", 0, 0x10, "lo", 0), "tos 0x10");
        assertEquals("eth1", via(h, "8.8.8.8", "192.0.2.1", 0, 0x13, "lo", 0), "ECN bits are not compared");
        assertEquals("eth0", via(h, "8.8.8.8", "192.0.2.1", 0, 0x08, "lo", 0));
        assertEquals("eth1", via(h, "8.8.8.8", "192.0.2.1", 0, 0, "lo", 1500), "uidrange");
        assertEquals("eth0", via(h, "8.8.8.8", "192.0.2.1", 0, 0, "lo", 2000));
        assertEquals("blackhole", via(h, "8.8.8.8", "192.0.2.9", 0, 0, "eth0", 0), "not iif lo: every received packet");
    }

    @Test
    void gotoNopAndSuppressPrefixlength() throws IOException {
        Host h = HostLoader.fromConf(HOST + """
                rule pref 5 fwmark 7 goto 20
                rule pref 6 lookup 100
                rule pref 20 nop
                rule pref 21 lookup main suppress_prefixlength 0
                rule pref 22 fwmark 7 unreachable
                """);
        assertEquals("eth1", via(h, "8.8.8.8", 0), "rule 6: table 100");
        // mark 7 jumps over rule 6; rule 21 suppresses main's default route; rule 22 ends it.
        assertEquals("unreachable", via(h, "8.8.8.8", 7));
        assertEquals("eth0", via(h, "192.0.2.77", 7), "a longer prefix than /0 is not suppressed");
        Host g = HostLoader.fromConf(HOST + "rule pref 5 fwmark 7 goto 30\nrule pref 6 lookup 100\n");
        assertEquals("eth1", via(g, "8.8.8.8", 7), "an unresolved goto does nothing");
    }

    @Test
    void confPriorityDefaultsAsIpRuleAdd() throws IOException {
        Host h = HostLoader.fromConf(HOST + "rule fwmark 1 lookup 100\nrule fwmark 2 lookup 100\nrule -6 fwmark 3 lookup 7\n");
        List<Integer> prios = h.rules().stream().filter(r -> r.version() == 4).map(PolicyRule::priority).toList();
        assertEquals(List.of(0, 32764, 32765, 32766, 32767), prios);
        assertEquals(2, h.rules().get(1).fwmark(), "the later rule comes first");
        assertEquals(List.of(0, 32765, 32766),
                h.rules().stream().filter(r -> r.version() == 6).map(PolicyRule::priority).toList());
        IOException e = assertThrows(IOException.class, () -> HostLoader.fromConf(HOST + "rule fwmark 1 lookup bogus\n"));
        assertEquals("host.conf:9: expected a table (local, main, default or a number), found 'bogus'", e.getMessage());
        e = assertThrows(IOException.class, () -> HostLoader.fromConf(HOST + "rule pref 50 goto 40\n"));
        assertTrue(e.getMessage().startsWith("host.conf:9: goto 40: the target must come after the rule"), e.getMessage());
        e = assertThrows(IOException.class, () -> HostLoader.fromConf(HOST + "rule ipproto tcp lookup 5\n"));
        assertTrue(e.getMessage().startsWith("host.conf:9: expected a rule selector or action"), e.getMessage());
    }

    /** Real {@code ip -j rule show} output (iproute2 6.x, captured in a namespace). */
    private static final String RULE_JSON = "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},"
            + "{\"priority\":100,\"src\":\"all\",\"fwmark\":\"0x1\",\"table\":\"100\"},"
            + "{\"priority\":101,\"src\":\"all\",\"fwmark\":\"0x2\",\"fwmask\":\"0xff\",\"table\":\"101\"},"
            + "{\"priority\":102,\"not\":null,\"src\":\"10.0.0.0\",\"srclen\":8,\"dst\":\"192.168.1.0\",\"dstlen\":24,"
            + "\"tos\":\"0x10\",\"iif\":\"eth9\",\"iif_detached\":null,\"oif\":\"lo\",\"table\":\"102\"},"
            + "{\"priority\":103,\"src\":\"10.1.0.0\",\"srclen\":16,\"action\":\"unreachable\"},"
            + "{\"priority\":104,\"src\":\"all\",\"dst\":\"10.2.0.0\",\"dstlen\":16,\"action\":\"prohibit\"},"
            + "{\"priority\":105,\"src\":\"all\",\"iif\":\"lo\",\"action\":\"blackhole\"},"
            + "{\"priority\":106,\"src\":\"all\",\"fwmark\":\"0x7\",\"goto\":110,\"unresolved\":null},"
            + "{\"priority\":107,\"src\":\"all\",\"table\":\"main\",\"suppress_prefixlen\":0},"
            + "{\"priority\":108,\"src\":\"all\",\"uid_start\":1000,\"uid_end\":2000,\"table\":\"5\"},"
            + "{\"priority\":109,\"src\":\"all\",\"nop\":null},"
            + "{\"priority\":32766,\"src\":\"all\",\"table\":\"main\"},{\"priority\":32767,\"src\":\"all\",\"table\":\"default\"}]";

    @Test
    void ipJsonRuleShow(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("host.conf"), HOST);
        Files.writeString(dir.resolve("rule.json"), RULE_JSON);
        Files.writeString(dir.resolve("rule6.json"),
                "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},{\"priority\":50,\"src\":\"all\",\"fwmark\":\"0x3\","
                        + "\"table\":\"100\"},{\"priority\":32766,\"src\":\"all\",\"table\":\"main\"}]");
        Host h = HostLoader.load(dir);
        List<PolicyRule> v4 = h.rules().stream().filter(r -> r.version() == 4).toList();
        assertEquals(13, v4.size());
        assertEquals(new PolicyRule(4, 101, false, null, null, 0, null, null, 2, 0xff, -1, -1, PolicyRule.TO_TABLE, 101, 0, -1),
                v4.get(2));
        PolicyRule r102 = v4.get(3);
        assertTrue(r102.not());
        assertEquals(new Addresses.Prefix(4, 0, 0x0a000000L, 8), r102.from());
        assertEquals(new Addresses.Prefix(4, 0, 0xc0a80100L, 24), r102.to());
        assertEquals(0x10, r102.tos());
        assertEquals("eth9", r102.iif());
        assertEquals("lo", r102.oif());
        assertEquals(PolicyRule.UNREACHABLE, v4.get(4).action());
        assertEquals(PolicyRule.PROHIBIT, v4.get(5).action());
        assertEquals(PolicyRule.BLACKHOLE, v4.get(6).action());
        assertEquals(PolicyRule.GOTO, v4.get(7).action());
        assertEquals(110, v4.get(7).gotoPriority());
        assertEquals(0, v4.get(8).suppressPrefixLength());
        assertEquals(1000, v4.get(9).uidStart());
        assertEquals(2000, v4.get(9).uidEnd());
        assertEquals(PolicyRule.NOP, v4.get(10).action());
        // Rule 102 names a missing device (detached): as "not", it matches everything — with
        // table 102 empty, the lookup goes on; rule 105 (iif lo) blackholes local output.
        assertEquals("blackhole", via(h, "8.8.8.8", 0));
        assertEquals("eth0", via(h, "8.8.8.8", null, 0, 0, "eth2", 0), "received: rule 107 suppresses /0, rule 32766 finds it");
        Addresses.Ip d = ip("2001:db8::9");
        assertEquals(List.of(0, 50, 32766), h.rules().stream().filter(r -> r.version() == 6).map(PolicyRule::priority).toList());
        assertEquals(-1, h.lookupFlow(6, d.hi(), d.lo(), 0, 0, 3, 0, "lo", "", 0), "no IPv6 route anywhere");
        Files.writeString(dir.resolve("rule.json"), "[{\"priority\":5,\"src\":\"all\",\"ipproto\":\"tcp\",\"table\":\"5\"}]");
        IOException e = assertThrows(IOException.class, () -> HostLoader.load(dir));
        assertTrue(e.getMessage().contains("rule.json: rule 1: rule selector 'ipproto' is not modelled"), e.getMessage());
    }
}
