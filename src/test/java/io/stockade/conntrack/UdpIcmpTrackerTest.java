package io.stockade.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Skb;
import org.junit.jupiter.api.Test;

class UdpIcmpTrackerTest {
    final Harness h = new Harness();

    @Test
    void udpUnrepliedThenReplyThenStream() {
        Skb skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(36420, 53).payload(20));
        Conn ct = skb.conn;
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(30, h.left(ct));
        assertEquals("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=36420 dport=53 [UNREPLIED] "
                + "src=10.0.0.2 dst=10.0.0.1 sport=53 dport=36420 mark=0 use=1", h.line(ct));
        h.advance(0.5);
        skb = h.send(Pkt.ip("10.0.0.2", "10.0.0.1").udp(53, 36420).payload(40));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        assertTrue((ct.status & Conn.IPS_SEEN_REPLY) != 0);
        assertEquals(30, h.left(ct));
        h.advance(0.5);
        skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(36420, 53));
        assertEquals(Conn.IP_CT_ESTABLISHED, skb.ctinfo);
        assertFalse((ct.status & Conn.IPS_ASSURED) != 0, "within two seconds of creation: not a stream yet");
        assertEquals(30, h.left(ct));
        h.advance(2);
        h.send(Pkt.ip("10.0.0.2", "10.0.0.1").udp(53, 36420));
        assertTrue((ct.status & Conn.IPS_ASSURED) != 0);
        assertEquals(120, h.left(ct));
        assertEquals(2, ct.packets[0]);
        assertEquals(2, ct.packets[1]);
    }

    @Test
    void udpUnrepliedExpiresAfter30s() {
        Conn ct = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(1000, 2000)).conn;
        h.advance(30);
        Skb skb = h.send(Pkt.ip("10.0.0.2", "10.0.0.1").udp(2000, 1000));
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo, "the reply after expiry starts a new flow");
        assertTrue(skb.conn != ct);
    }

    @Test
    void udpBadChecksumAndLength() {
        Skb skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 2).payload(8).badChecksum());
        assertNull(skb.conn);
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
    }

    /**
     * udplite_error verifies UDP-Lite with IPPROTO_UDP in the pseudo-header (nf_checksum_partial):
     * found by the kernel differential (seed 20261123 case 9): the kernel listed no entry for an
     * RFC 3828-correct datagram, Stockade tracked it.
     */
    @Test
    void udpliteChecksumIsVerifiedAsTheKernelDoes() {
        Skb skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udplite(36420, 1234, 136).payload(20));
        assertNull(skb.conn, "the RFC checksum (protocol 136) is INVALID to Linux conntrack");
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
        skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udplite(36420, 1234, 17).payload(20));
        assertNotNull(skb.conn, "the checksum with protocol 17 is the one conntrack accepts");
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
    }

    /** nf_conntrack_udplite_packet: ASSURED and the stream timeout on the first packet after a reply (seed 20261123 case 208). */
    @Test
    void udpliteIsAssuredWithoutTheUdpStreamDelay() {
        Conn ct = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udplite(5000, 1234, 17).payload(8)).conn;
        h.advance(0.1);
        h.send(Pkt.ip("10.0.0.2", "10.0.0.1").udplite(1234, 5000, 17).payload(8));
        assertFalse((ct.status & Conn.IPS_ASSURED) != 0, "the reply itself sets SEEN_REPLY only after the tracker ran");
        h.advance(0.1);
        h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udplite(5000, 1234, 17).payload(4));
        assertTrue((ct.status & Conn.IPS_ASSURED) != 0, "UDP-Lite has no two-second stream rule");
        assertEquals(120, h.left(ct));
    }

    @Test
    void icmpEchoRequestReply() {
        Skb skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").icmp(8, 0, 0x1234, 1));
        Conn ct = skb.conn;
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(30, h.left(ct));
        assertEquals("icmp     1 30 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=4660 [UNREPLIED] "
                + "src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=4660 mark=0 use=1", h.line(ct));
        skb = h.send(Pkt.ip("10.0.0.2", "10.0.0.1").icmp(0, 0, 0x1234, 1));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").icmp(8, 0, 0x1234, 2));
        assertEquals(Conn.IP_CT_ESTABLISHED, skb.ctinfo);
    }

    @Test
    void icmpReplyWithoutRequestAndNonQueriesAreInvalid() {
        assertNull(h.send(Pkt.ip("10.0.0.2", "10.0.0.1").icmp(0, 0, 7, 1)).conn);
        assertNull(h.send(Pkt.ip("10.0.0.2", "10.0.0.1").icmp(9, 0, 0, 0)).conn, "router advertisement");
        assertNull(h.send(Pkt.ip("10.0.0.2", "10.0.0.1").icmp(42, 0, 0, 0)).conn, "type > NR_ICMP_TYPES");
        assertEquals(0, h.table.count());
    }

    @Test
    void icmpErrorAboutTrackedUdpIsRelated() {
        Pkt out = Pkt.ip("10.0.0.1", "10.0.0.2").udp(5000, 53);
        Conn ct = h.send(out).conn;
        long expires = ct.expiresNanos;
        h.advance(1);
        Skb skb = h.send(Pkt.ip("10.0.0.2", "10.0.0.1").icmpError(3, 3, out));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_RELATED_REPLY, skb.ctinfo);
        assertEquals(Conn.STATE_RELATED, skb.ctStateBits);
        assertEquals(expires, ct.expiresNanos, "a related error does not refresh the entry");
        assertEquals(1, h.table.count());
        // A router on the path may send it too; only the outer destination must be the inner source.
        skb = h.send(Pkt.ip("192.0.2.9", "10.0.0.1").icmpError(11, 0, out));
        assertSame(ct, skb.conn);
    }

    @Test
    void icmpErrorAboutTcpInOriginalDirection() {
        Pkt syn = Pkt.ip("10.0.0.1", "10.0.0.2").tcp(40000, 80, Pkt.SYN, 1, 0, 1000);
        Conn ct = h.send(syn).conn;
        Pkt synack = Pkt.ip("10.0.0.2", "10.0.0.1").tcp(80, 40000, Pkt.SYN | Pkt.ACK, 9, 2, 1000);
        h.send(synack);
        // An error about the server's packet travels towards the server: RELATED in original direction.
        Skb skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").icmpError(3, 1, synack));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_RELATED, skb.ctinfo);
    }

    @Test
    void icmpErrorAboutNothingOrWrongDestinationIsInvalid() {
        Pkt out = Pkt.ip("10.0.0.1", "10.0.0.2").udp(5000, 53);
        Skb skb = h.send(Pkt.ip("10.0.0.2", "10.0.0.1").icmpError(3, 3, out));
        assertNull(skb.conn);
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
        h.send(out);
        skb = h.send(Pkt.ip("10.0.0.2", "10.0.0.77").icmpError(3, 3, out));
        assertNull(skb.conn, "outer destination is not the inner source");
        assertEquals(1, h.table.stats.get(CtStats.ICMP_ERROR_ADDRESS));
    }

    @Test
    void icmpErrorAboutEchoRequest() {
        Pkt echo = Pkt.ip("10.0.0.1", "10.0.0.2").icmp(8, 0, 99, 1);
        Conn ct = h.send(echo).conn;
        Skb skb = h.send(Pkt.ip("10.0.0.9", "10.0.0.1").icmpError(11, 0, echo));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_RELATED_REPLY, skb.ctinfo);
    }

    @Test
    void icmpv6EchoAndNeighbourDiscovery() {
        Skb skb = h.send(Pkt.ip("fd00::1", "fd00::2").icmp(128, 0, 7, 1));
        Conn ct = skb.conn;
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals("icmpv6   58 30 src=fd00::1 dst=fd00::2 type=128 code=0 id=7 [UNREPLIED] "
                + "src=fd00::2 dst=fd00::1 type=129 code=0 id=7 mark=0 use=1", h.line(ct));
        skb = h.send(Pkt.ip("fd00::2", "fd00::1").icmp(129, 0, 7, 1));
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        skb = h.send(Pkt.ip("fd00::2", "ff02::1:ff00:1").icmp(135, 0, 0, 0));
        assertNull(skb.conn);
        assertEquals(Conn.IP_CT_UNTRACKED, skb.ctinfo);
        assertEquals(Conn.STATE_UNTRACKED, skb.ctStateBits);
        skb = h.send(Pkt.ip("fe80::1", "ff02::1").icmp(134, 0, 0, 0));
        assertEquals(Conn.STATE_UNTRACKED, skb.ctStateBits, "router advertisement");
        skb = h.send(Pkt.ip("fd00::2", "fd00::1").icmp(137, 0, 0, 0));
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits, "redirect is not in the untracked set");
        assertEquals(1, h.table.count());
    }

    @Test
    void icmpv6ErrorAboutTcpIsRelated() {
        Pkt syn = Pkt.ip("fd00::1", "fd00::2").tcp(40000, 80, Pkt.SYN, 1, 0, 1000);
        Conn ct = h.send(syn).conn;
        Skb skb = h.send(Pkt.ip("fd00::2", "fd00::1").icmpError(1, 4, syn));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_RELATED_REPLY, skb.ctinfo);
    }

    @Test
    void genericProtocolAndFragments() {
        Skb skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").proto(47));
        Conn ct = skb.conn;
        assertNotNull(ct);
        assertEquals(30, h.left(ct));
        assertEquals("gre      47 30 src=10.0.0.1 dst=10.0.0.2 srckey=0x0 dstkey=0x0 [UNREPLIED] "
                + "src=10.0.0.2 dst=10.0.0.1 srckey=0x0 dstkey=0x0 mark=0 use=1", h.line(ct));
        h.send(Pkt.ip("10.0.0.2", "10.0.0.1").proto(47));
        h.send(Pkt.ip("10.0.0.1", "10.0.0.2").proto(47));
        assertEquals(180, h.left(ct));
        assertTrue((ct.status & Conn.IPS_ASSURED) != 0);
        assertEquals("unknown  50 600 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 mark=0 use=1",
                h.line(h.send(Pkt.ip("10.0.0.1", "10.0.0.2").proto(50)).conn));
        skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 2).fragOffset(1480));
        assertNull(skb.conn);
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
    }

    @Test
    void notrackAndZones() {
        Skb skb = h.skb;
        Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 2).into(skb, h.hook, h.now);
        skb.ctinfo = Conn.IP_CT_UNTRACKED;
        h.table.in(skb);
        h.table.confirm(skb);
        assertNull(skb.conn);
        assertEquals(Conn.STATE_UNTRACKED, skb.ctStateBits);
        assertEquals(0, h.table.count());

        Conn a = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 2)).conn;
        Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 2).into(skb, h.hook, h.now);
        skb.conn = Conn.template(5, null);
        h.table.in(skb);
        h.table.confirm(skb);
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo, "zone 5 is a separate table");
        assertEquals(5, skb.conn.zone);
        assertTrue(skb.conn != a);
        assertEquals(2, h.table.count());
        assertTrue(h.line(skb.conn).endsWith("mark=0 zone=5 use=1"));
        Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 2).into(skb, h.hook, h.now);
        skb.ctZone = 7; // the CT target's template fields
        h.table.in(skb);
        h.table.confirm(skb);
        assertEquals(7, skb.conn.zone);
        assertEquals(3, h.table.count());
    }

    @Test
    void earlyDropEvictsUnassuredAndDropsWhenAllAssured() {
        h.cfg.max = 2;
        h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 2));
        h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(3, 4));
        Skb skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(5, 6));
        assertNotNull(skb.conn);
        assertFalse(skb.ctDrop);
        assertEquals(2, h.table.count());
        assertEquals(1, h.table.stats.get(CtStats.EARLY_DROP));
        for (Conn c : h.table.entries(h.now)) {
            c.status |= Conn.IPS_ASSURED;
        }
        skb = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(7, 8));
        assertTrue(skb.ctDrop, "table full, dropping packet");
        assertNull(skb.conn);
        assertEquals(2, h.table.count());
        assertEquals(1, h.table.stats.get(CtStats.TABLE_FULL));
    }

    @Test
    void manyEntriesGrowTheIndexAndStayFindable() {
        for (int i = 0; i < 5000; i++) {
            h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(10000 + i, 53));
        }
        assertEquals(5000, h.table.count());
        for (int i = 0; i < 5000; i += 7) {
            Skb skb = h.send(Pkt.ip("10.0.0.2", "10.0.0.1").udp(53, 10000 + i));
            assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        }
        h.advance(31);
        h.table.reap(h.now);
        assertEquals(0, h.table.count());
    }
}
