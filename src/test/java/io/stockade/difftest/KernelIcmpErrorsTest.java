package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ICMP errors the routing code sends (time exceeded, fragmentation needed / packet too big,
 * unreachable and prohibit routes, no route, a link-local source leaving its link) and the
 * fragmentation of a local packet without DF over the route MTU, against Linux: each case goes through the gateway namespace of
 * {@link KernelLab} — with eth1's MTU lowered to 1400 and a few reject routes added (the narrow
 * route, MTU 1300, is the topology's) — and through
 * Stockade on the host model dumped from it; fates, forwarded and emitted bytes (IPv4 ID and IPv6
 * flow label normalised), deciding rules, counters and conntrack must agree, and the kernel must
 * really have sent the error each case is about.
 */
@Tag("kernel")
class KernelIcmpErrorsTest {
    private static final String RULES4 = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -i eth0 -j ACCEPT
            -A POSTROUTING -p icmp -j ACCEPT
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -p icmp -m conntrack --ctstate RELATED -j ACCEPT
            -A INPUT -p icmp -m conntrack --ctstate INVALID -j ACCEPT
            -A FORWARD -m conntrack --ctstate NEW -j ACCEPT
            -A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT
            -A OUTPUT -p icmp -m conntrack --ctstate RELATED -j ACCEPT
            -A OUTPUT -p icmp -m conntrack --ctstate INVALID -j ACCEPT
            -A OUTPUT -p icmp -j ACCEPT
            COMMIT
            """;
    private static final String RULES6 = RULES4.replace("-p icmp", "-p ipv6-icmp");

    private static void requireKernel() {
        String why = KernelLab.unavailableReason();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the ICMP error kernel test must run, but it " + why);
            }
            assumeTrue(false, "ICMP error kernel test skipped: it " + why);
        }
    }

    private static int id = 0x1000;

    private static CasePacket udp4(String via, String src, String dst, int ttl, int tos, int frag, int payload) {
        byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), 40000, 53, new byte[payload]);
        byte[] ip = Pkt.ipv4(Pkt.addr(src), Pkt.addr(dst), Pkt.UDP, ttl, id++, frag, l4);
        if (tos != 0) {
            ip[1] = (byte) tos;
            ip[10] = 0;
            ip[11] = 0;
            int c = Pkt.checksum(ip, 0, 20, 0);
            ip[10] = (byte) (c >>> 8);
            ip[11] = (byte) c;
        }
        return new CasePacket(via, ip, "udp " + src + " > " + dst + " ttl " + ttl + " len " + ip.length);
    }

    private static CasePacket udp6(String via, String src, String dst, int hops, int payload) {
        byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), 40000, 53, new byte[payload]);
        return new CasePacket(via, Pkt.ipv6(Pkt.addr(src), Pkt.addr(dst), Pkt.UDP, hops, id++, l4),
                "udp " + src + " > " + dst + " hops " + hops + " len " + (40 + l4.length));
    }

    private static CasePacket echo4(String via, String src, String dst, int ttl, int type) {
        byte[] l4 = Pkt.icmp(Pkt.addr(src), Pkt.addr(dst), type, type == 3 ? 3 : 0, 0x01230001, new byte[28]);
        return new CasePacket(via, Pkt.ipv4(Pkt.addr(src), Pkt.addr(dst), Pkt.ICMP, ttl, id++, 0x4000, l4),
                "icmp " + src + " > " + dst + " type " + type + " ttl " + ttl);
    }

    private static CasePacket[] frags(int family, String src, String dst) {
        byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), 40000, 53, new byte[40]); // two fragments of 24 bytes
        byte[][] f = family == 4 ? Pkt.fragments4(Pkt.addr(src), Pkt.addr(dst), Pkt.UDP, 1, id++, l4, 24)
                : Pkt.fragments6(Pkt.addr(src), Pkt.addr(dst), Pkt.UDP, 1, id++, 0x5eed, l4, 24);
        CasePacket[] p = new CasePacket[f.length];
        for (int k = 0; k < f.length; k++) {
            p[k] = new CasePacket("eth0", f[k], "udp fragment " + (k + 1) + "/" + f.length + " ttl 1");
        }
        return p;
    }

    private static DiffCase v4(CasePacket... p) {
        return new DiffCase(0, 0, Set.of(Area.FILTER), RULES4, "", true, List.of(p));
    }

    private static DiffCase v6(boolean forward, CasePacket... p) {
        return new DiffCase(0, 0, Set.of(Area.IPV6), "", RULES6, forward, List.of(p));
    }

    /** A case and, per packet, the ICMP type the kernel must have emitted (-1: nothing). */
    private record Expect(DiffCase c, int[] icmpTypes) {
    }

    private static Expect expect(DiffCase c, int... types) {
        return new Expect(c, types);
    }

    /** The ICMP(v6) type of an emitted "iface hex" line. */
    private static int icmpType(String emitted) {
        byte[] ip = java.util.HexFormat.of().parseHex(emitted.substring(emitted.indexOf(' ') + 1));
        return Pkt.version(ip) == 4 ? ip[20] & 0xff : ip[40] & 0xff;
    }

    private static void runAll(KernelLab lab, Path work, String name, List<Expect> cases) throws IOException {
        KernelRunner kernel = new KernelRunner(lab);
        StockadeSide stockade = new StockadeSide(work.resolve("stockade-" + name));
        Path hostF = work.resolve("host-" + name + "-fwd");
        Path hostN = work.resolve("host-" + name + "-nofwd");
        lab.writeHostModel(hostF, true);
        lab.writeHostModel(hostN, false);
        List<String> problems = new ArrayList<>();
        for (Expect e : cases) {
            DiffCase c = e.c();
            Observation k = kernel.run(c);
            assertEquals(null, k.error(), "kernel run of " + c.packets());
            List<Long> times = k.packets().stream().map(Observation.PacketOutcome::timeNanos).toList();
            Observation s = stockade.run(c, c.forward() ? hostF : hostN, times);
            for (int i = 0; i < e.icmpTypes().length; i++) {
                List<String> em = k.packets().get(i).emitted();
                int want = e.icmpTypes()[i];
                String what = name + ": " + c.packets().get(i).label() + " emitted " + em;
                if (want < 0) {
                    assertTrue(em.isEmpty(), "the kernel sends nothing: " + what);
                } else {
                    assertEquals(1, em.size(), "the kernel sends one error: " + what);
                    assertEquals(want, icmpType(em.getFirst()), what);
                }
            }
            List<String> d = Comparison.compare(c, k, s);
            if (!d.isEmpty()) {
                problems.add(name + " " + c.packets().stream().map(CasePacket::label).toList() + ":\n  " + String.join("\n  ", d));
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void routingErrorsAreTheKernels() throws Exception {
        requireKernel();
        Path work = java.nio.file.Files.createTempDirectory("icmperr-");
        try (KernelLab lab = KernelLab.start()) {
            for (String[] cmd : new String[][] {
                    {"ip", "link", "set", "eth1", "mtu", "1400"},
                    {"ip", "route", "add", "unreachable", "198.18.0.0/16"},
                    {"ip", "route", "add", "prohibit", "198.19.0.0/16"},
                    {"ip", "route", "add", "blackhole", "192.0.2.0/24"},
                    {"ip", "-6", "route", "add", "unreachable", "2001:db8:dead::/48"},
                    {"ip", "-6", "route", "add", "prohibit", "2001:db8:beef::/48"},
                    {"ip", "-6", "route", "add", "blackhole", "2001:db8:b1ac::/48"},
                    // the link-local sender below answers without neighbour discovery
                    {"ip", "-6", "neigh", "replace", "fe80::1234", "lladdr", Topology.link("eth0").peerMac(), "dev", "eth0", "nud", "permanent"}}) {
                KernelLab.Exec r = lab.exec("", cmd);
                assertEquals(0, r.rc(), String.join(" ", cmd) + ": " + r.stderr());
            }
            String lan = "192.168.10.3";
            String wan = "203.0.113.5";
            String lan6 = "fd00:10::3";
            String wan6 = "2001:db8:77::5";
            List<Expect> cases = List.of(
                    // TTL 1: time exceeded about a connection never confirmed (INVALID in OUTPUT)
                    expect(v4(udp4("eth0", lan, wan, 1, 0, 0x4000, 20)), 11),
                    // ... and about a confirmed one (RELATED), with a TOS to carry over
                    expect(v4(udp4("eth0", lan, wan, 64, 0, 0x4000, 20), udp4("eth0", lan, wan, 1, 0xbb, 0x4000, 20)), -1, 11),
                    // a long packet: the error quotes 548 bytes of it
                    expect(v4(udp4("eth0", lan, wan, 1, 0, 0, 1000)), 11),
                    // the TTL check comes first; ICMP errors get none; an echo request does
                    expect(v4(echo4("eth0", lan, wan, 1, 8), echo4("eth0", lan, wan, 1, 3)), 11, -1),
                    // DF over eth1's MTU: fragmentation needed, MTU 1400; without DF: fragmented
                    expect(v4(udp4("eth0", lan, wan, 64, 0, 0x4000, 1430), udp4("eth0", lan, wan, 64, 0, 0, 1430)), 3, -1),
                    // reject routes: unreachable, prohibit, blackhole
                    expect(v4(udp4("eth0", lan, "198.18.0.9", 64, 0, 0x4000, 20), udp4("eth0", lan, "198.19.0.9", 64, 0, 0x4000, 20),
                            udp4("eth0", lan, "192.0.2.9", 64, 0, 0x4000, 20)), 3, 3, -1),
                    // the gateway's own packet without DF over the route MTU (1300 < eth1's 1400): fragmented
                    // (with DF, or as IPv6, the raw socket refuses it with EMSGSIZE: no hook sees it)
                    expect(v4(udp4("local", "10.0.1.1", "198.51.100.7", 64, 0, 0, 1330)), -1),
                    expect(v6(true, udp6("eth0", lan6, wan6, 1, 20)), 3),
                    // a fragment train with TTL / hop limit 1: reassembled by conntrack's defrag, then answered
                    expect(v4(frags(4, lan, wan)), -1, 11),
                    expect(v6(true, frags(6, lan6, wan6)), -1, 3),
                    expect(v6(true, udp6("eth0", lan6, wan6, 64, 20), udp6("eth0", lan6, wan6, 1, 20)), -1, 3),
                    expect(v6(true, udp6("eth0", lan6, wan6, 64, 1400)), 2),
                    expect(v6(true, udp6("eth0", "fe80::1234", wan6, 64, 20)), 1),
                    // a route's own MTU (1300, below eth1's 1400): IPv4 forwarding refuses before FORWARD,
                    // IPv6 after POSTROUTING (ip6_fragment), quoting the decremented hop limit
                    expect(v4(udp4("eth0", lan, "198.51.100.7", 64, 0, 0x4000, 1330)), 3),
                    expect(v6(true, udp6("eth0", lan6, "2001:db8:99::7", 64, 1300)), 2),
                    expect(v6(true, udp6("eth0", lan6, "2001:db8:dead::9", 64, 20), udp6("eth0", lan6, "2001:db8:beef::9", 64, 20),
                            udp6("eth0", lan6, "2001:db8:b1ac::9", 64, 20)), 1, 1, -1),
                    // reject routes answer without forwarding too
                    expect(v6(false, udp6("eth0", lan6, "2001:db8:dead::9", 64, 20)), 1));
            runAll(lab, work, "routes", cases);

            for (String[] cmd : new String[][] {{"ip", "route", "del", "default"}, {"ip", "-6", "route", "del", "default"}}) {
                KernelLab.Exec r = lab.exec("", cmd);
                assertEquals(0, r.rc(), String.join(" ", cmd) + ": " + r.stderr());
            }
            runAll(lab, work, "noroute", List.of(
                    expect(v4(udp4("eth0", "192.168.10.4", wan, 64, 0, 0x4000, 20)), 3),
                    expect(v6(true, udp6("eth0", lan6, wan6, 64, 20)), 1),
                    expect(v6(false, udp6("eth0", lan6, wan6, 64, 20)), 1),
                    expect(new DiffCase(0, 0, Set.of(Area.FILTER), RULES4, "", false,
                            List.of(udp4("eth0", "192.168.10.5", wan, 64, 0, 0x4000, 20))), -1),
                    // ip_error's own limit per source (ip_rt_error_burst 5 s, cost 1 s): five at once
                    expect(v4(udp4("eth0", "192.168.10.6", wan, 64, 0, 0x4000, 20), udp4("eth0", "192.168.10.6", wan, 64, 0, 0x4000, 20),
                            udp4("eth0", "192.168.10.6", wan, 64, 0, 0x4000, 20), udp4("eth0", "192.168.10.6", wan, 64, 0, 0x4000, 20),
                            udp4("eth0", "192.168.10.6", wan, 64, 0, 0x4000, 20), udp4("eth0", "192.168.10.6", wan, 64, 0, 0x4000, 20),
                            udp4("eth0", "192.168.10.6", wan, 64, 0, 0x4000, 20)), 3, 3, 3, 3, 3, -1, -1)));
        } finally {
            try (var files = java.nio.file.Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
