package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.PathResult;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketText;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RATEEST + rateest against Linux in a namespace on the robust cases only (no timing
 * assertions): a trickle of 10 packets/s is never above a 200 pps threshold, a burst of about 1000
 * packets/s for 3 s is far above it. Linux's drop counter and Stockade's verdicts (fed the same
 * packets at the sender's timestamps) must both be zero for the trickle and both cover most of the
 * burst's second half.
 */
@Tag("kernel")
class RateestKernelTest {
    static final String RULES = """
            *filter
            -A INPUT -p udp -j RATEEST --rateest-name burst --rateest-interval 250ms --rateest-ewmalog 500ms
            -A INPUT -p udp -m rateest --rateest burst --rateest-gt --rateest-pps 200 -j DROP
            COMMIT
            """;

    @Test
    void trickleBelowBurstAbove() throws Exception {
        VethPair.requireRoot("network namespaces");
        try (VethPair lab = new VethPair("rate", "qr", "10.9.0.1", "qa", "10.9.0.2")) {
            String r = lab.r;
            String a = lab.a;
            VethPair.run(List.of("ip", "netns", "exec", r, "iptables-restore"), RULES);
            // phase 1: 20 packets 100 ms apart; phase 2: 3000 packets about 1 ms apart. The sender
            // prints its CLOCK_MONOTONIC send times, which Stockade uses as packet times.
            String times = send(a, 20, "0.1");
            long kernelTrickleDrops = drops(r);
            times += " " + send(a, 3000, "0.0008");
            long kernelDrops = drops(r) - kernelTrickleDrops;
            String[] ts = times.trim().split(" ");
            assertEquals(3020, ts.length);
            PacketFeeder feeder = RateestEngineTest.feeder(RULES, "iface eth0 10.9.0.1/24\n");
            PathResult res = new PathResult();
            byte[] pkt = PacketText.parse("in eth0 udp 10.9.0.2:40000 > 10.9.0.1:9 payload 20").build();
            int trickleDrops = 0;
            int burstDrops = 0;
            for (int i = 0; i < ts.length; i++) {
                feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(pkt), 0, pkt.length, pkt.length, "eth0", false,
                        Long.parseLong(ts[i]), res);
                if (res.verdictName().equals("drop")) {
                    if (i < 20) {
                        trickleDrops++;
                    } else {
                        burstDrops++;
                    }
                }
            }
            String report = "kernel trickle " + kernelTrickleDrops + " burst " + kernelDrops + ", stockade trickle "
                    + trickleDrops + " burst " + burstDrops;
            System.out.println(report);
            assertEquals(0, kernelTrickleDrops, report);
            assertEquals(0, trickleDrops, report);
            assertTrue(kernelDrops >= 1500, report);
            assertTrue(burstDrops >= 1500, report);
        }
    }

    private static String send(String ns, int count, String gap) throws Exception {
        return VethPair.sh("ip netns exec " + ns + " python3 -c '"
                + "import socket,time\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "out=[]\n"
                + "for i in range(" + count + "):\n"
                + "  out.append(time.monotonic_ns()); s.sendto(b\"x\"*20,(\"10.9.0.1\",9)); time.sleep(" + gap + ")\n"
                + "print(\" \".join(map(str,out)))\n'").trim();
    }

    private static long drops(String ns) throws Exception {
        for (String l : VethPair.sh("ip netns exec " + ns + " iptables -L INPUT -v -x -n").split("\n")) {
            if (l.contains("DROP")) {
                return Long.parseLong(l.trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
