package io.stockade.packet;

import io.stockade.io.CaptureReader;
import io.stockade.io.PcapngWriter;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Not a test: a single-threaded throughput figure for docs/BENCHMARKS.md. Measures thread CPU
 * time (not wall time, the machine is shared) per parse over a mix of packets, and per packet for
 * read + link-layer decode + parse over a generated pcapng. Run:
 * {@code java -cp target/classes:target/test-classes io.stockade.packet.ParseBenchmark}.
 */
public final class ParseBenchmark {
    private ParseBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<byte[]> mix = List.of(
                Samples.bytes(Samples.TCP_SYN), Samples.bytes(Samples.UDP6_EXT), Samples.bytes(Samples.ICMP_ERR),
                Samples.bytes(Samples.ICMP6_ECHO), Samples.bytes(Samples.FRAG6_FIRST),
                PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).payload(1400).build(),
                PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 53).payload(60).build(),
                PacketBuilder.ipv6("2001:db8::1", "2001:db8::2").tcp(1, 2).timestamp(1, 2).payload(500).build());
        MemorySegment[] segs = new MemorySegment[mix.size()];
        int[] lens = new int[mix.size()];
        for (int i = 0; i < segs.length; i++) {
            segs[i] = MemorySegment.ofArray(mix.get(i));
            lens[i] = mix.get(i).length;
        }
        PacketParser parser = new PacketParser();
        PacketDescriptor pd = new PacketDescriptor();
        long sink = 0;
        int n = 20_000_000;
        for (int run = 0; run < 6; run++) {
            long t0 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < n; k++) {
                int i = k & 7;
                if (parser.parse(pd, segs[i], 0, lens[i])) {
                    sink += pd.dstPort;
                }
            }
            long t = mx.getCurrentThreadCpuTime() - t0;
            System.out.printf("parse mix: run %d: %.1f ns/packet (CPU)%n", run, (double) t / n);
        }
        for (int run = 0; run < 4; run++) {
            long t0 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < n / 4; k++) {
                int i = k & 7;
                if (parser.parse(pd, segs[i], 0, lens[i]) && Checksum.verifyL4(pd)) {
                    sink++;
                }
            }
            long t = mx.getCurrentThreadCpuTime() - t0;
            System.out.printf("parse + verifyL4 mix: run %d: %.1f ns/packet (CPU)%n", run, (double) t / (n / 4));
        }
        Path f = Files.createTempFile("bench", ".pcapng");
        int packets = 2_000_000;
        try (PcapngWriter w = new PcapngWriter(f)) {
            int e = w.addInterface("eth0", LinkLayer.LINKTYPE_ETHERNET, 65535);
            byte[][] frames = new byte[mix.size()][];
            for (int i = 0; i < frames.length; i++) {
                byte[] ip = mix.get(i);
                frames[i] = new byte[14 + ip.length];
                frames[i][12] = (byte) ((ip[0] >> 4) == 4 ? 0x08 : 0x86);
                frames[i][13] = (byte) ((ip[0] >> 4) == 4 ? 0x00 : 0xdd);
                System.arraycopy(ip, 0, frames[i], 14, ip.length);
            }
            for (int k = 0; k < packets; k++) {
                byte[] fr = frames[k & 7];
                w.write(e, k * 1000L, fr, 0, fr.length, 1);
            }
        }
        LinkLayer ll = new LinkLayer();
        for (int run = 0; run < 5; run++) {
            long t0 = mx.getCurrentThreadCpuTime();
            try (CaptureReader r = CaptureReader.open(f)) {
                while (r.next()) {
                    if (ll.decode(r.linkType(), r.data(), r.offset(), r.capturedLength())
                            && parser.parse(pd, r.data(), ll.ipOffset, ll.ipLength)) {
                        sink += pd.srcPort;
                    }
                }
            }
            long t = mx.getCurrentThreadCpuTime() - t0;
            System.out.printf("pcapng read+decode+parse: run %d: %.1f ns/packet (CPU), file %d MB%n", run,
                    (double) t / packets, Files.size(f) >> 20);
        }
        Files.delete(f);
        System.out.println("sink " + sink);
    }
}
