package io.stockade.synproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.PathResult;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The SYN flood SYNPROXY exists for (every SYN answered with a cookie SYN-ACK, no entry kept) and
 * the data of a proxied connection (sequence and timestamp translation both ways) cross the
 * engine without allocating.
 */
class SynproxyAllocationTest {
    @Test
    void synFloodAndProxiedDataDoNotAllocate() throws Exception {
        var mx = ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean tmx) || !tmx.isThreadAllocatedMemorySupported()) {
            org.junit.jupiter.api.Assumptions.abort("thread allocation counters not supported by this JVM");
            return;
        }
        String c = "198.51.100.7";
        String s = "192.168.10.20";
        ProxyGateway gw = new ProxyGateway(SynproxyExchangeTest.RULES, "", SynproxyExchangeTest.HOST, 1_000_000_000_000L);
        gw.receive("eth1", PacketBuilder.ipv4(c, s).tcp(40000, 80).flags(0x02).seq(100).window(1000)
                .mss(1460).sackPermitted().timestamp(5, 0).tcpOption(1).windowScale(7).build());
        byte[] synack = gw.take().getFirst().ip();
        int cookie = SynproxyExchangeTest.u32(synack, 24);
        int tsCookie = SynproxyExchangeTest.u32(synack, 20 + 28);
        gw.receive("eth1", PacketBuilder.ipv4(c, s).tcp(40000, 80).flags(0x10).seq(101).ack(cookie + 1).window(1000)
                .tcpOption(1).tcpOption(1).timestamp(6, tsCookie).build());
        gw.receive("eth0", PacketBuilder.ipv4(s, c).tcp(80, 40000).flags(0x12).seq(9000).ack(101).window(1000)
                .mss(1460).sackPermitted().timestamp(70000, 6).tcpOption(1).windowScale(7).build());
        assertEquals(3, gw.take().size(), "handshake done: SYN to the server, ACK, window update");

        byte[][] pkts = {
                PacketBuilder.ipv4("203.0.113.50", s).tcp(50000, 80).flags(0x02).seq(7).mss(1460).sackPermitted()
                        .timestamp(9, 0).tcpOption(1).windowScale(7).build(),
                PacketBuilder.ipv4(c, s).tcp(40000, 80).flags(0x18).seq(101).ack(cookie + 1).window(1000)
                        .tcpOption(1).tcpOption(1).timestamp(7, tsCookie).payload(10).build(),
                PacketBuilder.ipv4(s, c).tcp(80, 40000).flags(0x18).seq(9001).ack(101).window(1000)
                        .tcpOption(1).tcpOption(1).timestamp(70001, 7).payload(10).build(),
        };
        String[] in = {"eth1", "eth1", "eth0"};
        MemorySegment[] segs = new MemorySegment[pkts.length];
        MemorySegment[] originals = new MemorySegment[pkts.length];
        for (int i = 0; i < pkts.length; i++) {
            segs[i] = Arena.ofAuto().allocate(pkts[i].length);
            originals[i] = MemorySegment.ofArray(pkts[i]);
        }
        long[] sent = new long[1];
        gw.nf.tap((skb, iface, generated) -> sent[0]++);
        PacketParser parser = new PacketParser();
        Skb skb = new Skb();
        PathResult res = new PathResult();
        long nanos = gw.now;
        int[] outcomes = new int[5];
        for (int round = 0; round < 3; round++) {
            long before = tmx.getCurrentThreadAllocatedBytes();
            for (int n = 0; n < 30_000; n++) {
                int i = n % pkts.length;
                skb.resetMeta();
                MemorySegment.copy(originals[i], 0, segs[i], 0, pkts[i].length); // the translation rewrites it
                parser.parse(skb.pd, segs[i], 0, pkts[i].length);
                skb.inIface = in[i];
                skb.timeNanos = nanos += 1000;
                gw.nf.receive(skb, res);
                outcomes[res.outcome]++;
            }
            long allocated = tmx.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                assertTrue(allocated < 4096, "allocated " + allocated + " bytes for 30000 SYNs and proxied segments");
            }
        }
        assertEquals(3 * 10_000, outcomes[PathResult.STOLEN], "every SYN answered and stolen");
        assertEquals(3 * 20_000, outcomes[PathResult.ACCEPTED], "every data segment forwarded");
        assertEquals(3 * 30_000, sent[0], "one packet out per packet in");
    }
}
