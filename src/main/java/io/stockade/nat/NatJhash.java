package io.stockade.nat;

/**
 * {@code jhash2(k, 4, initval)} from {@code include/linux/jhash.h}, as {@code find_best_ips_proto}
 * uses it to spread connections over a NAT address range. Words are the u32 values a
 * little-endian host reads from the network-order address bytes.
 */
final class NatJhash {
    private static final int JHASH_INITVAL = 0xdeadbeef;

    private NatJhash() {
    }

    static int fourWords(int k0, int k1, int k2, int k3, int initval) {
        int a = JHASH_INITVAL + (4 << 2) + initval;
        int b = a;
        int c = a;
        a += k0;
        b += k1;
        c += k2;
        a -= c;
        a ^= Integer.rotateLeft(c, 4);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 6);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 8);
        b += a;
        a -= c;
        a ^= Integer.rotateLeft(c, 16);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 19);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 4);
        b += a;
        a += k3;
        c ^= b;
        c -= Integer.rotateLeft(b, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        b ^= a;
        b -= Integer.rotateLeft(a, 25);
        c ^= b;
        c -= Integer.rotateLeft(b, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        b ^= a;
        b -= Integer.rotateLeft(a, 14);
        c ^= b;
        c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /** The little-endian host's u32 view of network-order word {@code w} (big-endian value). */
    static int le(int w) {
        return Integer.reverseBytes(w);
    }

    /** {@code reciprocal_scale(hash, n)}. */
    static int scale(int hash, int n) {
        return (int) (((hash & 0xffffffffL) * (n & 0xffffffffL)) >>> 32);
    }
}
