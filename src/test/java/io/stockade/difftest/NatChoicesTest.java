package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NatChoicesTest {
    private static final String RULES = "*nat\n-A POSTROUTING -o eth1 -p udp -j SNAT --to-source 10.0.1.1:20000-20099\nCOMMIT\n";

    private static byte[] udp(String src, int sport, int id) {
        return Pkt.ipv4(Pkt.addr(src), Pkt.addr("203.0.113.5"), Pkt.UDP, 63, id, 0x4000,
                Pkt.udp(Pkt.addr(src), Pkt.addr("203.0.113.5"), sport, 53, new byte[4]));
    }

    private static DiffCase twoFlows() {
        return new DiffCase(1, 0, Set.of(Area.NAT), RULES, "", true, List.of(
                new CasePacket("eth0", udp("192.168.10.2", 40000, 0x1000), "a"),
                new CasePacket("eth0", udp("192.168.10.3", 40000, 0x1001), "b")));
    }

    private static Observation seen(int portA, int portB) {
        List<Observation.PacketOutcome> p = List.of(
                new Observation.PacketOutcome("forward:eth1", List.of(), List.of("eth1 " + Pkt.hex(udp("10.0.1.1", portA, 0x1000))),
                        List.of(), 1),
                new Observation.PacketOutcome("forward:eth1", List.of(), List.of("eth1 " + Pkt.hex(udp("10.0.1.1", portB, 0x1001))),
                        List.of(), 2));
        List<String> ct = List.of("ipv4 udp src=192.168.10.2 dst=203.0.113.5 sport=40000 dport=53 [UNREPLIED] src=203.0.113.5 "
                + "dst=10.0.1.1 sport=53 dport=" + portA + " mark=0");
        return new Observation(p, null, ct, null);
    }

    @Test
    void randomlyChosenPortsCompareByStructureWithChecksumsKept() {
        Observation k = NatChoices.normalise(twoFlows(), seen(20017, 20088));
        Observation s = NatChoices.normalise(twoFlows(), seen(20050, 20003));
        assertEquals(k.packets().get(0).forwarded(), s.packets().get(0).forwarded());
        assertEquals(k.packets().get(1).forwarded(), s.packets().get(1).forwarded());
        assertEquals(k.conntrack(), s.conntrack());
        assertEquals(List.of("ipv4 udp src=192.168.10.2 dst=203.0.113.5 sport=40000 dport=53 [UNREPLIED] src=203.0.113.5 "
                + "dst=10.0.1.1 sport=53 dport=61000 mark=0"), k.conntrack());
        // the renamed packet carries the checksum the symbol port would have
        byte[] renamed = java.util.HexFormat.of().parseHex(k.packets().get(0).forwarded().get(0).substring(5));
        assertEquals(Pkt.hex(udp("10.0.1.1", NatChoices.SYMBOL_BASE, 0x1000)), Pkt.hex(renamed));
    }

    @Test
    void twoConnectionsSharingOnePortOrAPortOutsideTheRangeStillDiffer() {
        Observation k = NatChoices.normalise(twoFlows(), seen(20017, 20088));
        assertNotEquals(k.packets().get(1).forwarded(), NatChoices.normalise(twoFlows(), seen(20050, 20050)).packets().get(1).forwarded());
        assertNotEquals(k.packets().get(0).forwarded(), NatChoices.normalise(twoFlows(), seen(31000, 20003)).packets().get(0).forwarded());
    }

    @Test
    void theOriginalPortAndPortsTheCaseNamesAreComparedAsTheyAre() {
        Observation kept = NatChoices.normalise(twoFlows(), seen(40000, 53));
        assertEquals("eth1 " + Pkt.hex(udp("10.0.1.1", 40000, 0x1000)), kept.packets().get(0).forwarded().get(0));
        assertEquals("eth1 " + Pkt.hex(udp("10.0.1.1", 53, 0x1001)), kept.packets().get(1).forwarded().get(0));
    }

    @Test
    void aClashingNullBindingSeenOnlyInTheConntrackTableIsRenamedToo() {
        String ct = "ipv4 udp src=10.0.1.2 dst=10.0.1.1 sport=1234 dport=52898 [UNREPLIED] src=10.0.1.1 dst=10.0.1.2 sport=52898 dport=%d mark=0";
        NatChoices.Namer k = new NatChoices.Namer(twoFlows());
        NatChoices.Namer s = new NatChoices.Namer(twoFlows());
        assertEquals(NatChoices.conntrack(List.of(ct.formatted(53836)), k), NatChoices.conntrack(List.of(ct.formatted(45823)), s));
        String plain = "ipv4 udp src=192.168.10.2 dst=203.0.113.5 sport=40000 dport=53 [UNREPLIED] src=203.0.113.5 dst=192.168.10.2 sport=53 dport=40000 mark=0";
        assertEquals(List.of(plain), NatChoices.conntrack(List.of(plain), new NatChoices.Namer(twoFlows())));
    }

    /** Seed 4242 case 182: the kernel picked 20099, the end of the rule's own range. */
    @Test
    void aChoiceOnTheBoundOfTheRulesRangeIsStillAChoice() {
        Observation k = NatChoices.normalise(twoFlows(), seen(20099, 20088));
        Observation s = NatChoices.normalise(twoFlows(), seen(20050, 20003));
        assertEquals(k.packets().get(0).forwarded(), s.packets().get(0).forwarded());
    }

    /** Seed 4242 case 246: an SCTP INIT masqueraded with --random. */
    @Test
    void sctpSourcePortsAreRenamedWithTheirCrcRecomputed() {
        java.util.function.IntFunction<byte[]> init = sp -> Pkt.ipv4(Pkt.addr("10.0.1.1"), Pkt.addr("203.0.113.4"), Pkt.SCTP, 63, 0x1000,
                0x4000, Pkt.sctp(sp, 1235, 0, Pkt.sctpInit(Pkt.SCTP_INIT, 7)));
        byte[] sent = Pkt.ipv4(Pkt.addr("192.168.10.5"), Pkt.addr("203.0.113.4"), Pkt.SCTP, 64, 0x1000, 0x4000,
                Pkt.sctp(33459, 1235, 0, Pkt.sctpInit(Pkt.SCTP_INIT, 7)));
        DiffCase c = new DiffCase(1, 0, Set.of(Area.NAT), "*nat\n-A POSTROUTING -o eth1 -j MASQUERADE --random\nCOMMIT\n", "", true,
                List.of(new CasePacket("eth0", sent, "init")));
        java.util.function.IntFunction<Observation> seen = sp -> new Observation(List.of(new Observation.PacketOutcome("forward:eth1",
                List.of(), List.of("eth1 " + Pkt.hex(init.apply(sp))), List.of(), 1)), null, null, null);
        Observation k = NatChoices.normalise(c, seen.apply(61954));
        assertEquals(k.packets().get(0).forwarded(), NatChoices.normalise(c, seen.apply(29638)).packets().get(0).forwarded());
        assertEquals(List.of("eth1 " + Pkt.hex(init.apply(NatChoices.SYMBOL_BASE + 300))), k.packets().get(0).forwarded());
    }
}
