package io.stockade.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.ConntrackTable;
import io.stockade.engine.CompiledRuleset;
import io.stockade.engine.Emitter;
import io.stockade.engine.Netfilter;
import io.stockade.engine.PathResult;
import io.stockade.engine.Skb;
import io.stockade.engine.StateRegistry;
import io.stockade.host.HostLoader;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Once a connection is bound, its packets cross a MASQUERADE/DNAT gateway (conntrack lookup,
 * NAT rewrite in both directions, forwarding) without allocating.
 */
class NatAllocationTest {
    @Test
    void boundFlowsDoNotAllocate() throws Exception {
        var mx = ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean tmx) || !tmx.isThreadAllocatedMemorySupported()) {
            org.junit.jupiter.api.Assumptions.abort("thread allocation counters not supported by this JVM");
            return;
        }
        Ruleset rs = new Ruleset();
        new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(
                NatGatewayTest.RULES.replace("-A PREROUTING -i ppp0 -p tcp --dport 22",
                        "-A PREROUTING -i ppp0 -p udp --dport 5353 -j DNAT --to 192.168.0.5\n"
                                + "-A PREROUTING -i ppp0 -p tcp --dport 22")
                        .replace("-A fw-interfaces -i eth0", "-A fw-open -d 192.168.0.5/32 -p udp -j ACCEPT\n"
                                + "-A fw-interfaces -i eth0"))),
                Restore.Options.DEFAULT, new StringBuilder());
        Netfilter nf = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()),
                HostLoader.fromConf(NatGatewayTest.HOST), new ConntrackTable(), Emitter.NONE, null);
        String pub = NatGatewayTest.PUBLIC;
        String server = NatGatewayTest.SERVER;
        String client = "203.0.113.9";
        byte[][] setup = {
                PacketBuilder.ipv4("192.168.0.10", server).udp(6000, 53).payload(20).build(),
                PacketBuilder.ipv4(server, pub).udp(53, 6000).payload(20).build(),
                PacketBuilder.ipv4(client, pub).udp(7000, 5353).payload(20).build(),
                PacketBuilder.ipv4("192.168.0.5", client).udp(5353, 7000).payload(20).build(),
        };
        String[] setupIn = {"eth0", "ppp0", "ppp0", "eth0"};
        MemorySegment[] segs = new MemorySegment[setup.length];
        MemorySegment[] originals = new MemorySegment[setup.length];
        for (int i = 0; i < setup.length; i++) {
            segs[i] = Arena.ofAuto().allocate(setup[i].length);
            originals[i] = MemorySegment.ofArray(setup[i]);
        }
        PacketParser parser = new PacketParser();
        Skb skb = new Skb();
        PathResult res = new PathResult();
        long accepted = 0;
        long nanos = 1_000_000_000L;
        for (int round = 0; round < 3; round++) {
            long before = tmx.getCurrentThreadAllocatedBytes();
            for (int n = 0; n < 40_000; n++) {
                int i = n % setup.length;
                skb.resetMeta();
                MemorySegment.copy(originals[i], 0, segs[i], 0, setup[i].length); // NAT rewrites the packet
                parser.parse(skb.pd, segs[i], 0, setup[i].length);
                skb.inIface = setupIn[i];
                skb.timeNanos = nanos += 1000;
                nf.receive(skb, res);
                if (res.outcome == PathResult.ACCEPTED) {
                    accepted++;
                }
            }
            long allocated = tmx.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                // One allocation per packet would be >= 640 000 bytes; the JVM's own bookkeeping
                // (deoptimisation, counters) may show up as a few bytes.
                assertTrue(allocated < 4096, "allocated " + allocated + " bytes for 40000 packets of bound NAT flows");
            }
        }
        assertEquals(3 * 40_000, accepted, "every packet forwarded");
    }
}
