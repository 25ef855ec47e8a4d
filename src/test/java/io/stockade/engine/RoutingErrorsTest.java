package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.ConntrackTable;
import io.stockade.host.HostLoader;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketBuilder;
import io.stockade.rules.Family;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ICMP errors the routing code sends ({@link IcmpSend} called by {@link Netfilter}): time
 * exceeded and fragmentation needed / packet too big before FORWARD, unreachable for reject and
 * missing routes (with ip_error's per-source limit), beyond scope for a link-local IPv6 source,
 * the socket's refusal of a local DF packet over the route MTU, and the conntrack entry the error
 * carries. Byte layouts were checked against Linux 6.18 by {@code KernelIcmpErrorsTest}.
 */
class RoutingErrorsTest {
    private static final String ROUTER = """
            iface eth0 192.0.2.1/24 2001:db8::1/64
            iface eth1 10.0.0.1/24 2001:db8:1::1/64 mtu 1400
            route unreachable 198.18.0.0/16
            route prohibit 198.19.0.0/16
            route blackhole 198.20.0.0/16
            route 203.0.113.0/24 via 10.0.0.254 dev eth1 mtu 1300
            route 2001:db8:99::/64 via 2001:db8:1::fe dev eth1 mtu 1300
            sysctl net.ipv4.ip_forward=1
            sysctl net.ipv6.conf.all.forwarding=1
            sysctl net.ipv4.icmp_ratelimit=0
            sysctl net.ipv6.icmp.ratelimit=0
            """;
    private static final String DEFAULT_ROUTES = """
            route default via 10.0.0.254 dev eth1
            route default via 2001:db8:1::fe dev eth1
            """;

    /** One packet that left the host: interface, generated or not, the bytes, ctinfo. */
    private record Out(String iface, boolean generated, byte[] ip, int ctinfo) {
        int u8(int off) {
            return ip[off] & 0xff;
        }

        int u16(int off) {
            return (u8(off) << 8) | u8(off + 1);
        }
    }

    private final List<Out> out = new ArrayList<>();

    private Netfilter nf(String host, boolean conntrack) throws Exception {
        return nf(Family.IPV4, host, conntrack);
    }

    private Netfilter nf(Family f, String host, boolean conntrack) throws Exception {
        Netfilter n = new Netfilter(CompiledRuleset.compile(MiniRules.parse(f, "*filter\nCOMMIT"), new StateRegistry()),
                HostLoader.fromConf(host), conntrack ? new ConntrackTable() : ConnTracker.NONE, Emitter.NONE, Packets.decoder());
        n.tap((skb, iface, generated) -> {
            MemorySegment d = skb.pd.data;
            byte[] b = d.asSlice(skb.pd.base, skb.pd.ipTotalLength).toArray(ValueLayout.JAVA_BYTE);
            out.add(new Out(iface, generated, b, skb.ctinfo));
        });
        return n;
    }

    private Out only() {
        List<Out> gen = out.stream().filter(Out::generated).toList();
        assertEquals(1, gen.size(), () -> "one generated packet: " + out);
        return gen.getFirst();
    }

    private static void assertValidIcmp4(Out o) {
        MemorySegment s = MemorySegment.ofArray(o.ip());
        assertEquals(0xffff, Checksum.fold(Checksum.sum(s, 0, 20, 0)), "IP header checksum");
        assertEquals(0xffff, Checksum.fold(Checksum.sum(s, 20, o.ip().length - 20, 0)), "ICMP checksum");
    }

    @Test
    void ttlOneIsAnsweredWithTimeExceededCarryingTheUnconfirmedEntry() throws Exception {
        Netfilter n = nf(ROUTER + DEFAULT_ROUTES, true);
        byte[] sent = PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(1).tos(0x23).dontFragment().udp(4000, 53).payload(30).build();
        PathResult r = new PathResult();
        n.receive(Packets.skb(new Skb(), "eth0", sent), r);
        assertEquals(EngineDrop.TTL_EXCEEDED, r.engineDrop);
        assertEquals(1, r.emitted);
        Out e = only();
        assertEquals("eth0", e.iface());
        assertEquals(0xc2, e.u8(1), "TOS: (tos & 0x1e) | 0xc0");
        assertEquals(28 + sent.length, e.u16(2));
        assertEquals(0, e.u16(6), "no DF");
        assertEquals(64, e.u8(8));
        assertEquals("192.0.2.1", addr4(e.ip(), 12), "the address on the route back");
        assertEquals("192.0.2.9", addr4(e.ip(), 16));
        assertEquals(11, e.u8(20));
        assertEquals(0, e.u8(21));
        assertEquals(0, e.u16(24) | e.u16(26));
        assertTrue(Arrays.equals(sent, Arrays.copyOfRange(e.ip(), 28, e.ip().length)), "quotes the packet as received (TTL 1)");
        assertValidIcmp4(e);
        assertEquals(4, e.ctinfo(), "nf_ct_attach: RELATED, reply direction, though never confirmed");
    }

    @Test
    void noErrorAboutAnIcmpErrorOrANonFirstFragment() throws Exception {
        Netfilter n = nf(ROUTER + DEFAULT_ROUTES, false);
        byte[] quoted = PacketBuilder.ipv4("10.0.0.7", "192.0.2.9").udp(53, 4000).build();
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(1).icmp(3, 3).quote(quoted)), r);
        assertEquals(EngineDrop.TTL_EXCEEDED, r.engineDrop);
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(1).udp(1, 2).payload(16).fragment(64, false)), r);
        assertEquals(EngineDrop.TTL_EXCEEDED, r.engineDrop);
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(1).echoRequest(1, 1)), r);
        assertEquals(1, out.size(), () -> "only the echo request is answered: " + out);
        assertEquals(11, out.getFirst().u8(20));
    }

    @Test
    void dfOverTheNextHopMtuGetsFragmentationNeededWithTheMtu() throws Exception {
        Netfilter n = nf(ROUTER + DEFAULT_ROUTES, false);
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").dontFragment().udp(1, 2).payload(1422)), r);
        assertEquals(EngineDrop.FRAG_NEEDED, r.engineDrop);
        Out e = only();
        assertEquals(3, e.u8(20));
        assertEquals(4, e.u8(21));
        assertEquals(1400, e.u16(26), "next-hop MTU");
        assertEquals(576, e.ip().length, "quote cut at 576 bytes in all");
        assertEquals(64, e.u8(28 + 8), "quoted before the TTL decrement");
        assertValidIcmp4(e);
        // the route's own MTU counts (203.0.113.0/24: 1300)
        out.clear();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "203.0.113.5").dontFragment().udp(1, 2).payload(1322)), r);
        assertEquals(1300, only().u16(26));
    }

    @Test
    void withoutDfTheForwardedPacketIsFragmented() throws Exception {
        Netfilter n = nf(ROUTER + DEFAULT_ROUTES, false);
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").id(77).udp(1, 2).payload(1422)), r);
        assertEquals("accept", r.verdictName());
        assertEquals(2, out.size(), () -> "two fragments: " + out);
        assertEquals(1396, out.get(0).ip().length, "20 + 1376 data bytes (a multiple of 8)");
        assertEquals(0x2000, out.get(0).u16(6), "MF, offset 0");
        assertEquals(20 + 1430 - 1376, out.get(1).ip().length, "the other 54 data bytes");
        assertEquals(1376 / 8, out.get(1).u16(6));
        assertEquals(77, out.get(1).u16(4), "same identification");
    }

    @Test
    void rejectRoutesAndMissingRoutesAnswerUnreachable() throws Exception {
        Netfilter n = nf(ROUTER, false);
        PathResult r = new PathResult();
        int[] codes = new int[4];
        String[] dst = {"198.18.0.1", "198.19.0.1", "198.20.0.1", "100.64.0.1"};
        for (int i = 0; i < dst.length; i++) {
            out.clear();
            Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2." + (10 + i), dst[i]).udp(1, 2));
            skb.timeNanos = 1_000_000_000L;
            n.receive(skb, r);
            codes[i] = out.isEmpty() ? -1 : only().u8(21);
        }
        assertEquals("[1, 13, -1, 0]", Arrays.toString(codes), "unreachable, prohibit, blackhole, no route");
        assertEquals(EngineDrop.NO_ROUTE, r.engineDrop);
    }

    @Test
    void ipErrorAllowsFiveAtOnceThenOnePerSecondPerSource() throws Exception {
        Netfilter n = nf(ROUTER, false);
        PathResult r = new PathResult();
        long t = 5_000_000_000L;
        for (int i = 0; i < 8; i++) {
            Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "198.18.0.1").udp(1, 2));
            skb.timeNanos = t;
            n.receive(skb, r);
        }
        assertEquals(5, out.size());
        Skb other = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.10", "198.18.0.1").udp(1, 2));
        other.timeNanos = t;
        n.receive(other, r);
        assertEquals(6, out.size(), "another source has its own tokens");
        for (long dt : new long[] {500_000_000L, 1_000_000_000L}) {
            Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "198.18.0.1").udp(1, 2));
            skb.timeNanos = t + dt;
            n.receive(skb, r);
        }
        assertEquals(7, out.size(), "one more a second later");
        assertEquals(4, n.engineDrops[EngineDrop.ICMP_RATELIMIT.ordinal()], "suppressed: 3 at once, 1 after 0.5 s");
    }

    @Test
    void timeExceededIsSubjectToTheIcmpRateLimitButFragmentationNeededIsNot() throws Exception {
        String limited = ROUTER.replace("sysctl net.ipv4.icmp_ratelimit=0\n", "") + DEFAULT_ROUTES;
        Netfilter n = nf(limited, false);
        PathResult r = new PathResult();
        for (int i = 0; i < 8; i++) {
            Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(1).udp(1, 2));
            skb.timeNanos = 1_000_000_000L;
            n.receive(skb, r);
        }
        assertEquals(6, out.size(), "icmp_ratelimit 1000 ms, burst 6 (type 11 is in icmp_ratemask)");
        for (int i = 0; i < 8; i++) {
            Skb skb = Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").dontFragment().udp(1, 2).payload(1422));
            skb.timeNanos = 1_000_000_000L;
            n.receive(skb, r);
        }
        assertEquals(14, out.size(), "fragmentation needed is never limited");
    }

    @Test
    void ipv6HopLimitTooBigAndLinkLocalSource() throws Exception {
        Netfilter n = nf(Family.IPV6, ROUTER + DEFAULT_ROUTES, false);
        PathResult r = new PathResult();
        byte[] sent = PacketBuilder.ipv6("2001:db8::9", "2001:db8:1::7").ttl(1).udp(1, 2).payload(20).build();
        n.receive(Packets.skb(new Skb(), "eth0", sent), r);
        assertEquals(EngineDrop.TTL_EXCEEDED, r.engineDrop);
        Out e = only();
        assertEquals(3, e.u8(40));
        assertEquals(0, e.u8(41));
        assertEquals(64, e.u8(7));
        assertEquals(0, (e.u16(0) >>> 4) & 0xff, "traffic class 0");
        assertTrue(Arrays.equals(sent, Arrays.copyOfRange(e.ip(), 48, e.ip().length)));
        MemorySegment s = MemorySegment.ofArray(e.ip());
        assertEquals(0xffff, Checksum.fold(Checksum.sum(s, 40, e.ip().length - 40,
                Checksum.pseudoIpv6(s.get(U64, 8), s.get(U64, 16), s.get(U64, 24), s.get(U64, 32), 58, e.ip().length - 40))));
        assertEquals(0x20010db800000000L, s.get(U64, 8), "from eth0's global address");
        out.clear();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv6("2001:db8::9", "2001:db8:1::7").udp(1, 2).payload(1400)), r);
        assertEquals(EngineDrop.FRAG_NEEDED, r.engineDrop);
        e = only();
        assertEquals(2, e.u8(40));
        assertEquals(1400, e.u16(46), "MTU");
        assertEquals(1280, e.ip().length, "quote cut at 1280 bytes in all");
        out.clear();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv6("fe80::9", "2001:db8:1::7").udp(1, 2)), r);
        assertEquals(EngineDrop.SOURCE_SCOPE, r.engineDrop);
        e = only();
        assertEquals(1, e.u8(40));
        assertEquals(2, e.u8(41), "beyond scope of source address");
        assertEquals(0xfe80000000000000L, MemorySegment.ofArray(e.ip()).get(U64, 24), "to the link-local sender");
    }

    @Test
    void ipv6OverARouteMtuIsRefusedAfterPostrouting() throws Exception {
        Netfilter n = nf(Family.IPV6, ROUTER + DEFAULT_ROUTES, true);
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv6("2001:db8::9", "2001:db8:99::7").ttl(9).udp(1, 2).payload(1300)), r);
        assertEquals(EngineDrop.FRAG_NEEDED, r.engineDrop);
        assertEquals(io.stockade.rules.Hook.FORWARD, r.path, "ip6_forward checks the device MTU (1400) only");
        Out e = only();
        assertEquals(2, e.u8(40));
        assertEquals(1300, e.u16(46), "the route's MTU");
        assertEquals(8, e.u8(48 + 7), "quotes the packet after the hop-limit decrement");
        assertEquals(4, e.ctinfo());
    }

    @Test
    void ipv6MissingRouteAnswersEvenWithoutForwarding() throws Exception {
        Netfilter n = nf(Family.IPV6, ROUTER.replace("sysctl net.ipv6.conf.all.forwarding=1\n", ""), false);
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv6("2001:db8::9", "2001:db8:77::7").udp(1, 2)), r);
        assertEquals(EngineDrop.NO_ROUTE, r.engineDrop);
        Out e = only();
        assertEquals(1, e.u8(40));
        assertEquals(0, e.u8(41), "no route to destination");
    }

    @Test
    void aLocalDfPacketOverTheRouteMtuIsRefusedAtTheSocket() throws Exception {
        Netfilter n = nf(ROUTER + DEFAULT_ROUTES, false);
        PathResult r = new PathResult();
        n.send(Packets.skb("", PacketBuilder.ipv4("10.0.0.1", "203.0.113.5").dontFragment().udp(1, 2).payload(1322)), r);
        assertEquals(EngineDrop.MESSAGE_TOO_LONG, r.engineDrop);
        assertTrue(out.isEmpty(), () -> "no packet, no ICMP: " + out);
        n.send(Packets.skb("", PacketBuilder.ipv4("10.0.0.1", "203.0.113.5").udp(1, 2).payload(1322)), r);
        assertEquals("accept", r.verdictName());
        assertEquals(2, out.size(), "without DF it leaves as two fragments");
    }

    @Test
    void sendingErrorsAllocatesNothingPerPacket() throws Exception {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean tmx) || !tmx.isThreadAllocatedMemorySupported()) {
            org.junit.jupiter.api.Assumptions.abort("thread allocation counters not supported by this JVM");
            return;
        }
        Netfilter n = new Netfilter(CompiledRuleset.compile(MiniRules.parse(Family.IPV4, "*filter\nCOMMIT"), new StateRegistry()),
                HostLoader.fromConf(ROUTER + DEFAULT_ROUTES), ConnTracker.NONE, Emitter.NONE, Packets.decoder());
        long[] generated = new long[1];
        n.tap((skb, iface, gen) -> {
            if (gen) {
                generated[0]++;
            }
        });
        byte[][] pkts = {
                PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").ttl(1).udp(1, 2).payload(40).build(),
                PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").dontFragment().udp(1, 2).payload(1422).build(),
                PacketBuilder.ipv4("192.0.2.9", "198.18.0.1").udp(1, 2).build(),
        };
        MemorySegment[] segs = new MemorySegment[pkts.length];
        MemorySegment[] originals = new MemorySegment[pkts.length];
        for (int i = 0; i < pkts.length; i++) {
            segs[i] = java.lang.foreign.Arena.ofAuto().allocate(pkts[i].length);
            originals[i] = MemorySegment.ofArray(pkts[i]);
        }
        io.stockade.packet.PacketParser parser = new io.stockade.packet.PacketParser();
        Skb skb = new Skb();
        PathResult res = new PathResult();
        for (int round = 0; round < 2; round++) {
            long before = tmx.getCurrentThreadAllocatedBytes();
            for (int k = 0; k < 30_000; k++) {
                int i = k % pkts.length;
                skb.resetMeta();
                MemorySegment.copy(originals[i], 0, segs[i], 0, pkts[i].length);
                parser.parse(skb.pd, segs[i], 0, pkts[i].length);
                skb.inIface = "eth0";
                skb.timeNanos = (round * 30_000L + k) * 1_000_000_000L;
                n.receive(skb, res);
            }
            long allocated = tmx.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertTrue(allocated < 640 * 1024, "allocated " + allocated + " bytes for 30000 packets");
            }
        }
        assertEquals(60_000, generated[0], "every packet answered (one route error per second per source)");
    }

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    private static String addr4(byte[] b, int off) {
        return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
    }
}
