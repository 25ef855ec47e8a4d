package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.ConntrackTable;
import io.stockade.host.Host;
import io.stockade.host.HostLoader;
import io.stockade.packet.PacketBuilder;
import io.stockade.rules.Family;
import io.stockade.rules.TableKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** nf_defrag before raw/conntrack: held fragments, one traversal of the datagram, re-fragmentation on output. */
class DefragPipelineTest {
    private static final String ROUTER = """
            iface eth0 192.0.2.1/24 2001:db8::1/64
            iface eth1 10.0.0.1/24 2001:db8:1::1/64 mtu 1400
            sysctl net.ipv4.ip_forward=1
            sysctl net.ipv6.conf.all.forwarding=1
            """;

    private static long forwardCount(Netfilter n, Family f) {
        CompiledTable t = n.ruleset().table(f, TableKind.FILTER);
        for (int e = 0; e < t.packets.length; e++) {
            if (t.chainName(e).equals("FORWARD") && !t.isPolicy(e) && t.ruleNumber(e) == 1) {
                return t.packets[e];
            }
        }
        throw new AssertionError("no FORWARD rule 1");
    }

    private static long rawCount(Netfilter n, Family f) {
        CompiledTable t = n.ruleset().table(f, TableKind.RAW);
        for (int e = 0; e < t.packets.length; e++) {
            if (t.chainName(e).equals("PREROUTING") && !t.isPolicy(e) && t.ruleNumber(e) == 1) {
                return t.packets[e];
            }
        }
        throw new AssertionError("no raw PREROUTING rule 1");
    }

    private static Netfilter nf(Family f, List<Integer> outLengths, List<Boolean> outFragment) throws Exception {
        Host host = HostLoader.fromConf(ROUTER);
        String rules = "*raw\n-A PREROUTING -j ACCEPT\nCOMMIT\n*filter\n-A FORWARD -p udp -j ACCEPT\nCOMMIT";
        Netfilter n = new Netfilter(CompiledRuleset.compile(MiniRules.parse(f, rules), new StateRegistry()), host,
                new ConntrackTable(), Emitter.NONE, Packets.decoder());
        n.tap((skb, iface, generated) -> {
            outLengths.add(skb.pd.ipTotalLength);
            outFragment.add(skb.pd.isFragment);
        });
        return n;
    }

    private void forwardsOnceAndRefragments(Family f, PacketBuilder b) throws Exception {
        List<Integer> lengths = new ArrayList<>();
        List<Boolean> frag = new ArrayList<>();
        Netfilter n = nf(f, lengths, frag);
        List<byte[]> frags = b.buildFragments(1000);
        assertEquals(3, frags.size());
        PathResult r = new PathResult();
        Skb skb = new Skb();
        for (int i = 0; i < frags.size(); i++) {
            Packets.skb(skb, "eth0", frags.get(i));
            skb.timeNanos = 1_000_000L * i;
            n.receive(skb, r);
            if (i < frags.size() - 1) {
                assertEquals("stolen", r.verdictName(), "fragment " + i + " is held");
                assertTrue(r.defragHeld);
                assertEquals(0, forwardCount(n, f), "no rule sees a held fragment");
                assertEquals(0, rawCount(n, f), "defrag precedes raw");
            }
        }
        assertEquals("accept", r.verdictName());
        assertEquals(io.stockade.rules.Hook.FORWARD, r.path);
        assertEquals(1, forwardCount(n, f), "the datagram traverses FORWARD once");
        assertEquals(1, rawCount(n, f));
        List<Integer> want = new ArrayList<>();
        for (byte[] p : frags) {
            want.add(p.length);
        }
        assertEquals(want, lengths, "leaves as fragments of the received sizes");
        assertEquals(List.of(true, true, true), frag);
    }

    @Test
    void forwardedIpv4UdpDatagramIsSeenOnceAndLeavesAsFragments() throws Exception {
        forwardsOnceAndRefragments(Family.IPV4,
                PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").id(77).udp(5000, 53).payload(2900));
    }

    @Test
    void forwardedIpv6UdpDatagramIsSeenOnceAndLeavesAsFragments() throws Exception {
        forwardsOnceAndRefragments(Family.IPV6,
                PacketBuilder.ipv6("2001:db8::9", "2001:db8:1::7").id(0x4711).udp(5000, 53).payload(2900));
    }

    @Test
    void unfragmentedTrafficIsUntouched() throws Exception {
        List<Integer> lengths = new ArrayList<>();
        List<Boolean> frag = new ArrayList<>();
        Netfilter n = nf(Family.IPV4, lengths, frag);
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").udp(5000, 53).payload(1000)), r);
        assertEquals("accept", r.verdictName());
        assertEquals(1, forwardCount(n, Family.IPV4));
        assertEquals(List.of(1028), lengths);
    }

    @Test
    void overlappingFragmentIsDroppedByTheHost() throws Exception {
        Netfilter n = nf(Family.IPV4, new ArrayList<>(), new ArrayList<>());
        PacketBuilder b = PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").id(78).udp(5000, 53).payload(2900);
        PathResult r = new PathResult();
        n.receive(Packets.skb(new Skb(), "eth0", b.buildFragments(1000).get(0)), r);
        n.receive(Packets.skb(new Skb(), "eth0", b.buildFragments(800).get(1)), r);
        assertEquals("drop", r.verdictName());
        assertEquals(EngineDrop.REASM_FAILED, r.engineDrop);
        assertEquals(0, forwardCount(n, Family.IPV4));
    }
}
