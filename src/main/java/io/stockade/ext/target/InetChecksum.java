package io.stockade.ext.target;

/**
 * The Internet checksum (RFC 1071) over byte arrays and the incremental update of RFC 1624,
 * for the packets targets build or rewrite. Allocation-free.
 */
final class InetChecksum {
    private InetChecksum() {
    }

    /** Adds {@code len} bytes at {@code off} as big-endian 16-bit words to {@code sum} (not folded). */
    static long add(byte[] b, int off, int len, long sum) {
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /** As {@link #add(byte[], int, int, long)} over a memory segment. */
    static long add(java.lang.foreign.MemorySegment seg, int off, int len, long sum) {
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xff) << 8)
                    | (seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i + 1) & 0xff);
        }
        if (i < end) {
            sum += (seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xff) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits and complements it: the value to store in a checksum field. */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** Sum of an IPv4 pseudo header (addresses in the low 32 bits). */
    static long pseudo4(long src, long dst, int proto, int len) {
        return ((src >>> 16) & 0xffff) + (src & 0xffff) + ((dst >>> 16) & 0xffff) + (dst & 0xffff) + proto + len;
    }

    /** Sum of an IPv6 pseudo header. */
    static long pseudo6(long srcHi, long srcLo, long dstHi, long dstLo, int proto, int len) {
        return words(srcHi) + words(srcLo) + words(dstHi) + words(dstLo) + proto + len;
    }

    private static long words(long v) {
        return ((v >>> 48) & 0xffff) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }

    /**
     * RFC 1624 eqn. 3: the new checksum field after a 16-bit word of the covered data changed
     * from {@code oldWord} to {@code newWord}: HC' = ~(~HC + ~m + m').
     */
    static int update16(int check, int oldWord, int newWord) {
        long sum = (~check & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return finish(sum);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void put64(byte[] b, int off, long v) {
        put32(b, off, v >>> 32);
        put32(b, off + 4, v);
    }
}
