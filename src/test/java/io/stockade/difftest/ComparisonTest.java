package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static final byte[] SYN = Pkt.ipv4(Pkt.addr("10.0.0.2"), Pkt.addr("203.0.113.5"), Pkt.TCP, 64, 0x1000, 0x4000,
            Pkt.tcp(Pkt.addr("10.0.0.2"), Pkt.addr("203.0.113.5"), 40000, 80, 7, 0, Pkt.SYN, 1000, new byte[0], new byte[0]));

    private static DiffCase oneSyn() {
        return new DiffCase(1, 0, Set.of(Area.FILTER), "*filter\n-A FORWARD -j DROP\nCOMMIT\n", "", true,
                List.of(new CasePacket("eth0", SYN, "syn")));
    }

    private static Observation obs(String fate, List<String> rules, Map<String, long[]> counters) {
        return new Observation(List.of(new Observation.PacketOutcome(fate, List.of(), List.of(), rules, 1)), counters, null, null);
    }

    @Test
    void identicalObservationsAgree() {
        Map<String, long[]> c = Map.of("4:filter:FORWARD:1", new long[] {1, 40});
        assertEquals(List.of(), Comparison.compare(oneSyn(), obs("drop", List.of("4:filter:FORWARD:1"), c),
                obs("drop", List.of("filter:FORWARD:1"), c)));
    }

    @Test
    void fateDeciderAndCountersDisagreementsAreNamed() {
        List<String> d = Comparison.compare(oneSyn(),
                obs("drop", List.of("4:filter:FORWARD:1"), Map.of("4:filter:FORWARD:1", new long[] {1, 40})),
                obs("forward:eth1", List.of("filter:FORWARD:policy"), Map.of("4:filter:FORWARD:1", new long[] {0, 0})));
        assertEquals(3, d.size(), d.toString());
        assertTrue(d.get(0).contains("kernel drop, stockade forward:eth1"), d.get(0));
        assertTrue(d.get(1).contains("stockade decided at 4:filter:FORWARD:policy"), d.get(1));
        assertTrue(d.get(2).startsWith("counters 4:filter:FORWARD:1: kernel 1/40, stockade 0/0"), d.get(2));
    }

    @Test
    void anIncompleteKernelRunIsNeverCountedAsAgreement() {
        Observation k = new Observation(obs("drop", List.of(), null).packets(), null, null, "packet 1: ingress barrier lost");
        List<String> d = Comparison.compare(oneSyn(), k, obs("drop", List.of(), null));
        assertEquals(List.of("harness: kernel run incomplete: packet 1: ingress barrier lost"), d);
    }

    @Test
    void refusedByBothAgreesRefusedByOneDoesNot() {
        Observation refused = new Observation(List.of(), null, null, "iptables-restore: line 2 failed");
        Observation ok = obs("drop", List.of(), null);
        assertEquals(List.of(), Comparison.compare(oneSyn(), refused, new Observation(List.of(), null, null, "no")));
        assertEquals(1, Comparison.compare(oneSyn(), refused, ok).size());
    }

    @Test
    void classifierSeparatesTheForwardedPacketFromEmittedOnesAndNormalisesThem() {
        byte[] fwd = SYN.clone();
        fwd[8] = 63; // TTL decremented on the way
        byte[] rst = Pkt.ipv4(Pkt.addr("203.0.113.5"), Pkt.addr("10.0.0.2"), Pkt.TCP, 64, 0x7777, 0x4000,
                Pkt.tcp(Pkt.addr("203.0.113.5"), Pkt.addr("10.0.0.2"), 80, 40000, 0, 8, Pkt.RST | Pkt.ACK, 0, new byte[0], new byte[0]));
        Map<String, List<byte[]>> seen = new LinkedHashMap<>();
        seen.put("eth0", new ArrayList<>(List.of(rst)));
        seen.put("eth1", new ArrayList<>(List.of(fwd)));
        Observation.PacketOutcome o = Classifier.outcome(SYN, seen, false, List.of(), 0);
        assertEquals("forward:eth1", o.fate());
        assertEquals(List.of("eth1 " + Pkt.hex(fwd)), o.forwarded());
        assertEquals(1, o.emitted().size());
        assertTrue(o.emitted().getFirst().startsWith("eth0 45000028" + "0000"), "emitted IPv4 ID zeroed: " + o.emitted());
        assertEquals("local", Classifier.outcome(SYN, Map.of(), true, List.of(), 0).fate());
        assertEquals("drop", Classifier.outcome(SYN, Map.of(), false, List.of(), 0).fate());
    }

    @Test
    void tallyPrintsAreasThenTheOverallLineLast() {
        Comparison.Tally t = new Comparison.Tally();
        t.add(new DiffCase(1, 0, Set.of(Area.FILTER, Area.IPV6), "", "", true, List.of()), true);
        t.add(new DiffCase(1, 1, Set.of(Area.FILTER), "", "", true, List.of()), false);
        List<String> lines = t.lines();
        assertEquals("2 cases, agreement 50.0 %", lines.getLast());
        assertTrue(lines.contains("filter:       2 cases, agreement 50.0 %"), lines.toString());
        assertTrue(lines.contains("IPv6:         1 cases, agreement 100.0 %"), lines.toString());
        assertEquals(50.0, t.percent(Area.FILTER));
        assertEquals(-1, t.percent(Area.NAT));
    }

    @Test
    void shrinkerKeepsOnlyWhatTheDisagreementNeeds() throws Exception {
        String rules = "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -p udp -j ACCEPT\n-A FORWARD -p tcp -j DROP\n-A FORWARD -j LOG\nCOMMIT\n";
        List<CasePacket> ps = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            ps.add(new CasePacket("eth0", SYN, "p" + k));
        }
        DiffCase c = new DiffCase(1, 0, Set.of(Area.FILTER), rules, "", true, ps);
        // A fake oracle: "disagrees" while the DROP rule and at least one packet remain.
        DiffCase small = Shrinker.shrink(c, x -> x.rules4().contains("-j DROP") && !x.packets().isEmpty() ? List.of("d") : List.of(), 100);
        assertEquals(1, small.packets().size());
        assertEquals(1, Shrinker.ruleCount(small.rules4()));
        assertTrue(small.rules4().contains("-A FORWARD -p tcp -j DROP"));
    }

    @Test
    void ipv6FragmentIdOfForwardedFragmentsIsNormalisedAndNothingElse() {
        // fixed header (next header 44 = fragment) + fragment header (id 0x11223344) + 8 bytes
        byte[] frag = new byte[56];
        frag[0] = 0x60;
        frag[5] = 16;
        frag[6] = 44;
        frag[7] = 63;
        frag[40] = 17;
        frag[42] = 0;
        frag[43] = 1; // offset 0, M=1
        frag[44] = 0x11;
        frag[45] = 0x22;
        frag[46] = 0x33;
        frag[47] = 0x44;
        frag[48] = 0x55;
        byte[] n = Classifier.normaliseForwarded(frag);
        assertEquals(0, n[44] | n[45] | n[46] | n[47], "fragment id zeroed");
        assertEquals(0x55, n[48], "payload untouched");
        assertEquals(0x11, frag[44], "input not modified");
        byte[] v4 = SYN.clone();
        assertTrue(java.util.Arrays.equals(v4, Classifier.normaliseForwarded(v4)), "IPv4 unchanged");
    }
}
