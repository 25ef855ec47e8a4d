package io.stockade.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Skb;
import io.stockade.rules.Hook;
import org.junit.jupiter.api.Test;

/** Packets of existing entries (lookup, tracker, RELATED errors, UNTRACKED ND) allocate nothing. */
class HotPathAllocationTest {
    @Test
    void natRewriteOfBoundFlowsDoesNotAllocate() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Harness h = new Harness();
        Pkt out = Pkt.ip("192.168.1.10", "8.8.8.8").udp(40000, 53).payload(20);
        Skb first = out.into(new Skb(), Hook.PREROUTING, h.now);
        h.table.in(first);
        first.hook = Hook.POSTROUTING;
        io.stockade.nat.NatBinding.setup(first.conn, io.stockade.nat.NatBinding.MANIP_SRC,
                io.stockade.nat.NatBinding.RANGE_MAP_IPS, 0, 0xcb007101L, 0, 0xcb007101L, 0, 0, 0);
        io.stockade.nat.NatRewrite.packet(first);
        h.table.confirm(first);
        byte[][] pristine = {out.bytes(), Pkt.ip("8.8.8.8", "203.0.113.1").udp(53, 40000).payload(20).bytes()};
        byte[][] frames = {pristine[0].clone(), pristine[1].clone()};
        java.lang.foreign.MemorySegment[] segs = {java.lang.foreign.MemorySegment.ofArray(frames[0]),
            java.lang.foreign.MemorySegment.ofArray(frames[1])};
        io.stockade.packet.PacketParser parser = new io.stockade.packet.PacketParser();
        Skb skb = new Skb();
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int n = 0; n < 50_000; n++) {
                int i = n & 1;
                System.arraycopy(pristine[i], 0, frames[i], 0, frames[i].length);
                skb.resetMeta();
                parser.parse(skb.pd, segs[i], 0, frames[i].length);
                skb.hook = Hook.PREROUTING;
                skb.timeNanos = h.now + n;
                h.table.in(skb);
                io.stockade.nat.NatRewrite.packet(skb);
                skb.hook = Hook.POSTROUTING;
                io.stockade.nat.NatRewrite.packet(skb);
                h.table.confirm(skb);
                sink += skb.ctStateBits;
                if (i == 0 ? skb.pd.srcLo != 0xcb007101L : skb.pd.dstLo != 0xc0a8010aL) {
                    sink = Long.MIN_VALUE; // rewritten wrongly
                }
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 50000 NATed packets");
            }
        }
        assertTrue(sink > 0);
        assertEquals(1, h.table.count());
    }

    @Test
    void existingEntriesDoNotAllocate() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Harness h = new Harness();
        Pkt dns = Pkt.ip("10.0.0.1", "10.0.0.2").udp(5000, 53).payload(20);
        h.send(Pkt.ip("10.0.0.1", "10.0.0.2").tcp(40000, 22, Pkt.SYN, 1000, 0, 64240));
        h.send(Pkt.ip("10.0.0.2", "10.0.0.1").tcp(22, 40000, Pkt.SYN | Pkt.ACK, 5000, 1001, 65160));
        h.send(dns);
        Skb[] skbs = new Skb[5];
        Pkt[] pkts = {
            Pkt.ip("10.0.0.1", "10.0.0.2").tcp(40000, 22, Pkt.ACK, 1001, 5001, 64240),
            Pkt.ip("10.0.0.2", "10.0.0.1").tcp(22, 40000, Pkt.ACK | Pkt.PSH, 5001, 1001, 65160),
            Pkt.ip("10.0.0.2", "10.0.0.1").udp(53, 5000).payload(30),
            Pkt.ip("10.0.0.2", "10.0.0.1").icmpError(3, 3, dns),
            Pkt.ip("fd00::2", "fd00::1").icmp(135, 0, 0, 0).payload(16),
        };
        for (int i = 0; i < skbs.length; i++) {
            skbs[i] = pkts[i].into(new Skb(), Hook.PREROUTING, h.now);
        }
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int n = 0; n < 100_000; n++) {
                Skb skb = skbs[n % skbs.length];
                skb.conn = null;
                skb.ctinfo = 0;
                skb.ctStateBits = 0;
                skb.timeNanos = h.now + n;
                h.table.in(skb);
                h.table.confirm(skb);
                sink += skb.ctStateBits;
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 100000 packets");
            }
        }
        assertTrue(sink > 0);
        assertEquals(2, h.table.count());
    }
}
