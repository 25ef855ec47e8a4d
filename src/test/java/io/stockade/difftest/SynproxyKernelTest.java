package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.conntrack.ConntrackConfig;
import io.stockade.conntrack.ConntrackTable;
import io.stockade.engine.CompiledRuleset;
import io.stockade.engine.Emitter;
import io.stockade.engine.Netfilter;
import io.stockade.engine.PacketDecoder;
import io.stockade.engine.PathResult;
import io.stockade.engine.Skb;
import io.stockade.engine.StateRegistry;
import io.stockade.host.Host;
import io.stockade.host.HostLoader;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import io.stockade.packet.PacketPrinter;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SYNPROXY on a forwarding gateway, Linux against Stockade: the documented setup (raw NOTRACK of
 * SYNs from the outside, {@code INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7
 * --mss 1460 --ecn}, {@code nf_conntrack_tcp_loose=0}) in the difftest lab's gateway namespace, and the
 * same ruleset and host in Stockade. Each side is driven by its own answers (the client's ACK
 * echoes that side's cookie and timestamp cookie), IPv4 and IPv6: handshake, data both ways, a
 * SACK block, the close, a forged ACK, a SYN without timestamps, ECN ({@code --ecn}), a
 * retransmitted ACK, a server's RST, a port reuse during TIME_WAIT, and IPv6 with a
 * destination-options header; also a local server behind INPUT and {@code tcp_loose=1}. Every
 * packet that leaves is compared byte for byte after normalising only what the cookie secrets and
 * the clock decide:
 * <ul>
 *   <li>TCP sequence and acknowledgement numbers within ±65536 of that side's cookie (the SYN-ACK's
 *       ISN) are replaced by their distance to it (also SACK block edges);</li>
 *   <li>TSval/TSecr within ±65536 of that side's timestamp cookie (the SYN-ACK's TSval) — or of
 *       the server's TSval moved by that side's offset, 2·TSserver − cookie — by their distance;
 *       the timestamp cookie's low six bits (client wscale/SACK/ECN) are compared as they are;</li>
 *   <li>the TCP checksum, after checking that Stockade's is right.</li>
 * </ul>
 */
@Tag("kernel")
class SynproxyKernelTest {
    private static final String RULES = """
            *raw
            -A PREROUTING -i eth1 -p tcp -m tcp --syn -j CT --notrack
            COMMIT
            *filter
            :FORWARD DROP [0:0]
            -A FORWARD -i eth1 -p tcp -m tcp --dport 80 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460 --ecn
            -A FORWARD -m conntrack --ctstate INVALID -j DROP
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            COMMIT
            """;
    private static final int FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10;
    private static final int SERVER_ISN = 0x7f000000, SERVER_TS = 777000, CLIENT_ISN = 1000, CLIENT_TS = 12345;

    private static void requireKernel() {
        String why = KernelLab.unavailableReason();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the SYNPROXY kernel comparison must run, but it " + why);
            }
            assumeTrue(false, "SYNPROXY kernel comparison skipped: it " + why);
        }
    }

    /** One side of the comparison: sends a packet, returns the packets that left (interface → IP packets). */
    private interface Side {
        Map<String, List<byte[]>> send(String via, byte[] ip) throws Exception;
    }

    /** The cookie-derived values of one side, learnt from its SYN-ACK. */
    private static final class Learnt {
        int cookie;
        int tsCookie;
    }

    /** SYNPROXY in front of the gateway's own port 22 (the man page's INPUT setup). */
    private static final String LOCAL_RULES = """
            *raw
            -A PREROUTING -i eth1 -p tcp -m tcp --syn --dport 22 -j CT --notrack
            COMMIT
            *filter
            -A INPUT -i eth1 -p tcp -m tcp --dport 22 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460
            -A INPUT -m conntrack --ctstate INVALID -j DROP
            COMMIT
            """;

    @Test
    void synproxyExchangeMatchesLinux() throws Exception {
        compare(RULES, false, false);
    }

    /**
     * Why the documented setup turns {@code nf_conntrack_tcp_loose} off: with it on, conntrack picks
     * the client's ACK up as a NEW connection, SYNPROXY's {@code INVALID,UNTRACKED} rule no longer
     * sees it, and the server never gets a SYN.
     */
    @Test
    void withTcpLooseTheClientsAckNeverReachesSynproxy() throws Exception {
        compare(RULES, false, true);
    }

    /**
     * The local server is the gateway itself: its SYN-ACK and data are injected from the gateway
     * (a raw socket, OUTPUT path; Stockade: {@code Netfilter.send}), what goes to it is seen on lo.
     */
    @Test
    void synproxyForALocalServerMatchesLinux() throws Exception {
        compare(LOCAL_RULES, true, false);
    }

    private static void compare(String rules, boolean local, boolean loose) throws Exception {
        requireKernel();
        try (KernelLab lab = KernelLab.start()) {
            StringBuilder report = new StringBuilder();
            for (int v : new int[] {4, 6}) {
                String err = lab.load(v == 4 ? rules : "", v == 6 ? rules : "", true);
                assertEquals(null, err, "the kernel accepts the ruleset");
                KernelLab.Exec e = lab.exec("", "sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=" + (loose ? 1 : 0));
                assertEquals(0, e.rc(), e.stderr());
                Path hostDir = lab.tempDir().resolve("host" + v);
                lab.writeHostModel(hostDir, true);
                Files.writeString(hostDir.resolve("host.conf"), "sysctl net.netfilter.nf_conntrack_tcp_loose=" + (loose ? 1 : 0) + "\n",
                        java.nio.file.StandardOpenOption.APPEND);
                Netfilter[] nf = new Netfilter[1];
                List<Object[]> out = new ArrayList<>();
                long[] clock = {1_800_000_000_000_000_000L};
                nf[0] = stockade(v == 4 ? rules : "", v == 6 ? rules : "", HostLoader.load(hostDir), out, loose);
                Side kernel = (via, ip) -> {
                    KernelLab.Sent s = lab.send(via, ip);
                    Map<String, List<byte[]>> m = new LinkedHashMap<>();
                    for (Map.Entry<String, List<byte[]>> x : s.out().entrySet()) {
                        for (byte[] f : x.getValue()) {
                            byte[] p = Classifier.ipOfEthernet(f);
                            if (p != null && !Classifier.isBackgroundNoise(p)) {
                                m.computeIfAbsent(x.getKey(), k -> new ArrayList<>()).add(p);
                            }
                        }
                    }
                    return m;
                };
                Side ours = (via, ip) -> {
                    out.clear();
                    clock[0] += 1_000_000;
                    if (via.equals("local")) {
                        send(nf[0], ip, clock[0]);
                    } else {
                        receive(nf[0], via, ip, clock[0]);
                    }
                    Map<String, List<byte[]>> m = new LinkedHashMap<>();
                    for (Object[] o : out) {
                        byte[] p = (byte[]) o[1];
                        assertTrue(checksumsRight(p), "Stockade's checksums: " + text(p));
                        m.computeIfAbsent((String) o[0], k -> new ArrayList<>()).add(p);
                    }
                    return m;
                };
                List<String> k = local ? localExchange(v, kernel) : loose ? looseExchange(v, kernel) : exchange(v, kernel, new Learnt());
                List<String> s = local ? localExchange(v, ours) : loose ? looseExchange(v, ours) : exchange(v, ours, new Learnt());
                report.append("IPv").append(v).append(":\n");
                for (int i = 0; i < Math.max(k.size(), s.size()); i++) {
                    report.append(i < k.size() ? k.get(i) : "-").append('\n');
                }
                assertEquals(String.join("\n", k), String.join("\n", s), "IPv" + v + " exchange (kernel first)");
            }
            System.out.println(report);
        }
    }

    private static Netfilter stockade(String r4, String r6, Host host, List<Object[]> out, boolean loose) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(r4)),
                Restore.Options.DEFAULT, new StringBuilder());
        new Restore(Family.IPV6, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(r6)),
                Restore.Options.DEFAULT, new StringBuilder());
        ConntrackConfig cfg = new ConntrackConfig();
        cfg.tcpLoose = host.sysctls.tcpLoose != 0;
        cfg.tcpBeLiberal = host.sysctls.tcpBeLiberal != 0;
        cfg.checksum = host.sysctls.conntrackChecksum != 0;
        assertEquals(loose, cfg.tcpLoose, "the host model carries tcp_loose");
        PacketParser parser = new PacketParser();
        PacketDecoder decoder = (pd, data, length) -> parser.parse(pd, data, 0, length);
        Netfilter nf = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), host, new ConntrackTable(cfg),
                Emitter.NONE, decoder);
        nf.tap((skb, iface, generated) -> {
            if (!iface.equals("local")) { // local delivery: the lab sees it on lo, before
                out.add(new Object[] {iface, skb.pd.data.asSlice(skb.pd.base, skb.pd.ipTotalLength).toArray(ValueLayout.JAVA_BYTE)});
            }
        });
        return nf;
    }

    private static void receive(Netfilter nf, String iface, byte[] ip, long now) {
        Skb skb = new Skb();
        MemorySegment seg = Arena.ofAuto().allocate(ip.length);
        MemorySegment.copy(MemorySegment.ofArray(ip), 0, seg, 0, ip.length);
        new PacketParser().parse(skb.pd, seg, 0, ip.length);
        skb.inIface = iface;
        skb.timeNanos = now;
        nf.receive(skb, new PathResult());
    }

    private static void send(Netfilter nf, byte[] ip, long now) {
        Skb skb = new Skb();
        MemorySegment seg = Arena.ofAuto().allocate(ip.length);
        MemorySegment.copy(MemorySegment.ofArray(ip), 0, seg, 0, ip.length);
        new PacketParser().parse(skb.pd, seg, 0, ip.length);
        skb.timeNanos = now;
        nf.send(skb, new PathResult());
    }

    /** tcp_loose=1: the SYN is answered, the ACK is picked up as NEW and dropped by FORWARD's policy. */
    private static List<String> looseExchange(int v, Side side) throws Exception {
        Learnt l = new Learnt();
        Map<String, List<byte[]>> o = side.send("eth1", c2s(v, 42000).flags(SYN).seq(CLIENT_ISN).window(64240).id(31)
                .mss(1460).timestamp(CLIENT_TS, 0).build());
        byte[] synack = o.getOrDefault("eth1", List.of()).isEmpty() ? null : o.get("eth1").getFirst();
        if (synack != null) {
            l.cookie = u32(synack, tcp(synack) + 4);
            l.tsCookie = tsval(synack);
        }
        List<String> lines = new ArrayList<>();
        lines.add("1 " + render(o, l));
        o = side.send("eth1", c2s(v, 42000).flags(ACK).seq(CLIENT_ISN + 1).ack(l.cookie + 1).window(502).id(32)
                .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 1, l.tsCookie).build());
        lines.add("2 " + render(o, l));
        return lines;
    }

    /** The gateway's own address on eth1, where the local server listens. */
    private static String me(int v) {
        return v == 4 ? Topology.link("eth1").gw4() : Topology.link("eth1").gw6();
    }

    /** The local-server exchange: handshake (SYN to the server and its ACK seen on lo), data both ways, the server's FIN. */
    private static List<String> localExchange(int v, Side side) throws Exception {
        List<String> lines = new ArrayList<>();
        Learnt l = new Learnt();
        int p = 41000;
        PacketBuilder in = PacketBuilder.ip(client(v), me(v)).tcp(p, 22).ttl(60);
        Map<String, List<byte[]>> o = side.send("eth1", in.flags(SYN).seq(CLIENT_ISN).window(64240).id(21)
                .mss(1400).sackPermitted().timestamp(CLIENT_TS, 0).tcpOption(1).windowScale(2).build());
        byte[] synack = o.getOrDefault("eth1", List.of()).isEmpty() ? null : o.get("eth1").getFirst();
        if (synack == null) {
            lines.add("1 no SYN-ACK: " + o.keySet());
            return lines;
        }
        l.cookie = u32(synack, tcp(synack) + 4);
        l.tsCookie = tsval(synack);
        lines.add("1 " + render(o, l));
        o = side.send("eth1", PacketBuilder.ip(client(v), me(v)).tcp(p, 22).ttl(60).flags(ACK).seq(CLIENT_ISN + 1)
                .ack(l.cookie + 1).window(3000).id(22).tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 1, l.tsCookie).build());
        lines.add("2 " + render(o, l));
        PacketBuilder srv = PacketBuilder.ip(me(v), client(v)).tcp(22, p).ttl(64);
        o = side.send("local", srv.flags(SYN | ACK).seq(SERVER_ISN).ack(CLIENT_ISN + 1).window(65160).id(23)
                .mss(1460).sackPermitted().timestamp(SERVER_TS, CLIENT_TS + 1).tcpOption(1).windowScale(7).build());
        lines.add("3 " + render(o, l));
        o = side.send("eth1", PacketBuilder.ip(client(v), me(v)).tcp(p, 22).ttl(60).flags(PSH | ACK).seq(CLIENT_ISN + 1)
                .ack(l.cookie + 1).window(3000).id(24).tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 2, l.tsCookie)
                .payload(7).build());
        lines.add("4 " + render(o, l));
        o = side.send("local", PacketBuilder.ip(me(v), client(v)).tcp(22, p).ttl(64).flags(PSH | ACK).seq(SERVER_ISN + 1)
                .ack(CLIENT_ISN + 8).window(509).id(25).tcpOption(1).tcpOption(1).timestamp(SERVER_TS + 9, CLIENT_TS + 2)
                .payload(30).build());
        lines.add("5 " + render(o, l));
        o = side.send("local", PacketBuilder.ip(me(v), client(v)).tcp(22, p).ttl(64).flags(FIN | ACK).seq(SERVER_ISN + 31)
                .ack(CLIENT_ISN + 8).window(509).id(26).tcpOption(1).tcpOption(1).timestamp(SERVER_TS + 10, CLIENT_TS + 2)
                .build());
        lines.add("6 " + render(o, l));
        return lines;
    }

    private static boolean checksumsRight(byte[] ip) {
        Skb s = new Skb();
        new PacketParser().parse(s.pd, MemorySegment.ofArray(ip), 0, ip.length);
        return Checksum.verifyIpv4Header(s.pd) && Checksum.verifyL4(s.pd);
    }

    private static String text(byte[] ip) {
        Skb s = new Skb();
        new PacketParser().parse(s.pd, MemorySegment.ofArray(ip), 0, ip.length);
        return PacketPrinter.format(s.pd);
    }

    private static String client(int v) {
        return v == 4 ? Topology.WAN4 + "7" : Topology.WAN6 + "7";
    }

    private static String server(int v) {
        return v == 4 ? Topology.LAN4 + "20" : Topology.LAN6 + "20";
    }

    private static PacketBuilder c2s(int v, int sport) {
        return PacketBuilder.ip(client(v), server(v)).tcp(sport, 80).ttl(60);
    }

    private static PacketBuilder s2c(int v, int sport) {
        return PacketBuilder.ip(server(v), client(v)).tcp(80, sport).ttl(61);
    }

    private static int tcp(byte[] ip) {
        return (ip[0] >> 4 & 0xf) == 4 ? (ip[0] & 0xf) * 4 : 40;
    }

    private static int u32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** Runs the exchange on one side; returns one normalised line per packet that left, per step. */
    private static List<String> exchange(int v, Side side, Learnt l) throws Exception {
        List<String> lines = new ArrayList<>();
        int p = 40000;
        // 1. SYN → cookie SYN-ACK.
        Map<String, List<byte[]>> o = side.send("eth1", c2s(v, p).flags(SYN).seq(CLIENT_ISN).window(64240).id(1)
                .mss(1460).sackPermitted().timestamp(CLIENT_TS, 0).tcpOption(1).windowScale(7).build());
        byte[] synack = o.getOrDefault("eth1", List.of()).isEmpty() ? null : o.get("eth1").getFirst();
        if (synack == null) {
            lines.add("1 no SYN-ACK: " + o.keySet());
            return lines;
        }
        int t = tcp(synack);
        l.cookie = u32(synack, t + 4);
        l.tsCookie = tsval(synack);
        lines.add("1 " + render(o, l));
        // 2. ACK with the cookie → SYN to the server.
        o = side.send("eth1", c2s(v, p).flags(ACK).seq(CLIENT_ISN + 1).ack(l.cookie + 1).window(502).id(2)
                .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 1, l.tsCookie).build());
        lines.add("2 " + render(o, l));
        // 3. The server's SYN-ACK → ACK to the server, window update to the client.
        o = side.send("eth0", s2c(v, p).flags(SYN | ACK).seq(SERVER_ISN).ack(CLIENT_ISN + 1).window(65160).id(3)
                .mss(1460).sackPermitted().timestamp(SERVER_TS, CLIENT_TS + 1).tcpOption(1).windowScale(7).build());
        lines.add("3 " + render(o, l));
        // 4. Data both ways.
        o = side.send("eth1", c2s(v, p).flags(PSH | ACK).seq(CLIENT_ISN + 1).ack(l.cookie + 1).window(502).id(4)
                .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 2, l.tsCookie).payload(10).build());
        lines.add("4 " + render(o, l));
        o = side.send("eth0", s2c(v, p).flags(PSH | ACK).seq(SERVER_ISN + 1).ack(CLIENT_ISN + 11).window(509).id(5)
                .tcpOption(1).tcpOption(1).timestamp(SERVER_TS + 5, CLIENT_TS + 2).payload(20).build());
        lines.add("5 " + render(o, l));
        // 5. A SACK block for the second half of the server's data (cookie numbering on the client side).
        o = side.send("eth1", c2s(v, p).flags(ACK).seq(CLIENT_ISN + 11).ack(l.cookie + 1).window(502).id(6)
                .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 3, l.tsCookie + 5)
                .tcpOption(1).tcpOption(1).tcpOption(5, sack(l.cookie + 11, l.cookie + 21)).build());
        lines.add("6 " + render(o, l));
        // 6. The close.
        o = side.send("eth1", c2s(v, p).flags(FIN | ACK).seq(CLIENT_ISN + 11).ack(l.cookie + 21).window(502).id(7)
                .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 4, l.tsCookie + 5).build());
        lines.add("7 " + render(o, l));
        o = side.send("eth0", s2c(v, p).flags(FIN | ACK).seq(SERVER_ISN + 21).ack(CLIENT_ISN + 12).window(509).id(8)
                .tcpOption(1).tcpOption(1).timestamp(SERVER_TS + 6, CLIENT_TS + 4).build());
        lines.add("8 " + render(o, l));
        o = side.send("eth1", c2s(v, p).flags(ACK).seq(CLIENT_ISN + 12).ack(l.cookie + 22).window(502).id(9)
                .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 5, l.tsCookie + 6).build());
        lines.add("9 " + render(o, l));
        // 6b. The same ports again while the old entry is in TIME_WAIT: SYNPROXY's SYN-ACK is
        //     tracked in OUTPUT as a packet of that entry (reply direction), so the old
        //     connection's sequence and timestamp translation is applied to the cookie SYN-ACK
        //     (Linux does the same). What the client's ACK then meets depends on the cookie values
        //     (in window of the old entry or not), so the exchange stops here.
        Learnt l4 = new Learnt();
        o = side.send("eth1", c2s(v, p).flags(SYN).seq(CLIENT_ISN + 50000).window(64240).id(41)
                .mss(1460).sackPermitted().timestamp(CLIENT_TS + 10, 0).tcpOption(1).windowScale(7).build());
        byte[] s4 = o.getOrDefault("eth1", List.of()).isEmpty() ? null : o.get("eth1").getFirst();
        if (s4 != null) {
            l4.cookie = u32(s4, tcp(s4) + 4);
            l4.tsCookie = tsval(s4);
        }
        // the cookie is linear in the client's ISN within a minute: new cookie = cookie + 50000,
        // then moved by the old entry's offset (cookie − server ISN)
        lines.add("9a " + render(o, l4) + " TSval low bits " + (l4.tsCookie & 0x3f)
                + ", seq − (2·cookie − server ISN) = " + (l4.cookie - (2 * l.cookie - SERVER_ISN)));
        // 7. A forged ACK on a new flow: its cookie cannot be right.
        o = side.send("eth1", c2s(v, p + 1).flags(ACK).seq(CLIENT_ISN + 1).ack(l.cookie + 0x10001).window(502).id(10).build());
        lines.add("10 " + render(o, l));
        // 8. A SYN without timestamps: MSS only, no SACK/window scale in the SYN-ACK.
        o = side.send("eth1", c2s(v, p + 2).flags(SYN).seq(CLIENT_ISN).window(64240).id(11).mss(1400).sackPermitted().build());
        Learnt l2 = new Learnt();
        byte[] s2 = o.getOrDefault("eth1", List.of()).isEmpty() ? null : o.get("eth1").getFirst();
        if (s2 != null) {
            l2.cookie = u32(s2, tcp(s2) + 4);
        }
        lines.add("11 " + render(o, l2));
        // 9. ECN offered (SYN with ECE|CWR); the client's ACK sent twice before the server answers
        //    (the second is INVALID for conntrack, SYNPROXY answers it again); the server refuses
        //    with RST|ACK, which reaches the client in the cookie's numbering.
        Learnt l3 = new Learnt();
        int q = p + 3;
        o = side.send("eth1", c2s(v, q).flags(SYN | 0xc0).seq(CLIENT_ISN).window(64240).id(12)
                .mss(1460).sackPermitted().timestamp(CLIENT_TS, 0).tcpOption(1).windowScale(3).build());
        byte[] s3 = o.getOrDefault("eth1", List.of()).isEmpty() ? null : o.get("eth1").getFirst();
        if (s3 != null) {
            l3.cookie = u32(s3, tcp(s3) + 4);
            l3.tsCookie = tsval(s3);
        }
        lines.add("12 " + render(o, l3));
        byte[] ack3 = c2s(v, q).flags(ACK).seq(CLIENT_ISN + 1).ack(l3.cookie + 1).window(8000).id(13)
                .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 1, l3.tsCookie).build();
        lines.add("13 " + render(side.send("eth1", ack3), l3));
        lines.add("14 " + render(side.send("eth1", ack3), l3));
        o = side.send("eth0", s2c(v, q).flags(0x04 | ACK).seq(0).ack(CLIENT_ISN + 1).window(0).id(14).build());
        lines.add("15 " + render(o, l3));
        if (v == 6) {
            // 10. IPv6 with a destination-options header before TCP: SYNPROXY reads TCP behind it,
            //     its own packets carry none.
            Learnt l5 = new Learnt();
            int r = p + 4;
            o = side.send("eth1", c2s(v, r).destOptions().flags(SYN).seq(CLIENT_ISN).window(64240)
                    .mss(1460).sackPermitted().timestamp(CLIENT_TS, 0).tcpOption(1).windowScale(7).build());
            byte[] s5 = o.getOrDefault("eth1", List.of()).isEmpty() ? null : o.get("eth1").getFirst();
            if (s5 != null) {
                l5.cookie = u32(s5, tcp(s5) + 4);
                l5.tsCookie = tsval(s5);
            }
            lines.add("16 " + render(o, l5));
            o = side.send("eth1", c2s(v, r).destOptions().flags(ACK).seq(CLIENT_ISN + 1).ack(l5.cookie + 1).window(502)
                    .tcpOption(1).tcpOption(1).timestamp(CLIENT_TS + 1, l5.tsCookie).build());
            lines.add("17 " + render(o, l5));
        }
        return lines;
    }

    private static byte[] sack(int left, int right) {
        byte[] b = new byte[8];
        put32(b, 0, left);
        put32(b, 4, right);
        return b;
    }

    /** TSval of a packet's timestamp option, or 0. */
    private static int tsval(byte[] ip) {
        int ts = tsOption(ip);
        return ts < 0 ? 0 : u32(ip, ts + 2);
    }

    private static int tsOption(byte[] ip) {
        int t = tcp(ip);
        int end = t + (ip[t + 12] >> 4 & 0xf) * 4;
        int i = t + 20;
        while (i < end) {
            int kind = ip[i] & 0xff;
            if (kind == 0) {
                return -1;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            int len = ip[i + 1] & 0xff;
            if (len < 2) {
                return -1;
            }
            if (kind == 8 && len == 10) {
                return i;
            }
            i += len;
        }
        return -1;
    }

    private static String render(Map<String, List<byte[]>> out, Learnt l) {
        StringBuilder b = new StringBuilder();
        // by interface name: the lab reports each interface's packets, not the order across them
        for (Map.Entry<String, List<byte[]>> e : new java.util.TreeMap<>(out).entrySet()) {
            for (byte[] ip : e.getValue()) {
                byte[] n = normalise(ip, l);
                b.append(e.getKey()).append(' ').append(text(n)).append(" [").append(HexFormat.of().formatHex(n)).append("] ");
            }
        }
        return b.isEmpty() ? "nothing" : b.toString().strip();
    }

    /** Cookie-derived values replaced by tagged distances; the TCP checksum zeroed. */
    private static byte[] normalise(byte[] ip, Learnt l) {
        byte[] n = ip.clone();
        if ((n[0] >> 4 & 0xf) == 4 ? n[9] != 6 : n[6] != 6) {
            return n;
        }
        int t = tcp(n);
        seqField(n, t + 4, l);
        seqField(n, t + 8, l);
        n[t + 16] = 0;
        n[t + 17] = 0;
        int end = t + (n[t + 12] >> 4 & 0xf) * 4;
        for (int i = t + 20; i < end; ) {
            int kind = n[i] & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            int len = n[i + 1] & 0xff;
            if (len < 2) {
                break;
            }
            if (kind == 5) {
                for (int j = i + 2; j + 8 <= i + len; j += 4) {
                    seqField(n, j, l);
                }
            }
            if (kind == 8 && len == 10) {
                tsField(n, i + 2, l);
                tsField(n, i + 6, l);
            }
            i += len;
        }
        return n;
    }

    private static void seqField(byte[] n, int off, Learnt l) {
        int x = u32(n, off);
        int d = x - l.cookie;
        if (l.cookie != 0 && d > -65536 && d < 65536) {
            put32(n, off, 0xc0000000 | (d & 0xffff) | (d < 0 ? 0x10000 : 0));
        }
    }

    private static void tsField(byte[] n, int off, Learnt l) {
        int tsCookie = l.tsCookie;
        int x = u32(n, off);
        int d = x - (tsCookie & ~0x3f);
        int d2 = x - (2 * SERVER_TS - tsCookie);
        if (tsCookie != 0 && d >= 0 && d < 65536 && x != SERVER_TS) {
            put32(n, off, 0xa0000000 | d);
        } else if (tsCookie != 0 && d2 > -65536 && d2 < 65536) {
            put32(n, off, 0xb0000000 | (d2 & 0xffff));
        }
    }
}
