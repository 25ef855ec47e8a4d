package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.engine.EngineDrop;
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

/** The real REJECT target's ICMP errors under the kernel's per-peer and global ICMP limits. */
class IcmpRateLimitTest {
    private static int replies(Family f, String reject, String host, String packetFmt, int count, long gapNanos) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(f, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(
                "*filter\n-A INPUT -p udp -j REJECT --reject-with " + reject + "\nCOMMIT\n")), Restore.Options.DEFAULT,
                new StringBuilder());
        Offline off = Offline.of(rs, HostLoader.fromConf(host));
        PacketFeeder feeder = new PacketFeeder(off.nf);
        PathResult res = new PathResult();
        int sent = 0;
        for (int i = 0; i < count; i++) {
            byte[] b = PacketText.parse(String.format(packetFmt, 1000 + i)).build();
            feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(b), 0, b.length, b.length, "eth0", false,
                    5_000_000_000L + i * gapNanos, res);
            assertEquals("reject", res.verdictName());
            sent += res.emitted;
        }
        assertEquals(count - sent, off.nf.engineDrops[EngineDrop.ICMP_RATELIMIT.ordinal()]);
        return sent;
    }

    @Test
    void ipv4PortUnreachableBurstOfSixPerPeer() throws Exception {
        // icmp_ratelimit 1000 ms, burst 6: 20 probes 10 ms apart get 6 replies.
        assertEquals(6, replies(Family.IPV4, "icmp-port-unreachable", "iface eth0 192.0.2.1/24\n",
                "in eth0 udp 192.0.2.9:%d > 192.0.2.1:53", 20, 10_000_000L));
        // 1 s apart: every probe is answered.
        assertEquals(10, replies(Family.IPV4, "icmp-port-unreachable", "iface eth0 192.0.2.1/24\n",
                "in eth0 udp 192.0.2.9:%d > 192.0.2.1:53", 10, 1_000_000_000L));
        // icmp_ratemask without destination-unreachable (bit 3): nothing is limited.
        assertEquals(20, replies(Family.IPV4, "icmp-port-unreachable",
                "iface eth0 192.0.2.1/24\nsysctl net.ipv4.icmp_ratemask=6160\n",
                "in eth0 udp 192.0.2.9:%d > 192.0.2.1:53", 20, 10_000_000L));
    }

    private static String sh(String cmd) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new java.io.IOException("timeout: " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** 20 probes sent back to back against Linux in two namespaces: 6 answered, 14 limited — and Stockade. */
    @Test
    @org.junit.jupiter.api.Tag("kernel")
    void linuxAnswersTheSame() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail("CI=true: the ICMP rate-limit kernel test must run, but it needs root");
            }
            org.junit.jupiter.api.Assumptions.abort("needs root (network namespaces)");
        }
        String a = "stk-icmp-a" + ProcessHandle.current().pid();
        String b = "stk-icmp-b" + ProcessHandle.current().pid();
        try {
            sh("ip netns add " + a + " && ip netns add " + b
                    + " && ip link add stki1 netns " + a + " type veth peer name stki2 netns " + b
                    + " && ip netns exec " + a + " sh -c 'ip link set lo up; ip addr add 192.0.2.1/24 dev stki1; ip link set stki1 up;"
                    + " iptables -A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable'"
                    + " && ip netns exec " + b + " sh -c 'ip link set lo up; ip addr add 192.0.2.9/24 dev stki2; ip link set stki2 up'"
                    + " && sleep 1");
            sh("ip netns exec " + b + " bash -c 'for i in $(seq 1 20); do echo x > /dev/udp/192.0.2.1/53; done'");
            String stats = sh("ip netns exec " + a + " nstat -az IcmpOutDestUnreachs IcmpOutRateLimitHost");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("IcmpOutDestUnreachs\\s+(\\d+)").matcher(stats);
            org.junit.jupiter.api.Assertions.assertTrue(m.find(), stats);
            int kernel = Integer.parseInt(m.group(1));
            assertEquals(kernel, replies(Family.IPV4, "icmp-port-unreachable", "iface eth0 192.0.2.1/24\n",
                    "in eth0 udp 192.0.2.9:%d > 192.0.2.1:53", 20, 1_000_000L), "kernel stats: " + stats);
        } finally {
            sh("ip netns del " + a + "; ip netns del " + b);
        }
    }

    @Test
    void ipv6LimitScalesWithTheRoutePrefix() throws Exception {
        // Peer on the connected /64: timeout 1000 >> ((128 - 64) >> 5) = 250 ms; 100 ms apart over
        // 3 s: a burst of 6 then one every 250 ms.
        int onLink = replies(Family.IPV6, "icmp6-port-unreachable", "iface eth0 2001:db8::1/64\n",
                "in eth0 udp [2001:db8::9]:%d > [2001:db8::1]:53", 30, 100_000_000L);
        // Peer via the default route (/0): 1000 >> 4 = 62 ms, so 100 ms apart is never limited.
        int viaDefault = replies(Family.IPV6, "icmp6-port-unreachable",
                "iface eth0 2001:db8::1/64\nroute default via 2001:db8::fe dev eth0\n",
                "in eth0 udp [2001:db9::9]:%d > [2001:db8::1]:53", 30, 100_000_000L);
        assertEquals(30, viaDefault);
        assertEquals(17, onLink);
    }
}
