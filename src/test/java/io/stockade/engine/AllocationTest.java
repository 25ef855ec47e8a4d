package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The packet path allocates nothing per packet once warm (rules with modules, jumps, forwarding). */
class AllocationTest {
    @Test
    void receiveDoesNotAllocate() throws Exception {
        var mx = ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean tmx) || !tmx.isThreadAllocatedMemorySupported()) {
            org.junit.jupiter.api.Assumptions.abort("thread allocation counters not supported by this JVM");
            return;
        }
        Ruleset rs = new Ruleset();
        new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader("""
                *raw
                -A PREROUTING -s 10.99.0.0/16 -j DROP
                COMMIT
                *filter
                :INPUT DROP [0:0]
                :FORWARD DROP [0:0]
                :TCP - [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -p tcp --syn -j TCP
                -A INPUT -p udp --dport 53 -j ACCEPT
                -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
                -A TCP -p tcp -m multiport --dports 80,443 -j ACCEPT
                -A TCP -p tcp --dport 22 -g TCP2
                -A FORWARD -i eth0 -o eth1 -p tcp -j ACCEPT
                :TCP2 - [0:0]
                -A TCP2 -s 198.51.100.0/24 -j ACCEPT
                COMMIT
                """)), Restore.Options.DEFAULT, new StringBuilder());
        var host = HostLoader.fromConf("iface eth0 192.0.2.1/24\niface eth1 10.0.0.1/24\nroute default via 10.0.0.254 dev eth1\n"
                + "sysctl net.ipv4.ip_forward=1\nsysctl net.ipv4.icmp_ratelimit=0\n");
        Netfilter nf = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), host, ConnTracker.NONE, Emitter.NONE,
                null);
        byte[][] pkts = {
                PacketBuilder.ipv4("198.51.100.10", "192.0.2.1").tcp(40000, 22).flags(0x02).build(),
                PacketBuilder.ipv4("198.51.100.10", "192.0.2.1").tcp(40000, 443).flags(0x02).build(),
                PacketBuilder.ipv4("198.51.100.10", "192.0.2.1").tcp(40000, 25).flags(0x12).build(),
                PacketBuilder.ipv4("198.51.100.10", "192.0.2.1").udp(5000, 53).payload(20).build(),
                PacketBuilder.ipv4("198.51.100.10", "192.0.2.1").echoRequest(1, 1).build(),
                PacketBuilder.ipv4("198.51.100.10", "10.0.0.7").ttl(200).tcp(40000, 80).flags(0x02).build(),
                // IPv4 options (Ipv4Options): record route forwarded, a timestamp delivered, a bad
                // option (parameter problem sent back), a loose source route (dropped)
                PacketBuilder.ipv4("198.51.100.10", "10.0.0.7").ipOptions(new byte[] {7, 7, 4, 0, 0, 0, 0})
                        .tcp(40000, 80).flags(0x02).build(),
                PacketBuilder.ipv4("198.51.100.10", "192.0.2.1").ipOptions(new byte[] {68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0})
                        .udp(5000, 53).payload(20).build(),
                PacketBuilder.ipv4("198.51.100.10", "192.0.2.1").ipOptions(new byte[] {7, 2, 0, 0}).udp(5000, 53).build(),
                PacketBuilder.ipv4("198.51.100.10", "10.0.0.7").ipOptions(new byte[] {(byte) 131, 7, 4, 10, 0, 0, 9})
                        .tcp(40000, 80).flags(0x02).build(),
        };
        MemorySegment[] segs = new MemorySegment[pkts.length];
        MemorySegment[] originals = new MemorySegment[pkts.length];
        for (int i = 0; i < pkts.length; i++) {
            segs[i] = Arena.ofAuto().allocate(pkts[i].length);
            originals[i] = MemorySegment.ofArray(pkts[i]);
            MemorySegment.copy(MemorySegment.ofArray(pkts[i]), 0, segs[i], 0, pkts[i].length);
        }
        PacketParser parser = new PacketParser();
        Skb skb = new Skb();
        PathResult res = new PathResult();
        long accepted = 0;
        for (int round = 0; round < 2; round++) {
            long before = tmx.getCurrentThreadAllocatedBytes();
            for (int n = 0; n < 60_000; n++) {
                int i = n % pkts.length;
                skb.resetMeta();
                MemorySegment.copy(originals[i], 0, segs[i], 0, pkts[i].length); // forwarding rewrites the TTL
                parser.parse(skb.pd, segs[i], 0, pkts[i].length);
                skb.inIface = "eth0";
                skb.timeNanos = n;
                nf.receive(skb, res);
                if (res.outcome == PathResult.ACCEPTED) {
                    accepted++;
                }
            }
            long allocated = tmx.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertTrue(allocated < 4096, "allocated " + allocated + " bytes for 60000 packets");
            }
        }
        // 22 (goto TCP2, accepted), 443, udp 53, echo-request, forwarded, the two good option
        // packets: 7 of 10 accepted.
        assertEquals(2 * 7 * 6_000, accepted);
        assertEquals(2 * 6_000, nf.engineDrops[EngineDrop.BAD_IP_OPTIONS.ordinal()]);
        assertEquals(2 * 6_000, nf.engineDrops[EngineDrop.SOURCE_ROUTE.ordinal()]);
    }
}
