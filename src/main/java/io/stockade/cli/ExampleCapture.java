package io.stockade.cli;

import io.stockade.io.CaptureReader;
import io.stockade.io.PcapngWriter;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.Tcp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates the bundled example capture ({@code examples/example.pcapng}) deterministically with
 * {@link PacketBuilder}: what the single machine 192.0.2.1 (eth0) sees from a client
 * 198.51.100.10 and a scanner 203.0.113.66 — a ping (two echo requests and the host's replies),
 * an SSH connection (handshake, banner exchange, teardown), a connection attempt to the closed
 * port 23, a UDP probe to port 53, a short SYN scan of six ports, a SYN+FIN packet and a SYN
 * with a bad TCP checksum (both INVALID to conntrack), and an IPv6 ping. Packets the host sent
 * are marked outbound (they take the OUTPUT path when replayed); the host's REJECT replies are
 * not in the capture — the replay generates them.
 */
final class ExampleCapture {
    static final long HOST_MAC = 0x020000000001L;
    static final long ROUTER_MAC = 0x0200000000feL;
    static final long START = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z

    private record Frame(byte[] bytes, boolean outbound) {
    }

    private ExampleCapture() {
    }

    private static PacketBuilder in(String src, String dst) {
        return PacketBuilder.ip(src, dst).ethernet(ROUTER_MAC, HOST_MAC);
    }

    private static PacketBuilder out(String src, String dst) {
        return PacketBuilder.ip(src, dst).ethernet(HOST_MAC, ROUTER_MAC);
    }

    /** The frames, in order. */
    private static List<Frame> frames() {
        String c = "198.51.100.10";
        String h = "192.0.2.1";
        String scanner = "203.0.113.66";
        List<Frame> f = new ArrayList<>();
        // ping
        f.add(new Frame(in(c, h).id(1001).echoRequest(7, 1).payload(56).build(), false));
        f.add(new Frame(out(h, c).id(5001).echoReply(7, 1).payload(56).build(), true));
        f.add(new Frame(in(c, h).id(1002).echoRequest(7, 2).payload(56).build(), false));
        f.add(new Frame(out(h, c).id(5002).echoReply(7, 2).payload(56).build(), true));
        // SSH: handshake, banners, teardown
        int cs = 1_000_000;
        int ss = 7_000_000;
        byte[] cb = "SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] sb = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".getBytes(StandardCharsets.US_ASCII);
        f.add(new Frame(in(c, h).tcp(40000, 22).flags(Tcp.SYN).seq(cs).window(64240).mss(1460).sackPermitted()
                .windowScale(7).build(), false));
        f.add(new Frame(out(h, c).tcp(22, 40000).flags(Tcp.SYN | Tcp.ACK).seq(ss).ack(cs + 1).window(65160).mss(1460)
                .sackPermitted().windowScale(7).build(), true));
        f.add(new Frame(in(c, h).tcp(40000, 22).flags(Tcp.ACK).seq(cs + 1).ack(ss + 1).window(502).build(), false));
        f.add(new Frame(in(c, h).tcp(40000, 22).flags(Tcp.PSH | Tcp.ACK).seq(cs + 1).ack(ss + 1).window(502)
                .payload(cb).build(), false));
        f.add(new Frame(out(h, c).tcp(22, 40000).flags(Tcp.PSH | Tcp.ACK).seq(ss + 1).ack(cs + 1 + cb.length)
                .window(509).payload(sb).build(), true));
        f.add(new Frame(in(c, h).tcp(40000, 22).flags(Tcp.FIN | Tcp.ACK).seq(cs + 1 + cb.length).ack(ss + 1 + sb.length)
                .window(502).build(), false));
        f.add(new Frame(out(h, c).tcp(22, 40000).flags(Tcp.FIN | Tcp.ACK).seq(ss + 1 + sb.length)
                .ack(cs + 2 + cb.length).window(509).build(), true));
        f.add(new Frame(in(c, h).tcp(40000, 22).flags(Tcp.ACK).seq(cs + 2 + cb.length).ack(ss + 2 + sb.length)
                .window(502).build(), false));
        // closed TCP port, UDP probe
        f.add(new Frame(in(c, h).tcp(40002, 23).flags(Tcp.SYN).seq(2_000_000).window(64240).mss(1460).build(), false));
        f.add(new Frame(in(c, h).udp(51000, 53).payload(29).build(), false));
        // a short SYN scan
        int[] ports = {21, 22, 25, 80, 443, 3306};
        for (int i = 0; i < ports.length; i++) {
            f.add(new Frame(in(scanner, h).tcp(61000, ports[i]).flags(Tcp.SYN).seq(424242).window(1024).mss(1460)
                    .build(), false));
        }
        // invalid packets: SYN+FIN, and a SYN with a bad TCP checksum
        f.add(new Frame(in(scanner, h).tcp(61001, 22).flags(Tcp.SYN | Tcp.FIN).seq(1).window(1024).build(), false));
        f.add(new Frame(in(c, h).tcp(40003, 22).flags(Tcp.SYN).seq(3_000_000).window(64240).badChecksum().build(), false));
        // IPv6 ping (ip6tables has no rules in the example: accepted)
        f.add(new Frame(in("2001:db8:100::10", "2001:db8::1").echoRequest(9, 1).payload(56).build(), false));
        f.add(new Frame(out("2001:db8::1", "2001:db8:100::10").echoReply(9, 1).payload(56).build(), true));
        return f;
    }

    /** Writes the capture (interface eth0, Ethernet, packets 100 ms apart). */
    static void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (PcapngWriter w = new PcapngWriter(tmp)) {
            int eth0 = w.addInterface("eth0", LinkLayer.LINKTYPE_ETHERNET, 262144);
            long t = START;
            for (Frame fr : frames()) {
                w.write(eth0, t, fr.bytes(), 0, fr.bytes().length,
                        fr.outbound() ? CaptureReader.DIRECTION_OUTBOUND : CaptureReader.DIRECTION_INBOUND);
                t += 100_000_000L;
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * A synthetic capture for throughput measurements ({@code stockade demo --generate N FILE}):
     * {@code n} inbound/outbound packets on eth0 of mostly established TCP traffic (SSH/HTTP/HTTPS
     * connections from 1024 clients: handshake, 16 data segments each way, teardown), with pings,
     * UDP probes and closed-port SYNs mixed in. Deterministic (a fixed LCG seed), 10 µs apart.
     */
    static void writeSynthetic(Path file, int n) throws IOException {
        try (PcapngWriter w = new PcapngWriter(file)) {
            int eth0 = w.addInterface("eth0", LinkLayer.LINKTYPE_ETHERNET, 262144);
            long t = START;
            long seed = 0x5eed;
            int written = 0;
            int conn = 0;
            String h = "192.0.2.1";
            int[] ports = {22, 80, 443};
            while (written < n) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                int r = (int) (seed >>> 33);
                String c = "198.51." + (100 + (r & 3)) + "." + (1 + ((r >>> 2) & 0xff) % 254);
                int kind = (r >>> 12) % 16;
                List<Frame> fs = new ArrayList<>();
                if (kind < 13) {
                    int sp = 20000 + (conn++ % 40000);
                    int dp = ports[(r >>> 20) % 3];
                    int cs = r;
                    int ss = r * 31;
                    fs.add(new Frame(in(c, h).tcp(sp, dp).flags(Tcp.SYN).seq(cs).window(64240).mss(1460).build(), false));
                    fs.add(new Frame(out(h, c).tcp(dp, sp).flags(Tcp.SYN | Tcp.ACK).seq(ss).ack(cs + 1).window(65160)
                            .mss(1460).build(), true));
                    cs++;
                    ss++;
                    fs.add(new Frame(in(c, h).tcp(sp, dp).flags(Tcp.ACK).seq(cs).ack(ss).window(502).build(), false));
                    for (int k = 0; k < 16; k++) {
                        fs.add(new Frame(in(c, h).tcp(sp, dp).flags(Tcp.PSH | Tcp.ACK).seq(cs).ack(ss).window(502)
                                .payload(100).build(), false));
                        cs += 100;
                        fs.add(new Frame(out(h, c).tcp(dp, sp).flags(Tcp.PSH | Tcp.ACK).seq(ss).ack(cs).window(509)
                                .payload(1000).build(), true));
                        ss += 1000;
                    }
                    fs.add(new Frame(in(c, h).tcp(sp, dp).flags(Tcp.FIN | Tcp.ACK).seq(cs).ack(ss).window(502).build(), false));
                    fs.add(new Frame(out(h, c).tcp(dp, sp).flags(Tcp.FIN | Tcp.ACK).seq(ss).ack(cs + 1).window(509).build(), true));
                    fs.add(new Frame(in(c, h).tcp(sp, dp).flags(Tcp.ACK).seq(cs + 1).ack(ss + 1).window(502).build(), false));
                } else if (kind == 13) {
                    fs.add(new Frame(in(c, h).echoRequest(r & 0xffff, 1).payload(56).build(), false));
                    fs.add(new Frame(out(h, c).echoReply(r & 0xffff, 1).payload(56).build(), true));
                } else if (kind == 14) {
                    fs.add(new Frame(in(c, h).udp(30000 + (r & 0x7fff), 1 + (r >>> 16) % 1000).payload(20).build(), false));
                } else {
                    fs.add(new Frame(in(c, h).tcp(30000 + (r & 0x7fff), 1000 + (r >>> 16) % 1000).flags(Tcp.SYN)
                            .seq(r).window(1024).build(), false));
                }
                for (Frame fr : fs) {
                    if (written++ >= n) {
                        break;
                    }
                    w.write(eth0, t, fr.bytes(), 0, fr.bytes().length,
                            fr.outbound() ? CaptureReader.DIRECTION_OUTBOUND : CaptureReader.DIRECTION_INBOUND);
                    t += 10_000L;
                }
            }
        }
    }
}
