package io.stockade.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.Conn;
import io.stockade.conntrack.ConntrackFormat;
import io.stockade.conntrack.ConntrackTable;
import io.stockade.engine.Skb;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import io.stockade.rules.Hook;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class NatTest {
    static final long SEC = 1_000_000_000L;
    final ConntrackTable table = new ConntrackTable();
    final PacketParser parser = new PacketParser();
    long now = 100 * SEC;

    static long v4(String a) {
        try {
            return ByteBuffer.wrap(InetAddress.getByName(a).getAddress()).getInt() & 0xffffffffL;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Parses raw IP bytes (14 bytes of link layer in front) into a fresh skb. */
    Skb skb(byte[] ip, Hook hook) {
        byte[] frame = new byte[14 + ip.length];
        System.arraycopy(ip, 0, frame, 14, ip.length);
        Skb skb = new Skb();
        skb.hook = hook;
        skb.timeNanos = now;
        assertTrue(parser.parse(skb.pd, MemorySegment.ofArray(frame), 14, ip.length));
        return skb;
    }

    static void assertChecksums(Skb skb) {
        assertTrue(Checksum.verifyIpv4Header(skb.pd), "IPv4 header checksum");
        assertTrue(Checksum.verifyL4(skb.pd), "transport checksum");
    }

    /** Re-parses the rewritten bytes and checks the descriptor agrees with them. */
    Skb reparse(Skb skb) {
        byte[] ip = skb.pd.data.asSlice(skb.pd.base, skb.pd.ipTotalLength).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        Skb again = skb(ip, skb.hook);
        assertEquals(again.pd.srcLo, skb.pd.srcLo);
        assertEquals(again.pd.dstLo, skb.pd.dstLo);
        assertEquals(again.pd.srcPort, skb.pd.srcPort);
        assertEquals(again.pd.dstPort, skb.pd.dstPort);
        return again;
    }

    static final int SYN = 0x02, ACK = 0x10;

    static byte[] udp(String src, int sport, String dst, int dport) {
        return PacketBuilder.ipv4(src, dst).udp(sport, dport).payload(12).build();
    }

    static byte[] tcp(String src, int sport, String dst, int dport, int flags, int seq, int ack) {
        return PacketBuilder.ipv4(src, dst).tcp(sport, dport).flags(flags).seq(seq).ack(ack).window(64000).build();
    }

    /** Forwarded packet: conntrack in PREROUTING, DNAT hook, SNAT hook with an optional binding, confirm. */
    Skb forward(byte[] ip, Runnable snatRule, Runnable dnatRule) {
        Skb skb = skb(ip, Hook.PREROUTING);
        table.in(skb);
        natHook(skb, Hook.PREROUTING, dnatRule);
        skb.hook = Hook.POSTROUTING;
        natHook(skb, Hook.POSTROUTING, snatRule);
        table.confirm(skb);
        return skb;
    }

    void natHook(Skb skb, Hook hook, Runnable rule) {
        skb.hook = hook;
        Conn ct = skb.conn;
        if (ct == null) {
            return;
        }
        int manip = NatBinding.manipOf(hook);
        boolean fresh = skb.ctinfo == Conn.IP_CT_NEW || skb.ctinfo == Conn.IP_CT_RELATED
                || skb.ctinfo == Conn.IP_CT_RELATED_REPLY;
        if (fresh && !NatBinding.initialized(ct, manip) && !(skb.pd.icmpError)) {
            if (rule != null) {
                rule.run();
            }
            if (!NatBinding.initialized(ct, manip)) {
                assertTrue(NatBinding.nullBinding(ct, hook));
            }
        }
        assertTrue(NatRewrite.packet(skb));
    }

    Runnable snat(Skb[] holder, String from, String to) {
        return () -> assertTrue(NatBinding.setup(holder[0].conn, NatBinding.MANIP_SRC, NatBinding.RANGE_MAP_IPS,
                0, v4(from), 0, v4(to), 0, 0, 0));
    }

    @Test
    void snatRewritesBothDirectionsAndTheReplyTuple() {
        byte[] out = udp("192.168.1.10", 40000, "8.8.8.8", 53);
        Skb[] h = new Skb[1];
        Skb first = skb(out, Hook.PREROUTING);
        h[0] = first;
        table.in(first);
        natHook(first, Hook.PREROUTING, null);
        natHook(first, Hook.POSTROUTING, snat(h, "203.0.113.1", "203.0.113.1"));
        table.confirm(first);
        Conn ct = first.conn;
        assertEquals(v4("203.0.113.1"), first.pd.srcLo);
        assertEquals(40000, first.pd.srcPort, "the original port is free: kept");
        assertChecksums(first);
        reparse(first);
        assertTrue((ct.status & Conn.IPS_SRC_NAT) != 0);
        assertFalse((ct.status & Conn.IPS_DST_NAT) != 0);
        assertEquals("udp      17 30 src=192.168.1.10 dst=8.8.8.8 sport=40000 dport=53 [UNREPLIED] "
                + "src=8.8.8.8 dst=203.0.113.1 sport=53 dport=40000 mark=0 use=1", ConntrackFormat.line(ct, now, false));

        Skb reply = forward(udp("8.8.8.8", 53, "203.0.113.1", 40000), null, null);
        assertSame(ct, reply.conn);
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, reply.ctinfo);
        assertEquals(v4("192.168.1.10"), reply.pd.dstLo, "de-NATed in PREROUTING");
        assertEquals(40000, reply.pd.dstPort);
        assertEquals(v4("8.8.8.8"), reply.pd.srcLo);
        assertChecksums(reply);
        reparse(reply);
    }

    @Test
    void clashingSnatMovesThePort() {
        Skb[] h = new Skb[1];
        Skb a = skb(udp("192.168.1.10", 40000, "8.8.8.8", 53), Hook.PREROUTING);
        h[0] = a;
        table.in(a);
        natHook(a, Hook.POSTROUTING, snat(h, "203.0.113.1", "203.0.113.1"));
        table.confirm(a);
        Skb b = skb(udp("192.168.1.11", 40000, "8.8.8.8", 53), Hook.PREROUTING);
        h[0] = b;
        table.in(b);
        natHook(b, Hook.POSTROUTING, snat(h, "203.0.113.1", "203.0.113.1"));
        table.confirm(b);
        assertFalse(b.ctDrop);
        assertEquals(v4("203.0.113.1"), b.pd.srcLo);
        int port = b.pd.srcPort;
        assertNotEquals(40000, port);
        assertTrue(port >= 1024 && port <= 65535, "a source port >= 1024 stays >= 1024");
        assertEquals(port, b.conn.replyDstPort);
        assertChecksums(b);
        Skb reply = forward(udp("8.8.8.8", 53, "203.0.113.1", port), null, null);
        assertSame(b.conn, reply.conn);
        assertEquals(v4("192.168.1.11"), reply.pd.dstLo);
        assertEquals(40000, reply.pd.dstPort);
        assertEquals(2, table.count());
    }

    @Test
    void dnatTcpAndIcmpErrorTranslation() {
        Skb[] h = new Skb[1];
        byte[] syn = tcp("198.51.100.7", 50000, "203.0.113.1", 80, SYN, 1000, 0);
        Skb s = skb(syn, Hook.PREROUTING);
        h[0] = s;
        table.in(s);
        natHook(s, Hook.PREROUTING, () -> assertTrue(NatBinding.setup(h[0].conn, NatBinding.MANIP_DST,
                NatBinding.RANGE_MAP_IPS | NatBinding.RANGE_PROTO_SPECIFIED, 0, v4("10.0.0.5"), 0, v4("10.0.0.5"),
                8080, 8080, 0)));
        natHook(s, Hook.POSTROUTING, null);
        table.confirm(s);
        assertEquals(v4("10.0.0.5"), s.pd.dstLo);
        assertEquals(8080, s.pd.dstPort);
        assertChecksums(s);
        Conn ct = s.conn;
        assertEquals("tcp      6 120 SYN_SENT src=198.51.100.7 dst=203.0.113.1 sport=50000 dport=80 [UNREPLIED] "
                + "src=10.0.0.5 dst=198.51.100.7 sport=8080 dport=50000 mark=0 use=1", ConntrackFormat.line(ct, now, false));

        byte[] synack = tcp("10.0.0.5", 8080, "198.51.100.7", 50000,
                SYN | ACK, 7000, 1001);
        Skb r = forward(synack, null, null);
        assertSame(ct, r.conn);
        assertEquals(v4("203.0.113.1"), r.pd.srcLo, "source restored in POSTROUTING");
        assertEquals(80, r.pd.srcPort);
        assertChecksums(r);

        // The server's host answers the client's next segment with an ICMP error about it, as it
        // saw it (after DNAT): the error must reach the client looking like it is about 203.0.113.1:80.
        byte[] quoted = tcp("198.51.100.7", 50000, "10.0.0.5", 8080, ACK, 1001, 7001);
        byte[] err = PacketBuilder.ipv4("10.0.0.5", "198.51.100.7").icmp(3, 3).quote(quoted).build();
        Skb e = forward(err, null, null);
        assertSame(ct, e.conn);
        assertEquals(Conn.IP_CT_RELATED_REPLY, e.ctinfo);
        assertEquals(v4("203.0.113.1"), e.pd.srcLo, "outer source translated");
        assertChecksums(e);
        Skb again = reparse(e);
        int inner = again.pd.icmpInnerOffset;
        MemorySegment d = again.pd.data;
        assertEquals(v4("203.0.113.1"), io.stockade.packet.Wire.u32(d, inner + 16), "inner destination");
        assertEquals(80, io.stockade.packet.Wire.u16(d, inner + 20 + 2), "inner destination port");
    }

    @Test
    void icmpEchoSnatKeepsIdWhenFree() {
        Skb[] h = new Skb[1];
        byte[] echo = PacketBuilder.ipv4("192.168.1.10", "8.8.8.8").echoRequest(0x1234, 1).build();
        Skb s = skb(echo, Hook.PREROUTING);
        h[0] = s;
        table.in(s);
        natHook(s, Hook.POSTROUTING, snat(h, "203.0.113.1", "203.0.113.1"));
        table.confirm(s);
        assertEquals(v4("203.0.113.1"), s.pd.srcLo);
        assertChecksums(s);
        Skb r = forward(PacketBuilder.ipv4("8.8.8.8", "203.0.113.1").echoReply(0x1234, 1).build(), null, null);
        assertSame(s.conn, r.conn);
        assertEquals(v4("192.168.1.10"), r.pd.dstLo);
        assertChecksums(r);
    }

    @Test
    void sameSourceReusesItsMapping() {
        Skb[] h = new Skb[1];
        Skb a = skb(udp("192.168.1.10", 40000, "8.8.8.8", 53), Hook.PREROUTING);
        h[0] = a;
        table.in(a);
        natHook(a, Hook.POSTROUTING, snat(h, "203.0.113.1", "203.0.113.200"));
        table.confirm(a);
        long mapped = a.pd.srcLo;
        for (int i = 0; i < 20; i++) {
            Skb b = skb(udp("192.168.1.10", 40000, "9.9.9." + (i + 1), 53), Hook.PREROUTING);
            h[0] = b;
            table.in(b);
            natHook(b, Hook.POSTROUTING, snat(h, "203.0.113.1", "203.0.113.200"));
            table.confirm(b);
            assertEquals(mapped, b.pd.srcLo, "find_appropriate_src keeps the source's address");
            assertEquals(40000, b.pd.srcPort);
        }
    }

    @Test
    void addressRangeIsHashedConsistently() {
        Skb[] h = new Skb[1];
        long first = -1;
        for (int i = 0; i < 2; i++) {
            table.flush();
            Skb s = skb(udp("192.168.1.10", 40000, "8.8.8.8", 53), Hook.PREROUTING);
            h[0] = s;
            table.in(s);
            natHook(s, Hook.POSTROUTING, snat(h, "203.0.113.1", "203.0.113.10"));
            long chosen = s.pd.srcLo;
            assertTrue(chosen >= v4("203.0.113.1") && chosen <= v4("203.0.113.10"));
            if (first >= 0) {
                assertEquals(first, chosen, "same source and destination: same address");
            }
            first = chosen;
        }
    }
}
