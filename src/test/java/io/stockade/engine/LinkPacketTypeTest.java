package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.stockade.conntrack.ConntrackTable;
import io.stockade.host.HostLoader;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketBuilder;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The link-layer packet type decides before any rule: a frame for another host's MAC never
 * reaches PREROUTING (ip_rcv_core), and a unicast IP packet that came as link-layer broadcast or
 * multicast crosses PREROUTING but is not forwarded (ip_forward forwards PACKET_HOST only).
 * Observed on Linux 6.18 with a veth gateway: of four UDP frames (gateway MAC, broadcast,
 * multicast, a foreign MAC) raw PREROUTING counted three and FORWARD one.
 */
class LinkPacketTypeTest {
    private static final String HOST = """
            iface eth0 192.0.2.1/24 2001:db8::1/64
            iface eth1 10.0.0.1/24 2001:db8:1::1/64
            sysctl net.ipv4.ip_forward=1
            sysctl net.ipv6.conf.all.forwarding=1
            """;

    private final List<String> out = new ArrayList<>();

    private Netfilter nf(Family f, String rules) throws Exception {
        Netfilter n = new Netfilter(CompiledRuleset.compile(MiniRules.parse(f, rules), new StateRegistry()),
                HostLoader.fromConf(HOST), new ConntrackTable(), Emitter.NONE, Packets.decoder());
        n.tap((skb, iface, generated) -> out.add(iface));
        return n;
    }

    private static Skb typed(Skb skb, int pktType) {
        skb.pktType = pktType;
        return skb;
    }

    @Test
    void onlyPacketHostIsForwardedAndOtherHostNeverSeesPrerouting() throws Exception {
        // raw PREROUTING drops 10.0.0.9 by rule: a packet that reaches PREROUTING is decided there.
        Netfilter n = nf(Family.IPV4, "*raw\n-A PREROUTING -d 10.0.0.9/32 -j DROP\nCOMMIT\n");
        PathResult r = new PathResult();
        PacketBuilder fwd = PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").udp(4000, 53);
        PacketBuilder nine = PacketBuilder.ipv4("192.0.2.9", "10.0.0.9").udp(4000, 9);

        n.receive(typed(Packets.skb("eth0", fwd), LinkLayer.PACKET_HOST), r);
        assertEquals(PathResult.ACCEPTED, r.outcome);
        assertEquals(List.of("eth1"), out);

        for (int type : new int[] {LinkLayer.PACKET_BROADCAST, LinkLayer.PACKET_MULTICAST}) {
            n.receive(typed(Packets.skb("eth0", fwd), type), r);
            assertEquals(EngineDrop.FORWARD_NOT_HOST, r.engineDrop, "type " + type);
            n.receive(typed(Packets.skb("eth0", nine), type), r);
            assertNull(r.engineDrop, "PREROUTING saw it: type " + type);
            assertEquals(Hook.PREROUTING, r.decidedAt);
        }
        n.receive(typed(Packets.skb("eth0", nine), LinkLayer.PACKET_OTHERHOST), r);
        assertEquals(EngineDrop.OTHER_HOST, r.engineDrop);
        assertNull(r.decidedAt, "no rule saw it");
        assertEquals(List.of("eth1"), out, "nothing else left the host");
        assertEquals(2, n.engineDrops[EngineDrop.FORWARD_NOT_HOST.ordinal()]);
        assertEquals(1, n.engineDrops[EngineDrop.OTHER_HOST.ordinal()]);
    }

    @Test
    void broadcastFramesStillReachLocalDelivery() throws Exception {
        Netfilter n = nf(Family.IPV6, "*filter\nCOMMIT\n");
        PathResult r = new PathResult();
        n.receive(typed(Packets.skb("eth0", PacketBuilder.ipv6("2001:db8::9", "2001:db8::1").udp(4000, 53)),
                LinkLayer.PACKET_MULTICAST), r);
        assertEquals(PathResult.ACCEPTED, r.outcome);
        assertEquals(Hook.INPUT, r.path);
        n.receive(typed(Packets.skb("eth0", PacketBuilder.ipv6("2001:db8::9", "2001:db8:1::7").udp(4000, 53)),
                LinkLayer.PACKET_MULTICAST), r);
        assertEquals(EngineDrop.FORWARD_NOT_HOST, r.engineDrop);
    }
}
