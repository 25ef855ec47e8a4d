package io.stockade.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupted capture files end in a CaptureFormatException or read through; nothing else escapes. */
class CaptureFuzzTest {
    @TempDir
    Path dir;

    @Test
    void corruptedFilesOnlyEverRaiseCaptureFormatException() throws IOException {
        byte[] p = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(9).build();
        Path ngPath = dir.resolve("seed.pcapng");
        try (PcapngWriter w = new PcapngWriter(ngPath)) {
            w.addInterface("eth0", LinkLayer.LINKTYPE_RAW, 0);
            w.addInterface("eth1", LinkLayer.LINKTYPE_RAW, 0);
            for (int i = 0; i < 4; i++) {
                w.write(i & 1, i, p, 0, p.length, 1 + (i & 1));
            }
        }
        byte[] ng = Files.readAllBytes(ngPath);
        ByteBuffer pc = ByteBuffer.allocate(24 + 4 * (16 + p.length)).order(ByteOrder.LITTLE_ENDIAN);
        pc.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
        for (int i = 0; i < 4; i++) {
            pc.putInt(i).putInt(0).putInt(p.length).putInt(p.length).put(p);
        }
        byte[][] seeds = {ng, pc.array()};
        Random r = new Random(99);
        Path f = dir.resolve("fuzz");
        int errors = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] b = seeds[round & 1].clone();
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            int len = r.nextInt(3) == 0 ? r.nextInt(b.length + 1) : b.length;
            Files.write(f, java.util.Arrays.copyOf(b, len));
            try (CaptureReader reader = CaptureReader.open(f)) {
                for (int n = 0; n < 100 && reader.next(); n++) {
                    if (reader.capturedLength() > 0) {
                        // The last byte of every packet lies inside the mapping.
                        reader.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE,
                                reader.offset() + reader.capturedLength() - 1);
                    }
                    reader.interfaceName();
                    reader.timestampNanos();
                }
            } catch (CaptureFormatException e) {
                errors++;
                assertTrue(e.getMessage().contains("offset"), e.getMessage());
            }
        }
        assertTrue(errors > 100, "corruption should be detected often, got " + errors);
    }
}
