package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.host.Host;
import io.stockade.host.HostLoader;
import io.stockade.packet.PacketBuilder;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.TargetSpec;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The host around the tables: routing decisions, TTL, loopback, generated packets and ICMP rate limits. */
class PipelineTest {
    private static Netfilter nf(String rules, String hostConf, List<String> out) throws Exception {
        return nf(MiniRules.parse(Family.IPV4, rules), hostConf, out);
    }

    private static Netfilter nf(io.stockade.rules.Ruleset rs, String hostConf, List<String> out) throws Exception {
        Host host = HostLoader.fromConf(hostConf);
        Netfilter n = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), host, ConnTracker.NONE, Emitter.NONE,
                Packets.decoder());
        n.tap((skb, iface, generated) -> out.add(iface + (generated ? " generated " : " ")
                + io.stockade.packet.IpText.src(skb.pd) + ">" + io.stockade.packet.IpText.dst(skb.pd) + " ttl " + skb.pd.ttl));
        return n;
    }

    private static final String ROUTER = """
            iface eth0 192.0.2.1/24
            iface eth1 10.0.0.1/24 mtu 1400
            """;

    @Test
    void forwardingDisabledDropsSilently() throws Exception {
        List<String> out = new ArrayList<>();
        Netfilter n = nf("*filter\nCOMMIT", ROUTER, out);
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").udp(1, 2)), r);
        assertEquals("drop", r.verdictName());
        assertEquals(EngineDrop.NOT_FORWARDING, r.engineDrop);
        assertNull(r.ruleName());
        assertEquals(1, n.engineDrops[EngineDrop.NOT_FORWARDING.ordinal()]);
        assertTrue(out.isEmpty());
    }

    @Test
    void badIpv4HeaderChecksumIsDroppedBeforePrerouting() throws Exception {
        List<String> out = new ArrayList<>();
        // The raw rule would count the packet if it reached PREROUTING; ip_rcv_core drops it first.
        Netfilter n = nf("*raw\n-A PREROUTING -j ACCEPT\nCOMMIT", ROUTER, out);
        byte[] bytes = PacketBuilder.ipv4("192.0.2.9", "192.0.2.1").udp(1, 2).build();
        bytes[10] ^= 0x5a; // corrupt the header checksum
        PathResult r = new PathResult();
        n.receive(Packets.skb(new Skb(), "eth0", bytes), r);
        assertEquals("drop", r.verdictName());
        assertEquals(io.stockade.packet.DropReason.BAD_IP_CHECKSUM, r.malformed);
        assertNull(r.ruleName());
        assertEquals(1, n.malformedDrops[io.stockade.packet.DropReason.BAD_IP_CHECKSUM.ordinal()]);
    }

    @Test
    void forwardingDecrementsTtlAndFixesTheChecksum() throws Exception {
        List<String> out = new ArrayList<>();
        Netfilter n = nf("*filter\nCOMMIT", ROUTER + "sysctl net.ipv4.ip_forward=1\n", out);
        PathResult r = new PathResult();
        Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(9).udp(1, 2));
        n.receive(skb, r);
        assertEquals("accept", r.verdictName());
        assertEquals(Hook.FORWARD, r.path);
        assertEquals("eth1", r.out);
        assertEquals(1400, skb.routeMtu);
        assertEquals(List.of("eth1 192.0.2.9>10.0.0.7 ttl 8"), out);
        assertTrue(io.stockade.packet.Checksum.verifyIpv4Header(skb.pd), "header checksum after TTL rewrite");
    }

    @Test
    void ttlOneIsNotForwarded() throws Exception {
        Netfilter n = nf("*filter\nCOMMIT", ROUTER + "sysctl net.ipv4.ip_forward=1\n", new ArrayList<>());
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(1).udp(1, 2)), r);
        assertEquals(EngineDrop.TTL_EXCEEDED, r.engineDrop);
    }

    @Test
    void ownAddressAsSourceIsMartian() throws Exception {
        Netfilter n = nf("*filter\nCOMMIT", ROUTER, new ArrayList<>());
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("10.0.0.1", "192.0.2.1").udp(1, 2)), r);
        assertEquals(EngineDrop.MARTIAN_SOURCE, r.engineDrop);
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "127.0.0.1").udp(1, 2)), r);
        assertEquals(EngineDrop.MARTIAN_DESTINATION, r.engineDrop);
    }

    @Test
    void strictRpFilterChecksTheReverseRoute() throws Exception {
        Netfilter n = nf("*filter\nCOMMIT", ROUTER + "sysctl net.ipv4.conf.all.rp_filter=1\n", new ArrayList<>());
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth1", PacketBuilder.ipv4("192.0.2.9", "10.0.0.1").udp(1, 2)), r);
        assertEquals(EngineDrop.RP_FILTER, r.engineDrop);
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.1").udp(1, 2)), r);
        assertEquals("accept", r.verdictName());
        assertEquals(Hook.INPUT, r.path);
    }

    @Test
    void localOutputUsesTheRouteAndLoopsBackToLocalAddresses() throws Exception {
        List<String> out = new ArrayList<>();
        Netfilter n = nf("""
                *filter
                -A OUTPUT -o eth1 -j DROP
                -A INPUT -i lo -j ACCEPT
                COMMIT""", ROUTER, out);
        PathResult r = new PathResult();
        Skb skb = Packets.skb("", PacketBuilder.ipv4("10.0.0.1", "10.0.0.7").udp(1, 2));
        n.send(skb, r);
        assertEquals("drop", r.verdictName());
        assertEquals("filter:OUTPUT:1", r.ruleName());
        n.send(Packets.skb("", PacketBuilder.ipv4("192.0.2.1", "192.0.2.1").udp(1, 2)), r);
        assertEquals("accept", r.verdictName());
        assertEquals("filter:INPUT:1", r.ruleName());
        assertEquals(List.of("lo 192.0.2.1>192.0.2.1 ttl 64", "local 192.0.2.1>192.0.2.1 ttl 64"), out);
    }

    /** A stand-in REJECT: emits an ICMP port unreachable quoting the packet's first 28 bytes, then DROP. */
    record FakeReject() implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "REJECT";
        }

        @Override
        public void save(StringBuilder out) {
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            byte[] quote = new byte[28];
            MemorySegment.copy(skb.pd.data, java.lang.foreign.ValueLayout.JAVA_BYTE, skb.pd.base, quote, 0, 28);
            byte[] reply = PacketBuilder.ipv4(io.stockade.packet.IpText.dst(skb.pd), io.stockade.packet.IpText.src(skb.pd))
                    .icmp(3, 3).quote(quote).build();
            emitter.emitPacket(4, MemorySegment.ofArray(reply), reply.length, skb);
            return Verdict.DROP;
        }
    }

    @Test
    void generatedRepliesTraverseOutputAndAreRateLimitedPerPeer() throws Exception {
        List<String> out = new ArrayList<>();
        var rs = MiniRules.parse(Family.IPV4, """
                *filter
                -A INPUT -p udp -j REJECT
                -A OUTPUT -p icmp -j ACCEPT
                COMMIT""", Map.of("REJECT", new RuleTarget.Extension(new FakeReject())));
        Netfilter n = nf(rs, ROUTER, out);
        PathResult r = new PathResult();
        int sent = 0;
        for (int i = 0; i < 10; i++) {
            Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "192.0.2.1").udp(1000 + i, 53));
            skb.timeNanos = 1_000_000_000L + i * 10_000_000L; // 10 ms apart
            n.receive(skb, r);
            assertEquals("reject", r.verdictName());
            assertEquals("filter:INPUT:1", r.ruleName());
            sent += r.emitted;
        }
        // Burst of 6 (XRLIM_BURST_FACTOR × icmp_ratelimit) for a new peer, nothing more within 100 ms.
        assertEquals(6, sent);
        assertEquals(4, n.engineDrops[EngineDrop.ICMP_RATELIMIT.ordinal()]);
        assertEquals(6, out.size());
        assertTrue(out.get(0).startsWith("eth0 generated 192.0.2.1>192.0.2.9"), out.get(0));
        // One second later one more token is there.
        Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "192.0.2.1").udp(2000, 53));
        skb.timeNanos = 2_100_000_000L;
        n.receive(skb, r);
        assertEquals(1, r.emitted);
        // Another peer has its own bucket.
        skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.10", "192.0.2.1").udp(2000, 53));
        skb.timeNanos = 2_100_000_001L;
        n.receive(skb, r);
        assertEquals(1, r.emitted);
    }

    @Test
    void generatedRepliesCanBeDroppedInOutput() throws Exception {
        List<String> out = new ArrayList<>();
        var rs = MiniRules.parse(Family.IPV4, """
                *filter
                -A INPUT -p udp -j REJECT
                -A OUTPUT -p icmp -j DROP
                COMMIT""", Map.of("REJECT", new RuleTarget.Extension(new FakeReject())));
        Netfilter n = nf(rs, ROUTER, out);
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "192.0.2.1").udp(1, 53)), r);
        assertEquals("reject", r.verdictName());
        assertTrue(out.isEmpty());
        CompiledTable t = n.ruleset().table(Family.IPV4, io.stockade.rules.TableKind.FILTER);
        assertEquals(1, t.packets[t.chainStart[t.chainIndex("OUTPUT")]], "OUTPUT rule 1 saw the generated reply");
    }
}
