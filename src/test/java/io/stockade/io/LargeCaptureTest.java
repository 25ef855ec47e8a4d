package io.stockade.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.packet.DropReason;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.PacketParser;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pcapng larger than 2 GiB (sparse: a skipped custom block spans the middle) whose packet lies
 * beyond the 2 GiB mark: the mapping and long offsets reach it; the parser wants it copied.
 */
class LargeCaptureTest {
    @TempDir
    Path dir;

    @Test
    void packetBeyondTwoGibibytes() throws Exception {
        Path ng = dir.resolve("small.pcapng");
        byte[] pkt = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 53).payload(20).build();
        try (PcapngWriter w = new PcapngWriter(ng)) {
            w.addInterface("big0", LinkLayer.LINKTYPE_RAW, 0);
            w.write(0, 42, pkt, 0, pkt.length, CaptureReader.DIRECTION_INBOUND);
        }
        byte[] small = Files.readAllBytes(ng);
        int epbAt = 0;
        ByteBuffer bb = ByteBuffer.wrap(small).order(ByteOrder.LITTLE_ENDIAN);
        while (bb.getInt(epbAt) != 6) {
            epbAt += bb.getInt(epbAt + 4);
        }
        long skipLen = (1L << 31) + 4096; // a custom block (type 0x00000bad) the reader skips by length
        Path big = dir.resolve("big.pcapng");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(small, 0, epbAt);
            ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0xbad).putInt((int) skipLen);
            f.write(h.array());
            f.seek(epbAt + skipLen - 4);
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) skipLen).array());
            f.write(small, epbAt, small.length - epbAt);
        }
        assertTrue(Files.size(big) > (1L << 31));
        try (CaptureReader r = CaptureReader.open(big)) {
            assertTrue(r.next());
            assertTrue(r.offset() > Integer.MAX_VALUE, "offset " + r.offset());
            assertEquals("big0", r.interfaceName());
            assertEquals(42L, r.timestampNanos(), "the writer records nanoseconds");
            assertEquals(pkt.length, r.capturedLength());
            PacketDescriptor pd = new PacketDescriptor();
            PacketParser parser = new PacketParser();
            assertFalse(parser.parse(pd, r.data(), r.offset(), r.capturedLength()));
            assertEquals(DropReason.OUT_OF_RANGE, pd.dropReason);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(65536);
                MemorySegment.copy(r.data(), r.offset(), buf, 0, r.capturedLength());
                assertTrue(parser.parse(pd, buf, 0, r.capturedLength()));
                assertEquals(53, pd.dstPort);
                assertArrayEquals(pkt, buf.asSlice(0, pkt.length).toArray(ValueLayout.JAVA_BYTE));
            }
            assertFalse(r.next());
        }
    }
}
