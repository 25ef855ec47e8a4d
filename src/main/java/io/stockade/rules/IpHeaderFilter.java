package io.stockade.rules;

/**
 * The fixed part of every rule (the kernel's {@code struct ipt_ip} / {@code ip6t_ip6}):
 * source/destination prefix, in/out interface, protocol, fragment flag and their inversions.
 *
 * <p>Addresses are kept flat as two longs (high and low 64 bits, network order); an IPv4 address
 * sits in the low 32 bits of {@code lo} with {@code hi = 0}. Address bits outside the mask are
 * zero. Interface names are "" for "any"; a trailing {@code +} means "any name with this prefix".
 *
 * @param protocol IP protocol number, 0 for "all"
 * @param fragment {@code -f} (IPv4 only): true = rule applies to second and further fragments
 * @param invFlags bits of {@code INV_*}
 */
public record IpHeaderFilter(
        Family family,
        long srcHi, long srcLo, long srcMaskHi, long srcMaskLo,
        long dstHi, long dstLo, long dstMaskHi, long dstMaskLo,
        String inIface, String outIface,
        int protocol, boolean fragment, int invFlags) {

    /** {@code ! -i}. */
    public static final int INV_IN = 0x01;
    /** {@code ! -o}. */
    public static final int INV_OUT = 0x02;
    /** {@code ! -s}. */
    public static final int INV_SRC = 0x08;
    /** {@code ! -d}. */
    public static final int INV_DST = 0x10;
    /** {@code ! -f}. */
    public static final int INV_FRAG = 0x20;
    /** {@code ! -p}. */
    public static final int INV_PROTO = 0x40;

    /** A filter that matches every packet of the family. */
    public static IpHeaderFilter any(Family family) {
        return new IpHeaderFilter(family, 0, 0, 0, 0, 0, 0, 0, 0, "", "", 0, false, 0);
    }

    public boolean inverted(int flag) {
        return (invFlags & flag) != 0;
    }

    /** Prefix length of the source mask if it is contiguous, else -1. */
    public int srcPrefixLength() {
        return prefixLength(srcMaskHi, srcMaskLo);
    }

    /** Prefix length of the destination mask if it is contiguous, else -1. */
    public int dstPrefixLength() {
        return prefixLength(dstMaskHi, dstMaskLo);
    }

    private int prefixLength(long hi, long lo) {
        if (family == Family.IPV4) {
            int m = (int) lo;
            int n = Integer.bitCount(m);
            return (n == 0 ? m == 0 : Integer.numberOfTrailingZeros(m) == 32 - n) ? n : -1;
        }
        int n = Long.bitCount(hi) + Long.bitCount(lo);
        long expectHi = n >= 64 ? -1L : (n == 0 ? 0 : -1L << (64 - n));
        long expectLo = n <= 64 ? 0 : (n == 128 ? -1L : -1L << (128 - n));
        return hi == expectHi && lo == expectLo ? n : -1;
    }
}
