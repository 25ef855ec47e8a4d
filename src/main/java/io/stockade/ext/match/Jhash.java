package io.stockade.ext.match;

/**
 * The kernel's Jenkins hash ({@code include/linux/jhash.h}) as used by xt_cluster, so that a
 * Stockade node and a Linux node sharing a cluster rule pick the same owner. Values are u32 in
 * ints. Addresses are hashed as the kernel on a little-endian host reads network-order words.
 */
final class Jhash {
    static final int INITVAL = 0xdeadbeef;

    private Jhash() {
    }

    /** {@code jhash_1word(a, initval)}. */
    static int oneWord(int a, int initval) {
        int iv = initval + INITVAL + (1 << 2);
        return fin(a + iv, iv, iv);
    }

    /** {@code jhash2(k, 4, initval)} for one IPv6 address given as its four 32-bit words. */
    static int fourWords(int k0, int k1, int k2, int k3, int initval) {
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

    /** {@code __jhash_final}, returning c. */
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

    /** {@code reciprocal_scale(hash, n)}: hash mapped onto [0, n). */
    static int scale(int hash, int n) {
        return (int) (((hash & 0xffffffffL) * (n & 0xffffffffL)) >>> 32);
    }
}
