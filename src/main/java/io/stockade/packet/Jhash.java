package io.stockade.packet;

/**
 * The kernel's Jenkins hash ({@code include/linux/jhash.h}), the one place Stockade computes it:
 * xt_cluster, HMARK and the NAT address choice ({@code find_best_ips_proto}) must pick exactly
 * what a Linux host picks. Values are u32 carried in ints. Addresses are hashed as the kernel on a
 * little-endian host reads network-order words: pass them through {@link #le(int)}.
 * Stateless; allocation-free.
 */
public final class Jhash {
    /** JHASH_INITVAL. */
    public static final int INITVAL = 0xdeadbeef;

    private Jhash() {
    }

    /** {@code jhash_1word(a, initval)}. */
    public static int oneWord(int a, int initval) {
        int iv = initval + INITVAL + (1 << 2);
        return fin(a + iv, iv, iv);
    }

    /** {@code jhash_3words(a, b, c, initval)}. */
    public static int threeWords(int a, int b, int c, int initval) {
        int iv = initval + INITVAL + (3 << 2);
        return fin(a + iv, b + iv, c + iv);
    }

    /** {@code jhash2(k, 4, initval)}: four 32-bit words, e.g. one IPv6 address. */
    public static int fourWords(int k0, int k1, int k2, int k3, int initval) {
        int a = INITVAL + (4 << 2) + initval;
        int b = a;
        int c = a;
        a += k0;
        b += k1;
        c += k2;
        // __jhash_mix
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
        return fin(a + k3, b, c);
    }

    /** {@code __jhash_final(a, b, c)}, returning c. */
    private static int fin(int a, int b, int c) {
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

    /** The little-endian host's u32 view of network-order word {@code w}. */
    public static int le(int w) {
        return Integer.reverseBytes(w);
    }

    /** {@code reciprocal_scale(hash, n)}: hash mapped onto [0, n). */
    public static int scale(int hash, int n) {
        return (int) (((hash & 0xffffffffL) * (n & 0xffffffffL)) >>> 32);
    }
}
