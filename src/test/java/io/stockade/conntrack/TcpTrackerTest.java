package io.stockade.conntrack;

import static io.stockade.conntrack.Pkt.ACK;
import static io.stockade.conntrack.Pkt.FIN;
import static io.stockade.conntrack.Pkt.PSH;
import static io.stockade.conntrack.Pkt.RST;
import static io.stockade.conntrack.Pkt.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Skb;
import io.stockade.rules.Hook;
import org.junit.jupiter.api.Test;

class TcpTrackerTest {
    static final String C = "10.0.0.1", S = "10.0.0.2";
    static final int CP = 40000, SP = 22;
    final Harness h = new Harness();

    Pkt c2s(int flags, int seq, int ack) {
        return Pkt.ip(C, S).tcp(CP, SP, flags, seq, ack, 64240);
    }

    Pkt s2c(int flags, int seq, int ack) {
        return Pkt.ip(S, C).tcp(SP, CP, flags, seq, ack, 65160);
    }

    /** Three-way handshake: client ISN 1000, server ISN 5000. */
    Conn handshake() {
        h.send(c2s(SYN, 1000, 0));
        h.send(s2c(SYN | ACK, 5000, 1001));
        Skb skb = h.send(c2s(ACK, 1001, 5001));
        return skb.conn;
    }

    @Test
    void handshakeStatesCtinfoAndTimeouts() {
        Skb skb = h.send(c2s(SYN, 1000, 0));
        Conn ct = skb.conn;
        assertNotNull(ct);
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(Conn.STATE_NEW, skb.ctStateBits);
        assertEquals(TcpTracker.SYN_SENT, ct.l4State);
        assertEquals(120, h.left(ct));
        assertEquals(1, h.table.count());
        assertEquals("tcp      6 120 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=22 [UNREPLIED] "
                + "src=10.0.0.2 dst=10.0.0.1 sport=22 dport=40000 mark=0 use=1", h.line(ct));

        h.advance(0.5);
        skb = h.send(s2c(SYN | ACK, 5000, 1001));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        assertEquals(Conn.STATE_ESTABLISHED, skb.ctStateBits);
        assertEquals(TcpTracker.SYN_RECV, ct.l4State);
        assertEquals(60, h.left(ct));
        assertTrue((ct.status & Conn.IPS_SEEN_REPLY) != 0);
        assertFalse((ct.status & Conn.IPS_ASSURED) != 0);

        skb = h.send(c2s(ACK, 1001, 5001));
        assertEquals(Conn.IP_CT_ESTABLISHED, skb.ctinfo);
        assertEquals(TcpTracker.ESTABLISHED, ct.l4State);
        assertTrue((ct.status & Conn.IPS_ASSURED) != 0);
        assertEquals(432000, h.left(ct));
        h.advance(1);
        assertEquals("tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=22 "
                + "src=10.0.0.2 dst=10.0.0.1 sport=22 dport=40000 [ASSURED] mark=0 use=1", h.line(ct));
    }

    @Test
    void teardownWalksFinWaitCloseWaitLastAckTimeWait() {
        Conn ct = handshake();
        h.send(c2s(FIN | ACK, 1001, 5001));
        assertEquals(TcpTracker.FIN_WAIT, ct.l4State);
        assertEquals(120, h.left(ct));
        h.send(s2c(ACK, 5001, 1002));
        assertEquals(TcpTracker.CLOSE_WAIT, ct.l4State);
        assertEquals(60, h.left(ct));
        h.send(s2c(FIN | ACK, 5001, 1002));
        assertEquals(TcpTracker.LAST_ACK, ct.l4State);
        assertEquals(30, h.left(ct));
        h.send(c2s(ACK, 1002, 5002));
        assertEquals(TcpTracker.TIME_WAIT, ct.l4State);
        assertEquals(120, h.left(ct));
    }

    @Test
    void rstInWindowClosesOutOfWindowIsInvalid() {
        Conn ct = handshake();
        Skb skb = h.send(s2c(RST, 900_000, 0));
        assertNull(skb.conn, "RST far outside the window");
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
        assertEquals(TcpTracker.ESTABLISHED, ct.l4State);
        skb = h.send(s2c(RST | ACK, 5001, 1001));
        assertSame(ct, skb.conn);
        assertEquals(TcpTracker.CLOSE, ct.l4State);
        assertEquals(10, h.left(ct));
    }

    @Test
    void rstWithSeqBelowMaxAckIsInvalid() {
        Conn ct = handshake();
        h.send(s2c(ACK | PSH, 5001, 1001).payload(100)); // server acked up to 1001; sends 100 bytes
        h.send(c2s(ACK, 1001, 5101)); // client's max ack = 5101
        Skb skb = h.send(s2c(RST, 5050, 0)); // seq before the client's max ack: RFC 5961 blind reset
        assertNull(skb.conn);
        assertEquals(TcpTracker.ESTABLISHED, ct.l4State);
    }

    @Test
    void rstAnsweringSynDeletesEntry() {
        h.send(c2s(SYN, 1000, 0));
        Skb skb = h.send(s2c(RST | ACK, 0, 1001));
        assertNotNull(skb.conn, "the RST itself belongs to the entry");
        assertEquals(0, h.table.count(), "an entry whose only reply is a RST is deleted at once");
    }

    @Test
    void synAckWithoutSynIsInvalidAndCreatesNothing() {
        Skb skb = h.send(s2c(SYN | ACK, 5000, 1001));
        assertNull(skb.conn);
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
        assertEquals(0, h.table.count());
    }

    @Test
    void invalidFlagCombinations() {
        int[] bad = {SYN | FIN, 0, FIN, SYN | RST, FIN | RST | ACK, PSH, SYN | FIN | ACK};
        for (int f : bad) {
            Skb skb = h.send(c2s(f, 1000, 0));
            assertNull(skb.conn, "flags " + f);
            assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
        }
        assertEquals(0, h.table.count());
        assertTrue(h.table.stats.get(CtStats.TCP_FLAGS) >= 6);
    }

    @Test
    void midStreamPickupWithLoose() {
        Skb skb = h.send(c2s(ACK | PSH, 1000, 5000).payload(10));
        Conn ct = skb.conn;
        assertNotNull(ct);
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(TcpTracker.ESTABLISHED, ct.l4State);
        assertEquals(300, h.left(ct), "picked-up ESTABLISHED without reply is capped at unacknowledged");
        skb = h.send(s2c(ACK, 5000, 1010));
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        assertFalse((ct.status & Conn.IPS_ASSURED) != 0);
        skb = h.send(c2s(ACK, 1010, 5000));
        assertEquals(Conn.IP_CT_ESTABLISHED, skb.ctinfo);
        assertTrue((ct.status & Conn.IPS_ASSURED) != 0);
        assertEquals(432000, h.left(ct));
    }

    @Test
    void midStreamPickupRefusedWithoutLoose() {
        h.cfg.tcpLoose = false;
        Skb skb = h.send(c2s(ACK, 1000, 5000));
        assertNull(skb.conn);
        assertEquals(0, h.table.count());
    }

    @Test
    void retransmissionsShortenTimeout() {
        h.cfg.tcpTimeoutMaxRetrans = 200;
        Conn ct = handshake();
        h.send(s2c(ACK, 5001, 1001)); // all acked
        for (int i = 0; i < 3; i++) {
            h.send(c2s(ACK | PSH, 1001, 5001).payload(50));
            assertEquals(i, ct.retrans);
            assertEquals(300, h.left(ct), "unacknowledged data: 300 s");
        }
        h.send(c2s(ACK | PSH, 1001, 5001).payload(50));
        assertEquals(3, ct.retrans);
        assertEquals(200, h.left(ct), "max_retrans reached: timeout_max_retrans");
        h.send(s2c(ACK, 5001, 1051));
        h.send(c2s(ACK, 1051, 5001));
        assertEquals(0, ct.retrans);
        assertEquals(432000, h.left(ct));
    }

    @Test
    void dataBeyondTheWindowIsInvalid() {
        Conn ct = handshake();
        Skb skb = h.send(c2s(ACK | PSH, 1001 + 10_000_000, 5001).payload(10));
        assertNull(skb.conn);
        assertEquals(Conn.STATE_INVALID, skb.ctStateBits);
        assertEquals(TcpTracker.ESTABLISHED, ct.l4State);
        skb = h.send(c2s(ACK, 1001, 5001 + 10_000_000));
        assertNull(skb.conn, "ACK for data never sent");
    }

    @Test
    void synOnTimeWaitReopens() {
        Conn ct = handshake();
        h.send(c2s(FIN | ACK, 1001, 5001));
        h.send(s2c(FIN | ACK, 5001, 1002));
        h.send(c2s(ACK, 1002, 5002));
        assertEquals(TcpTracker.TIME_WAIT, ct.l4State);
        Skb skb = h.send(c2s(SYN, 90_000, 0));
        assertNotNull(skb.conn);
        assertNotSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(TcpTracker.SYN_SENT, skb.conn.l4State);
        assertEquals(1, h.table.count());
    }

    @Test
    void synInEstablishedIsIgnoredNotInvalid() {
        Conn ct = handshake();
        Skb skb = h.send(c2s(SYN, 77_000, 0));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_ESTABLISHED, skb.ctinfo);
        assertEquals(TcpTracker.ESTABLISHED, ct.l4State);
    }

    @Test
    void synRetransmitDoesNotRenewTimeout() {
        Skb skb = h.send(c2s(SYN, 1000, 0));
        Conn ct = skb.conn;
        h.advance(50);
        skb = h.send(c2s(SYN, 1000, 0));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(70, h.left(ct));
    }

    @Test
    void entriesExpireOnPacketTime() {
        Conn ct = handshake();
        h.send(c2s(FIN | ACK, 1001, 5001));
        assertEquals(TcpTracker.FIN_WAIT, ct.l4State);
        h.advance(121);
        assertTrue(h.table.entries(h.now).isEmpty(), "expired entries are not listed");
        Skb skb = h.send(s2c(ACK, 5001, 1002));
        assertNotSame(ct, skb.conn, "the old entry expired; the server's ACK is a mid-stream pickup");
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(Pkt.ip(S, C).into(new Skb(), Hook.PREROUTING, 0).pd.srcLo, skb.conn.origSrcLo);
        assertEquals(1, h.table.count());
        h.advance(301);
        skb = h.send(Pkt.ip(S, C).tcp(SP, CP, SYN | ACK, 5000, 1001, 100));
        assertNull(skb.conn, "SYN/ACK creates nothing");
        assertEquals(0, h.table.count(), "the lookup reaped the expired entry");
    }

    @Test
    void droppedFirstPacketLeavesNoEntry() {
        Skb skb = h.sendDropped(c2s(SYN, 1000, 0));
        assertNotNull(skb.conn);
        assertEquals(0, h.table.count());
        skb = h.send(c2s(SYN, 1000, 0));
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        assertEquals(1, h.table.count());
    }

    @Test
    void badChecksumInvalidInPreroutingOnly() {
        Skb skb = h.send(c2s(SYN, 1000, 0).badChecksum());
        assertNull(skb.conn);
        assertEquals(1, h.table.stats.get(CtStats.BAD_CHECKSUM));
        h.hook = Hook.OUTPUT;
        skb = h.send(c2s(SYN, 1000, 0).badChecksum());
        assertNotNull(skb.conn, "locally generated packets are not checksummed");
        h.hook = Hook.PREROUTING;
        h.cfg.checksum = false;
        skb = h.send(s2c(SYN | ACK, 5000, 1001).badChecksum());
        assertNotNull(skb.conn);
    }

    @Test
    void windowScaleFromHandshake() {
        byte[] wscale = {1, 3, 3, 7}; // NOP, WS 7
        h.send(Pkt.ip(C, S).tcp(CP, SP, SYN, 1000, 0, 64240, wscale));
        Skb skb = h.send(Pkt.ip(S, C).tcp(SP, CP, SYN | ACK, 5000, 1001, 65160, wscale));
        Conn ct = skb.conn;
        assertEquals(7, ct.tdScale[0]);
        assertEquals(7, ct.tdScale[1]);
        h.send(c2s(ACK, 1001, 5001));
        // Server advertises 1000 << 7 = 128000 bytes; client may send 100000 bytes ahead.
        h.send(Pkt.ip(S, C).tcp(SP, CP, ACK, 5001, 1001, 1000));
        skb = h.send(c2s(ACK | PSH, 1001 + 100_000, 5001).payload(10));
        assertSame(ct, skb.conn, "inside the scaled window");
    }

    @Test
    void simultaneousOpen() {
        h.send(c2s(SYN, 1000, 0));
        Skb skb = h.send(s2c(SYN, 5000, 0));
        Conn ct = skb.conn;
        assertEquals(TcpTracker.SYN_SENT2, ct.l4State);
        h.send(c2s(SYN | ACK, 1000, 5001));
        assertEquals(TcpTracker.SYN_RECV, ct.l4State);
        h.send(s2c(ACK, 5001, 1001));
        assertEquals(TcpTracker.ESTABLISHED, ct.l4State);
    }
}
