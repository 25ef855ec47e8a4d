package io.stockade.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.Tcp;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] packetBytes(CaptureReader r) {
        return r.data().asSlice(r.offset(), r.capturedLength()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void pcapngWriteThenRead() throws IOException {
        byte[] a = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").tcp(1234, 80).flags(Tcp.SYN).ethernet().build();
        byte[] b = PacketBuilder.ipv6("2001:db8::1", "2001:db8::2").udp(5353, 53).payload(7).build();
        Path f = dir.resolve("x.pcapng");
        try (PcapngWriter w = new PcapngWriter(f)) {
            int eth = w.addInterface("eth0", LinkLayer.LINKTYPE_ETHERNET, 65535);
            int raw = w.addInterface("tun0", LinkLayer.LINKTYPE_RAW, 65535);
            w.write(eth, 1_700_000_000_123_456_789L, a, 0, a.length, CaptureReader.DIRECTION_INBOUND);
            w.write(raw, 1_700_000_001_000_000_001L, b, 0, b.length, CaptureReader.DIRECTION_OUTBOUND);
            w.write(eth, 5L, a, 0, a.length, CaptureReader.DIRECTION_UNKNOWN);
        }
        try (CaptureReader r = CaptureReader.open(f)) {
            assertTrue(r.next());
            assertEquals("eth0", r.interfaceName());
            assertEquals(0, r.interfaceIndex());
            assertEquals(LinkLayer.LINKTYPE_ETHERNET, r.linkType());
            assertEquals(1_700_000_000_123_456_789L, r.timestampNanos());
            assertEquals(CaptureReader.DIRECTION_INBOUND, r.direction());
            assertEquals(a.length, r.capturedLength());
            assertEquals(a.length, r.originalLength());
            assertArrayEquals(a, packetBytes(r));
            assertTrue(r.next());
            assertEquals("tun0", r.interfaceName());
            assertEquals(1, r.interfaceIndex());
            assertEquals(LinkLayer.LINKTYPE_RAW, r.linkType());
            assertEquals(CaptureReader.DIRECTION_OUTBOUND, r.direction());
            assertEquals(1_700_000_001_000_000_001L, r.timestampNanos());
            assertArrayEquals(b, packetBytes(r));
            assertTrue(r.next());
            assertEquals(CaptureReader.DIRECTION_UNKNOWN, r.direction());
            assertEquals(5L, r.timestampNanos());
            assertFalse(r.next());
            assertFalse(r.next());
        }
    }

    /** A classic pcap file built by hand in either byte order and resolution. */
    private static byte[] pcap(ByteOrder order, boolean nanos, int linkType, List<byte[]> pkts, int snap) {
        int size = 24;
        for (byte[] p : pkts) {
            size += 16 + Math.min(p.length, snap);
        }
        ByteBuffer bb = ByteBuffer.allocate(size).order(order);
        bb.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snap).putInt(linkType);
        int i = 0;
        for (byte[] p : pkts) {
            int cap = Math.min(p.length, snap);
            bb.putInt(1000 + i).putInt(nanos ? 999_999_999 : 999_999).putInt(cap).putInt(p.length);
            bb.put(p, 0, cap);
            i++;
        }
        return bb.array();
    }

    @Test
    void pcapBothByteOrdersAndResolutions() throws IOException {
        byte[] p = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(100).build();
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (boolean nanos : new boolean[] {false, true}) {
                Path f = dir.resolve("p-" + order + nanos + ".pcap");
                Files.write(f, pcap(order, nanos, LinkLayer.LINKTYPE_RAW, List.of(p, p), 64));
                try (CaptureReader r = CaptureReader.open(f)) {
                    assertTrue(r.next());
                    assertEquals(LinkLayer.LINKTYPE_RAW, r.linkType());
                    assertEquals(1000L * 1_000_000_000L + 999_999_999L - (nanos ? 0 : 999), r.timestampNanos());
                    assertEquals(64, r.capturedLength());
                    assertEquals(p.length, r.originalLength());
                    assertNull(r.interfaceName());
                    assertArrayEquals(java.util.Arrays.copyOf(p, 64), packetBytes(r));
                    assertTrue(r.next());
                    assertEquals(1001L, r.timestampNanos() / 1_000_000_000L);
                    assertFalse(r.next());
                }
            }
        }
    }

    @Test
    void malformedFilesNameTheOffset() throws IOException {
        byte[] p = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
        byte[] good = pcap(ByteOrder.LITTLE_ENDIAN, false, 101, List.of(p), 65535);
        Path f = dir.resolve("cut.pcap");
        Files.write(f, java.util.Arrays.copyOf(good, good.length - 3));
        try (CaptureReader r = CaptureReader.open(f)) {
            CaptureFormatException e = assertThrows(CaptureFormatException.class, r::next);
            assertEquals(24, e.offset);
            assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
        }
        Path magic = dir.resolve("magic.pcap");
        Files.write(magic, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertTrue(assertThrows(CaptureFormatException.class, () -> CaptureReader.open(magic))
                .getMessage().contains("magic"));
        Path tiny = dir.resolve("tiny.pcap");
        Files.write(tiny, new byte[] {1});
        assertThrows(CaptureFormatException.class, () -> CaptureReader.open(tiny));

        Path ng = dir.resolve("x.pcapng");
        try (PcapngWriter w = new PcapngWriter(ng)) {
            w.addInterface("eth0", 101, 0);
            w.write(0, 0, p, 0, p.length, 0);
        }
        byte[] bytes = Files.readAllBytes(ng);
        // Corrupt the EPB's interface id: 7 was never described.
        int epb = indexOfBlock(bytes, 6);
        bytes[epb + 8] = 7;
        Path bad = dir.resolve("bad.pcapng");
        Files.write(bad, bytes);
        try (CaptureReader r = CaptureReader.open(bad)) {
            CaptureFormatException e = assertThrows(CaptureFormatException.class, r::next);
            assertEquals(epb, e.offset);
            assertTrue(e.getMessage().contains("interface id 7"), e.getMessage());
        }
        // Corrupt the EPB's trailing length.
        bytes[epb + 8] = 0;
        bytes[bytes.length - 4] ^= 4;
        Files.write(bad, bytes);
        try (CaptureReader r = CaptureReader.open(bad)) {
            CaptureFormatException e = assertThrows(CaptureFormatException.class, r::next);
            assertEquals(epb, e.offset);
        }
    }

    private static int indexOfBlock(byte[] b, int type) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (at < b.length) {
            if (bb.getInt(at) == type) {
                return at;
            }
            at += bb.getInt(at + 4);
        }
        throw new AssertionError("no block " + type);
    }

    @Test
    void pcapngBigEndianSectionsSimplePacketsAndTsresol() throws IOException {
        byte[] p = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(3).build();
        ByteBuffer bb = ByteBuffer.allocate(1024).order(ByteOrder.BIG_ENDIAN);
        // Section 1, big-endian: SHB, IDB (raw, snap 16, if_tsresol 2^-10, if_name "w"), SPB, EPB with flags.
        block(bb, 0x0a0d0d0a, b -> b.putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1));
        block(bb, 1, b -> {
            b.putShort((short) 101).putShort((short) 0).putInt(16);
            b.putShort((short) 9).putShort((short) 1).put((byte) 0x8a).put(new byte[3]);
            b.putShort((short) 2).putShort((short) 1).put((byte) 'w').put(new byte[3]);
            b.putShort((short) 0).putShort((short) 0);
        });
        block(bb, 3, b -> {
            b.putInt(p.length).put(p, 0, 16);
        });
        block(bb, 6, b -> {
            b.putInt(0).putInt(0).putInt(3 * 1024 + 512).putInt(p.length).putInt(p.length).put(p);
            while ((b.position() & 3) != 0) {
                b.put((byte) 0);
            }
            b.putShort((short) 2).putShort((short) 4).putInt(2).putShort((short) 0).putShort((short) 0);
        });
        // Section 2, little-endian, its own interface list.
        ByteBuffer le = bb.slice().order(ByteOrder.LITTLE_ENDIAN);
        int start = bb.position();
        block(le, 0x0a0d0d0a, b -> b.putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1));
        block(le, 1, b -> b.putShort((short) 1).putShort((short) 0).putInt(0));
        block(le, 4, b -> b.putInt(0)); // a name resolution block to skip
        byte[] eth = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).ethernet().build();
        block(le, 6, b -> {
            b.putInt(0).putInt(0).putInt(7).putInt(eth.length).putInt(eth.length).put(eth);
            while ((b.position() & 3) != 0) {
                b.put((byte) 0);
            }
        });
        Path f = dir.resolve("multi.pcapng");
        Files.write(f, java.util.Arrays.copyOf(bb.array(), start + le.position()));
        try (CaptureReader r = CaptureReader.open(f)) {
            assertTrue(r.next());
            assertEquals(16, r.capturedLength(), "SPB captured length is limited by the snap length");
            assertEquals(p.length, r.originalLength());
            assertEquals("w", r.interfaceName());
            assertTrue(r.next());
            assertEquals(3_500_000_000L, r.timestampNanos(), "3.5 s at 2^-10 resolution");
            assertEquals(CaptureReader.DIRECTION_OUTBOUND, r.direction());
            assertArrayEquals(p, packetBytes(r));
            assertTrue(r.next());
            assertEquals(LinkLayer.LINKTYPE_ETHERNET, r.linkType());
            assertNull(r.interfaceName());
            assertEquals(7_000L, r.timestampNanos(), "default resolution is microseconds");
            assertArrayEquals(eth, packetBytes(r));
            assertFalse(r.next());
        }
    }

    private static void block(ByteBuffer bb, int type, java.util.function.Consumer<ByteBuffer> body) {
        int start = bb.position();
        bb.putInt(type).putInt(0);
        body.accept(bb);
        int total = bb.position() - start + 4;
        bb.putInt(total);
        bb.putInt(start + 4, total);
    }

    @Test
    void readingDecodingAndParsingDoNotAllocatePerPacket() throws IOException {
        byte[] a = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").tcp(1234, 80).flags(Tcp.SYN).mss(1460).ethernet().build();
        byte[] b = PacketBuilder.ipv6("2001:db8::1", "2001:db8::2").udp(5353, 53).payload(7).vlan(3).build();
        Path f = dir.resolve("alloc.pcapng");
        int n = 20_000;
        try (PcapngWriter w = new PcapngWriter(f)) {
            int eth = w.addInterface("eth0", LinkLayer.LINKTYPE_ETHERNET, 65535);
            for (int i = 0; i < n; i++) {
                byte[] p = (i & 1) == 0 ? a : b;
                w.write(eth, i * 1000L, p, 0, p.length, 1 + (i & 1));
            }
        }
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        io.stockade.packet.PacketParser parser = new io.stockade.packet.PacketParser();
        io.stockade.packet.PacketDescriptor pd = new io.stockade.packet.PacketDescriptor();
        LinkLayer ll = new LinkLayer();
        for (int round = 0; round < 4; round++) {
            try (CaptureReader r = CaptureReader.open(f)) {
                long before = mx.getThreadAllocatedBytes(tid);
                long sum = 0;
                int count = 0;
                while (r.next()) {
                    if (ll.decode(r.linkType(), r.data(), r.offset(), r.capturedLength())
                            && parser.parse(pd, r.data(), ll.ipOffset, ll.ipLength)) {
                        sum += pd.dstPort + r.direction();
                    }
                    count++;
                }
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                assertEquals(n, count);
                assertTrue(sum > 0);
                if (round == 3) {
                    // Opening allocated before "before"; the interface record is made once; per packet nothing.
                    assertTrue(allocated < 32 * 1024, "allocated " + allocated + " bytes for " + n + " packets");
                }
            }
        }
    }

    @Test
    void tcpdumpReadsWhatWeWrite() throws Exception {
        Path tcpdump = Path.of("/usr/bin/tcpdump");
        Assumptions.assumeTrue(Files.isExecutable(tcpdump), "tcpdump not installed");
        Path f = dir.resolve("t.pcapng");
        byte[] syn = PacketBuilder.ipv4("198.51.100.10", "198.51.100.1").tcp(40000, 22).flags(Tcp.SYN).seq(1)
                .mss(1460).ethernet().build();
        byte[] echo = PacketBuilder.ipv6("2001:db8::1", "2001:db8::2").echoRequest(7, 1).ethernet().build();
        try (PcapngWriter w = new PcapngWriter(f)) {
            // libpcap (tcpdump) refuses a pcapng whose interfaces have different link types.
            int e = w.addInterface("eth0", LinkLayer.LINKTYPE_ETHERNET, 262144);
            int r = w.addInterface("eth1", LinkLayer.LINKTYPE_ETHERNET, 262144);
            w.write(e, 1_000_000_000L, syn, 0, syn.length, 1);
            w.write(r, 2_000_000_000L, echo, 0, echo.length, 2);
        }
        Process p = new ProcessBuilder(tcpdump.toString(), "-nn", "-r", f.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tcpdump did not finish");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        List<String> lines = new ArrayList<>(out.lines().filter(l -> !l.startsWith("reading from")).toList());
        assertEquals(2, lines.size(), out);
        assertTrue(lines.get(0).contains("198.51.100.10.40000 > 198.51.100.1.22: Flags [S]"), lines.get(0));
        assertTrue(lines.get(0).contains("mss 1460"), lines.get(0));
        assertTrue(lines.get(1).contains("2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 7, seq 1"), lines.get(1));
    }
}
