package io.stockade.ext.target;

/** Big-endian stores into the byte arrays targets build packets in (REJECT replies). */
final class Put {
    private Put() {
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
