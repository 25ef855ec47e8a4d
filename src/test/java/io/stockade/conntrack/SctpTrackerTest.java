package io.stockade.conntrack;

import static io.stockade.conntrack.Pkt.chunk;
import static io.stockade.conntrack.Pkt.initChunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Skb;
import org.junit.jupiter.api.Test;

/** SCTP tracking (nf_conntrack_proto_sctp): states, verification tags, timeouts, INVALID cases, listing. */
class SctpTrackerTest {
    static final String C = "10.0.0.1", S = "10.0.1.2";
    static final int TAG_C = 0x11111111, TAG_S = 0x22222222;
    static final byte[] NOBODY = new byte[0];

    static Pkt fromClient(int vtag, byte[]... chunks) {
        return Pkt.ip(C, S).sctp(5000, 80, vtag, chunks);
    }

    static Pkt fromServer(int vtag, byte[]... chunks) {
        return Pkt.ip(S, C).sctp(80, 5000, vtag, chunks);
    }

    static String state(Skb skb) {
        return skb.conn == null ? "INVALID" : SctpTracker.NAMES[skb.conn.l4State];
    }

    @Test
    void associationLifecycle() {
        Harness h = new Harness();
        Skb skb = h.send(fromClient(0, initChunk(SctpTracker.INIT, TAG_C)));
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
        Conn ct = skb.conn;
        assertNotNull(ct);
        assertEquals("CLOSED", state(skb));
        assertEquals(10, h.left(ct));
        h.advance(0.01);
        skb = h.send(fromServer(TAG_C, initChunk(SctpTracker.INIT_ACK, TAG_S)));
        assertSame(ct, skb.conn);
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        assertEquals("COOKIE_WAIT", state(skb));
        assertEquals(3, h.left(ct));
        skb = h.send(fromClient(TAG_S, chunk(SctpTracker.COOKIE_ECHO, 0, new byte[8])));
        assertEquals("COOKIE_ECHOED", state(skb));
        assertEquals(0, ct.status & Conn.IPS_ASSURED);
        skb = h.send(fromServer(TAG_C, chunk(SctpTracker.COOKIE_ACK, 0, NOBODY)));
        assertEquals("ESTABLISHED", state(skb));
        assertTrue((ct.status & Conn.IPS_ASSURED) != 0);
        assertEquals(210, h.left(ct));
        assertEquals("sctp     132 210 ESTABLISHED src=10.0.0.1 dst=10.0.1.2 sport=5000 dport=80 src=10.0.1.2"
                + " dst=10.0.0.1 sport=80 dport=5000 [ASSURED] mark=0 use=1", h.line(ct));
        // data with the right tag; with the wrong tag INVALID and the entry untouched
        h.advance(100);
        assertEquals("ESTABLISHED", state(h.send(fromClient(TAG_S, chunk(SctpTracker.DATA, 3, new byte[20])))));
        assertEquals(210, h.left(ct));
        h.advance(10);
        assertEquals("INVALID", state(h.send(fromClient(TAG_C, chunk(SctpTracker.DATA, 3, new byte[20])))));
        assertEquals(200, h.left(ct));
        // shutdown sequence
        assertEquals("SHUTDOWN_SENT", state(h.send(fromClient(TAG_S, chunk(SctpTracker.SHUTDOWN, 0, new byte[4])))));
        assertEquals(3, h.left(ct));
        assertEquals("SHUTDOWN_ACK_SENT", state(h.send(fromServer(TAG_C, chunk(SctpTracker.SHUTDOWN_ACK, 0, NOBODY)))));
        assertEquals("CLOSED", state(h.send(fromClient(TAG_S, chunk(SctpTracker.SHUTDOWN_COMPLETE, 0, NOBODY)))));
        assertEquals(10, h.left(ct));
        h.advance(10);
        assertTrue(h.table.entries(h.now).isEmpty());
    }

    @Test
    void invalidPackets() {
        Harness h = new Harness();
        String[] why = {"bad crc", "data first", "abort first", "cookie-ack first", "init with a tag",
            "init bundled", "no chunk", "zero-length chunk", "cookie-echo second"};
        Pkt[] pkts = {
            fromClient(0, initChunk(SctpTracker.INIT, TAG_C)).badChecksum(),
            fromClient(TAG_S, chunk(SctpTracker.DATA, 3, new byte[8])),
            fromClient(TAG_S, chunk(SctpTracker.ABORT, 0, NOBODY)),
            fromClient(TAG_S, chunk(SctpTracker.COOKIE_ACK, 0, NOBODY)),
            fromClient(7, initChunk(SctpTracker.INIT, TAG_C)),
            fromClient(0, initChunk(SctpTracker.INIT, TAG_C), chunk(SctpTracker.DATA, 3, new byte[8])),
            fromClient(0),
            fromClient(0, new byte[] {(byte) SctpTracker.INIT, 0, 0, 0}),
            fromClient(TAG_S, chunk(SctpTracker.DATA, 3, new byte[8]), chunk(SctpTracker.COOKIE_ECHO, 0, new byte[8])),
        };
        for (int i = 0; i < pkts.length; i++) {
            assertEquals("INVALID", state(h.send(pkts[i])), why[i]);
        }
        assertEquals(0, h.table.count());
        // nf_conntrack_checksum=0, or a packet not in PREROUTING: the CRC is not checked
        h.cfg.checksum = false;
        assertEquals("CLOSED", state(h.send(fromClient(0, initChunk(SctpTracker.INIT, TAG_C)).badChecksum())));
        assertEquals(1, h.table.count());
    }

    @Test
    void heartbeatFlow() {
        Harness h = new Harness();
        Skb skb = h.send(fromClient(0x5555, chunk(SctpTracker.HEARTBEAT, 0, new byte[8])));
        Conn ct = skb.conn;
        assertEquals("HEARTBEAT_SENT", state(skb));
        assertEquals(30, h.left(ct));
        skb = h.send(fromServer(0x6666, chunk(SctpTracker.HEARTBEAT_ACK, 0, new byte[8])));
        assertEquals("ESTABLISHED", state(skb));
        assertTrue((ct.status & Conn.IPS_ASSURED) != 0);
        // the tags were learnt from the heartbeats: data must carry them
        assertEquals("ESTABLISHED", state(h.send(fromClient(0x5555, chunk(SctpTracker.DATA, 3, new byte[4])))));
        assertEquals("INVALID", state(h.send(fromServer(0x5555, chunk(SctpTracker.DATA, 3, new byte[4])))));
    }

    @Test
    void initRetransmittedOnClosedEntryDoesNotRenewIt() {
        Harness h = new Harness();
        Conn ct = h.send(fromClient(0, initChunk(SctpTracker.INIT, TAG_C))).conn;
        h.advance(6);
        assertEquals("CLOSED", state(h.send(fromClient(0, initChunk(SctpTracker.INIT, TAG_C)))));
        assertEquals(4, h.left(ct));
    }

    @Test
    void shutdownEntriesCanBeEarlyDropped() {
        assertTrue(SctpTracker.canEarlyDrop(SctpTracker.SHUTDOWN_SENT));
        assertTrue(SctpTracker.canEarlyDrop(SctpTracker.SHUTDOWN_ACK_SENT));
        assertEquals(false, SctpTracker.canEarlyDrop(SctpTracker.ESTABLISHED));
    }

    @Test
    void dccpIsGenericWithoutPorts() {
        Harness h = new Harness();
        Conn a = h.send(Pkt.ip(C, S).proto(33)).conn;
        // another port pair is the same generic flow (Linux 6.16+ has no DCCP tracker)
        Pkt other = Pkt.ip(C, S).proto(33);
        Skb skb = h.send(other);
        assertSame(a, skb.conn);
        assertEquals(600, h.left(a));
        assertEquals("dccp     33 600 src=10.0.0.1 dst=10.0.1.2 sport=0 dport=0 [UNREPLIED] src=10.0.1.2"
                + " dst=10.0.0.1 sport=0 dport=0 mark=0 use=1", h.line(a));
    }

    @Test
    void establishedAssociationDoesNotAllocate() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Harness h = new Harness();
        h.send(fromClient(0, initChunk(SctpTracker.INIT, TAG_C)));
        h.send(fromServer(TAG_C, initChunk(SctpTracker.INIT_ACK, TAG_S)));
        h.send(fromClient(TAG_S, chunk(SctpTracker.COOKIE_ECHO, 0, new byte[8])));
        h.send(fromServer(TAG_C, chunk(SctpTracker.COOKIE_ACK, 0, NOBODY)));
        Skb[] skbs = {
            fromClient(TAG_S, chunk(SctpTracker.DATA, 3, new byte[100])).into(new Skb(), io.stockade.rules.Hook.PREROUTING, h.now),
            fromServer(TAG_C, chunk(3, 0, new byte[12])).into(new Skb(), io.stockade.rules.Hook.PREROUTING, h.now),
        };
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int n = 0; n < 50_000; n++) {
                Skb skb = skbs[n & 1];
                skb.conn = null;
                skb.timeNanos = h.now + n;
                h.table.in(skb);
                h.table.confirm(skb);
                sink += skb.ctStateBits;
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 50000 SCTP packets");
            }
        }
        assertEquals(50_000L * 3 * Conn.STATE_ESTABLISHED, sink);
    }
}
