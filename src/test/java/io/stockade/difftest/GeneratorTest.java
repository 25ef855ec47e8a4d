package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    @Test
    void sameSeedAndIndexGiveTheSameCase() {
        for (int i = 0; i < 30; i++) {
            DiffCase a = new CaseGenerator(42).generate(i);
            DiffCase b = new CaseGenerator(42).generate(i);
            assertEquals(a.rules4(), b.rules4());
            assertEquals(a.rules6(), b.rules6());
            assertEquals(a.packets().size(), b.packets().size());
            for (int k = 0; k < a.packets().size(); k++) {
                assertArrayEquals(a.packets().get(k).ip(), b.packets().get(k).ip());
                assertEquals(a.packets().get(k).via(), b.packets().get(k).via());
            }
        }
    }

    @Test
    void differentSeedsDiffer() {
        Set<String> rules = new HashSet<>();
        for (long seed = 1; seed <= 10; seed++) {
            DiffCase c = new CaseGenerator(seed).generate(0);
            rules.add(c.rules4() + c.rules6());
        }
        assertTrue(rules.size() >= 8, "rulesets should vary with the seed: " + rules.size());
    }

    @Test
    void packetsCarryIncreasingIdentitiesAndValidLengthsAndChecksums() {
        for (int i = 0; i < 200; i++) {
            DiffCase c = new CaseGenerator(3).generate(i);
            int last = 0x0fff;
            for (CasePacket p : c.packets()) {
                assertTrue(p.identity() >= last, "identities never go back: " + p.label());
                last = p.identity();
                byte[] ip = p.ip();
                if (p.family() == 4) {
                    assertEquals(0, Pkt.checksum(ip, 0, 20, 0), "IPv4 header checksum of " + p.label());
                    assertEquals((ip[2] & 0xff) << 8 | (ip[3] & 0xff), ip.length);
                } else {
                    assertEquals(ip.length - 40, (ip[4] & 0xff) << 8 | (ip[5] & 0xff));
                    assertTrue(c.areas().contains(Area.IPV6));
                }
                assertTrue(Set.of("eth0", "eth1", "local").contains(p.via()));
            }
            assertTrue(c.areas().contains(Area.FILTER));
            assertTrue(c.packets().size() >= 1);
        }
    }

    /** The kernel test's seed exercises the routing code's ICMP errors in both families. */
    @Test
    void casesIncludeExpiringAndOversizedForwardedPackets() {
        int[] ttl1 = new int[7];
        int[] oversizeDf = new int[7];
        int oversizeNoDf = 0;
        CaseGenerator g = new CaseGenerator(KernelDifferentialTest.SEED);
        for (int i = 0; i < KernelDifferentialTest.CASES; i++) {
            for (CasePacket p : g.generate(i).packets()) {
                byte[] ip = p.ip();
                int v = Pkt.version(ip);
                int ttl = v == 4 ? ip[8] & 0xff : ip[7] & 0xff;
                if (ttl == 1 && !p.via().equals("local")) {
                    ttl1[v]++;
                }
                if (ip.length > Topology.NARROW_MTU) {
                    boolean df = v == 6 || (ip[6] & 0x40) != 0;
                    if (df) {
                        oversizeDf[v]++;
                    } else {
                        oversizeNoDf++;
                    }
                }
            }
        }
        assertTrue(ttl1[4] >= 10 && ttl1[6] >= 5, "TTL/hop limit 1: " + ttl1[4] + " IPv4, " + ttl1[6] + " IPv6");
        assertTrue(oversizeDf[4] >= 5 && oversizeDf[6] >= 3, "over the narrow MTU: " + oversizeDf[4] + " IPv4 DF, " + oversizeDf[6] + " IPv6");
        assertTrue(oversizeNoDf >= 2, "IPv4 without DF over the narrow MTU: " + oversizeNoDf);
    }

    @Test
    void tcpChecksumVerifiesOverThePseudoHeader() {
        byte[] s = Pkt.addr("10.0.0.2");
        byte[] d = Pkt.addr("203.0.113.5");
        byte[] seg = Pkt.tcp(s, d, 1234, 80, 1, 0, Pkt.SYN, 1000, new byte[0], new byte[3]);
        long pseudo = (10 << 8) + 2 + (203 << 8) + (113 << 8) + 5 + 6 + seg.length;
        assertEquals(0, Pkt.checksum(seg, 0, seg.length, pseudo));
    }

    @Test
    void rejectWithTcpResetOnlyOnTcpRules() {
        int seen = 0;
        for (int i = 0; i < 300; i++) {
            DiffCase c = new CaseGenerator(9).generate(i);
            for (String line : (c.rules4() + c.rules6()).lines().toList()) {
                if (line.contains("tcp-reset")) {
                    seen++;
                    assertTrue(line.contains("-p tcp") && !line.contains("! -p tcp"), line);
                }
            }
        }
        assertTrue(seen > 0, "the generator should produce tcp-reset at all");
    }

    @Test
    void userRulesAreKeptAndOnlyPacketsVary() {
        String rules = "*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n";
        CaseGenerator g = CaseGenerator.withRules(5, rules, null);
        DiffCase a = g.generate(0);
        DiffCase b = g.generate(1);
        assertEquals(rules, a.rules4());
        assertEquals("", a.rules6());
        assertTrue(a.areas().contains(Area.CONNTRACK));
        assertNotEquals(Pkt.hex(a.packets().getFirst().ip()), Pkt.hex(b.packets().getFirst().ip()));
        assertTrue(a.packets().stream().allMatch(p -> p.family() == 4));
    }
}
