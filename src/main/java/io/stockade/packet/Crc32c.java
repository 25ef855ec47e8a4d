package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * CRC32c (Castagnoli, reflected polynomial 0x82F63B78), the SCTP checksum (RFC 4960 appendix B):
 * {@link #sctp} is {@code sctp_compute_cksum}, the CRC of the SCTP packet with its checksum field
 * taken as zero, as the value the wire carries little-endian. Table-driven; no allocation.
 */
public final class Crc32c {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc32c() {
    }

    /** CRC32c of {@code [from, to)} continuing from {@code crc} (start with 0). */
    public static int update(int crc, MemorySegment s, long from, long to) {
        int c = ~crc;
        for (long i = from; i < to; i++) {
            c = TABLE[(c ^ Wire.u8(s, i)) & 0xff] ^ (c >>> 8);
        }
        return ~c;
    }

    /**
     * The SCTP checksum of the packet at {@code [l4, end)} (common header at {@code l4}, its
     * checksum field at {@code l4 + 8} counted as zero), as the 32-bit field reads little-endian.
     */
    public static int sctp(MemorySegment s, long l4, long end) {
        int c = update(0, s, l4, l4 + 8);
        c = ~c;
        for (int i = 0; i < 4; i++) {
            c = TABLE[c & 0xff] ^ (c >>> 8);
        }
        c = ~c;
        return update(c, s, l4 + 12, end);
    }

    /** The checksum field of the SCTP header at {@code l4}, read little-endian. */
    public static int field(MemorySegment s, long l4) {
        return s.get(Wire.LE32, l4 + 8);
    }
}
