package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.engine.PathResult;
import io.stockade.host.HostLoader;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketText;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * RATEEST and rateest through the engine on packet time: an estimator fed in PREROUTING (raw) and
 * read in INPUT (filter) by name, so a flood far above the threshold is dropped and a trickle far
 * below it is not.
 */
class RateestEngineTest {
    private static final long S = 1_000_000_000L;

    /** A packet feeder over an offline engine with {@code rules} (iptables-restore text, IPv4) and this host.conf. */
    static PacketFeeder feeder(String rules, String hostConf) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(rules)),
                Restore.Options.DEFAULT, new StringBuilder());
        return new PacketFeeder(Offline.of(rs, HostLoader.fromConf(hostConf)).nf);
    }

    @Test
    void floodAboveThresholdIsDroppedTrickleIsNot() throws Exception {
        PacketFeeder feeder = feeder(
                "*raw\n-A PREROUTING -p udp -j RATEEST --rateest-name flood --rateest-interval 250ms"
                        + " --rateest-ewmalog 1s\nCOMMIT\n"
                        + "*filter\n-A INPUT -p udp -m rateest --rateest flood --rateest-gt --rateest-pps 100 -j DROP\n"
                        + "COMMIT\n", "iface eth0 192.0.2.1/24\n");
        PathResult res = new PathResult();
        byte[] b = PacketText.parse("in eth0 udp 192.0.2.9:4000 > 192.0.2.1:53").build();
        long t = 100 * S;
        int dropped = 0;
        // 10 packets/s for 5 s: far below 100 pps
        for (int i = 0; i < 50; i++, t += S / 10) {
            feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(b), 0, b.length, b.length, "eth0", false, t, res);
            dropped += res.verdictName().equals("drop") ? 1 : 0;
        }
        assertEquals(0, dropped);
        // 2000 packets/s for 3 s: far above; after the estimate has risen every packet is dropped
        int lastSecondDropped = 0;
        for (int i = 0; i < 6000; i++, t += S / 2000) {
            feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(b), 0, b.length, b.length, "eth0", false, t, res);
            if (i >= 4000 && res.verdictName().equals("drop")) {
                lastSecondDropped++;
            }
        }
        assertEquals(2000, lastSecondDropped);
        // a minute of silence, then a trickle again: accepted
        t += 60 * S;
        for (int i = 0; i < 10; i++, t += S) {
            feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(b), 0, b.length, b.length, "eth0", false, t, res);
            assertEquals("accept", res.verdictName());
        }
    }

    @Test
    void estimatorAndMatchDoNotAllocatePerPacket() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        PacketFeeder feeder = feeder(
                "*raw\n-A PREROUTING -j RATEEST --rateest-name a --rateest-interval 250ms --rateest-ewmalog 1s\n"
                        + "-A PREROUTING -j RATEEST --rateest-name b --rateest-interval 1s --rateest-ewmalog 4s\nCOMMIT\n"
                        + "*filter\n-A INPUT -m rateest --rateest-delta --rateest1 a --rateest-bps1 1mbit --rateest-gt"
                        + " --rateest-bps2 2mbit --rateest2 b\n-A INPUT -m rateest --rateest a --rateest-lt --rateest-pps 5\n"
                        + "COMMIT\n", "iface eth0 192.0.2.1/24\n");
        PathResult res = new PathResult();
        byte[] b = PacketText.parse("in eth0 udp 192.0.2.9:4000 > 192.0.2.1:53").build();
        MemorySegment seg = MemorySegment.ofArray(b);
        long t = S;
        long allocated = 0;
        for (int round = 0; round < 3; round++) {
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 20_000; i++, t += S / 1000) {
                feeder.run(LinkLayer.LINKTYPE_RAW, seg, 0, b.length, b.length, "eth0", false, t, res);
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        org.junit.jupiter.api.Assertions.assertTrue(allocated < 4096, "allocated " + allocated + " bytes");
    }
}
