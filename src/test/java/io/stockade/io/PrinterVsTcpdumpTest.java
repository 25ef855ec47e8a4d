package io.stockade.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.PacketParser;
import io.stockade.packet.PacketPrinter;
import io.stockade.packet.Tcp;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential check of builder, writer, parser and printer against tcpdump: random TCP (flags,
 * seq/ack, window, urgent, MSS/wscale/SACK-perm/SACK/timestamps/NOP), UDP and ICMP/ICMPv6 echo
 * packets over IPv4 and IPv6 are written to a pcapng; {@code tcpdump -nn -S -t -r} must print the
 * line PacketPrinter prints for each (up to tcpdump's application-layer dissection).
 */
class PrinterVsTcpdumpTest {
    @TempDir
    Path dir;

    private static String addr(Random r, boolean v6) {
        return v6 ? "2001:db8::" + Integer.toHexString(1 + r.nextInt(0xfffe))
                : "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    private static byte[] random(Random r) {
        boolean v6 = r.nextBoolean();
        PacketBuilder b = v6 ? PacketBuilder.ipv6(addr(r, true), addr(r, true))
                : PacketBuilder.ipv4(addr(r, false), addr(r, false));
        switch (r.nextInt(3)) {
            case 0 -> {
                b.tcp(1 + r.nextInt(65535), 1 + r.nextInt(65535)).flags(r.nextInt(256)).seq(r.nextInt()).ack(r.nextInt())
                        .window(r.nextInt(65536)).urgent(r.nextInt(65536));
                int opts = r.nextInt(4);
                for (int i = 0; i < opts; i++) {
                    switch (r.nextInt(6)) {
                        case 0 -> b.mss(r.nextInt(65536));
                        case 1 -> b.windowScale(r.nextInt(15));
                        case 2 -> b.sackPermitted();
                        case 3 -> b.timestamp(r.nextInt(), r.nextInt());
                        case 4 -> b.tcpOption(Tcp.OPT_NOP);
                        default -> b.tcpOption(Tcp.OPT_SACK, new byte[] {0, 0, 0, (byte) r.nextInt(100), 0, 0, 1, 0});
                    }
                }
            }
            case 1 -> b.udp(1 + r.nextInt(65535), 1024 + r.nextInt(60000));
            default -> {
                if (r.nextBoolean()) {
                    b.echoRequest(r.nextInt(65536), r.nextInt(65536));
                } else {
                    b.echoReply(r.nextInt(65536), r.nextInt(65536));
                }
            }
        }
        return b.payload(r.nextInt(3) == 0 ? 0 : r.nextInt(200)).build();
    }

    @Test
    void printerMatchesTcpdump() throws Exception {
        Path tcpdump = Path.of("/usr/bin/tcpdump");
        Assumptions.assumeTrue(Files.isExecutable(tcpdump), "tcpdump not installed");
        Random r = new Random(5);
        List<String> expected = new ArrayList<>();
        PacketParser parser = new PacketParser();
        PacketDescriptor pd = new PacketDescriptor();
        Path f = dir.resolve("diff.pcapng");
        try (PcapngWriter w = new PcapngWriter(f)) {
            int raw = w.addInterface("raw0", LinkLayer.LINKTYPE_RAW, 262144);
            for (int i = 0; i < 400; i++) {
                byte[] p = random(r);
                w.write(raw, i, p, 0, p.length, 0);
                assertTrue(parser.parse(pd, MemorySegment.ofArray(p), 0, p.length));
                expected.add(PacketPrinter.format(pd));
            }
        }
        Process p = new ProcessBuilder(tcpdump.toString(), "-nn", "-S", "-t", "-r", f.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tcpdump did not finish");
        List<String> lines = new String(out).lines().toList();
        assertEquals(expected.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            // tcpdump appends application dissections by port (": RTSP", ": NTP…"); compare up to there.
            String line = lines.get(i);
            String mine = expected.get(i);
            String cut = line.length() > mine.length() && line.charAt(mine.length()) == ':'
                    ? line.substring(0, mine.length()) : line;
            assertEquals(cut, mine, "packet " + i);
        }
    }
}
