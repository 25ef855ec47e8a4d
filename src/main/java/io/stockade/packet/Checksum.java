package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum: full computation (RFC 1071), pseudo-headers (RFC 768/793 for IPv4,
 * RFC 8200 §8.1 for IPv6) and incremental update (RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}),
 * the kernel's {@code csum_replace2/4} and {@code inet_proto_csum_replace16}.
 *
 * <p>{@link #sum} returns an unfolded 32-bit-ish partial sum (as a long, so any packet length adds
 * without overflow); {@link #fold} turns it into 16 bits; the field value is {@code ~fold(sum)}.
 * All methods are allocation-free.
 */
public final class Checksum {
    private Checksum() {
    }

    /** Adds the 16-bit big-endian words of {@code [off, off + len)} to {@code initial} (odd tail padded with 0). */
    public static long sum(MemorySegment s, long off, int len, long initial) {
        long acc = initial;
        long i = off;
        long end = off + len;
        while (i + 8 <= end) {
            long v = Wire.i64(s, i);
            acc += (v >>> 32) + (v & 0xffffffffL);
            i += 8;
        }
        if (i + 4 <= end) {
            acc += Wire.u32(s, i);
            i += 4;
        }
        if (i + 2 <= end) {
            acc += Wire.u16(s, i);
            i += 2;
        }
        if (i < end) {
            acc += Wire.u8(s, i) << 8;
        }
        return acc;
    }

    /** Folds a partial sum to 16 bits (end-around carry). */
    public static int fold(long acc) {
        long a = (acc & 0xffffffffL) + (acc >>> 32);
        a = (a & 0xffff) + (a >>> 16);
        a = (a & 0xffff) + (a >>> 16);
        a = (a & 0xffff) + (a >>> 16);
        return (int) a;
    }

    /** The checksum field value for a partial sum: one's complement of the folded sum. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xffff;
    }

    /** IPv4 pseudo-header sum: source, destination, zero + protocol, transport length. */
    public static long pseudoIpv4(long src, long dst, int protocol, int l4Length) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + l4Length;
    }

    /** IPv6 pseudo-header sum: source, destination, upper-layer length (32 bits), next header. */
    public static long pseudoIpv6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int l4Length) {
        return words(srcHi) + words(srcLo) + words(dstHi) + words(dstLo)
                + (l4Length >>> 16) + (l4Length & 0xffff) + nextHeader;
    }

    private static long words(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }

    /** RFC 1624: the new checksum after a 16-bit field changed from {@code old} to {@code now}. */
    public static int update16(int check, int old, int now) {
        long acc = (~check & 0xffff) + (~old & 0xffff) + (now & 0xffff);
        return ~fold(acc) & 0xffff;
    }

    /** RFC 1624 for a 32-bit field (an IPv4 address, a sequence number). */
    public static int update32(int check, int old, int now) {
        long acc = (~check & 0xffff)
                + (~(old >>> 16) & 0xffff) + (~old & 0xffff)
                + ((now >>> 16) & 0xffff) + (now & 0xffff);
        return ~fold(acc) & 0xffff;
    }

    /** RFC 1624 for a 128-bit field (an IPv6 address) given as high/low longs. */
    public static int update128(int check, long oldHi, long oldLo, long nowHi, long nowLo) {
        long acc = (~check & 0xffff)
                + (0x3fffcL - words(oldHi)) + (0x3fffcL - words(oldLo))
                + words(nowHi) + words(nowLo);
        return ~fold(acc) & 0xffff;
    }

    /** True when the IPv4 header checksum of a parsed packet is right ({@code ip_rcv_core()}'s check). */
    public static boolean verifyIpv4Header(PacketDescriptor pd) {
        return pd.ipVersion != 4 || fold(sum(pd.data, pd.base, pd.l3HeaderLength, 0)) == 0xffff;
    }

    /**
     * True when the transport checksum (TCP, UDP, UDP-Lite coverage, ICMP, ICMPv6; with the
     * pseudo-header where the protocol has one) of a parsed packet is right, as conntrack's
     * {@code nf_checksum()} sees it. A UDP checksum of 0 means "none" and passes (as in
     * {@code udp_error()}); fragments, truncated captures and other protocols cannot be checked
     * and pass.
     */
    public static boolean verifyL4(PacketDescriptor pd) {
        if (pd.l4Offset < 0 || pd.isFragment || pd.truncated) {
            return true;
        }
        int l4len = pd.ipTotalLength - (int) (pd.l4Offset - pd.base);
        switch (pd.protocol) {
            case PacketParser.PROTO_UDP, PacketParser.PROTO_UDPLITE -> {
                if (l4len < Udp.HEADER_LENGTH) {
                    return false;
                }
                if (Wire.u16(pd.data, pd.l4Offset + Udp.CHECKSUM_OFFSET) == 0) {
                    return pd.protocol == PacketParser.PROTO_UDP;
                }
            }
            case PacketParser.PROTO_TCP, PacketParser.PROTO_ICMP, PacketParser.PROTO_ICMPV6 -> {
            }
            default -> {
                return true;
            }
        }
        return fold(l4Sum(pd, l4len)) == 0xffff;
    }

    /**
     * The partial sum over the transport header and payload of a parsed packet plus its
     * pseudo-header (none for ICMPv4), checksum field included: folds to 0xffff when valid.
     * UDP-Lite sums only its coverage (length field; 0 = whole packet).
     */
    public static long l4Sum(PacketDescriptor pd, int l4len) {
        int covered = l4len;
        if (pd.protocol == PacketParser.PROTO_UDPLITE) {
            int cov = Wire.u16(pd.data, pd.l4Offset + Udp.LENGTH_OFFSET);
            if (cov != 0 && cov <= l4len) {
                covered = cov;
            }
        }
        long acc = sum(pd.data, pd.l4Offset, covered, 0);
        if (pd.protocol == PacketParser.PROTO_ICMP && pd.ipVersion == 4) {
            return acc;
        }
        return acc + (pd.ipVersion == 4
                ? pseudoIpv4(pd.srcLo, pd.dstLo, pd.protocol, l4len)
                : pseudoIpv6(pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, pd.protocol, l4len));
    }

    /**
     * Writes correct checksums into a parsed, untruncated packet: the IPv4 header checksum and the
     * TCP/UDP/UDP-Lite/ICMP/ICMPv6 checksum (a UDP result of 0 is sent as 0xffff, RFC 768).
     */
    public static void fill(PacketDescriptor pd) {
        if (pd.ipVersion == 4) {
            Wire.put16(pd.data, pd.base + Ipv4.CHECKSUM_OFFSET, 0);
            Wire.put16(pd.data, pd.base + Ipv4.CHECKSUM_OFFSET, finish(sum(pd.data, pd.base, pd.l3HeaderLength, 0)));
        }
        if (pd.l4Offset < 0 || pd.isFragment && (pd.fragOffset != 0 || pd.moreFragments)) {
            return;
        }
        int l4len = pd.ipTotalLength - (int) (pd.l4Offset - pd.base);
        int field;
        switch (pd.protocol) {
            case PacketParser.PROTO_TCP -> field = Tcp.CHECKSUM_OFFSET;
            case PacketParser.PROTO_UDP, PacketParser.PROTO_UDPLITE -> field = Udp.CHECKSUM_OFFSET;
            case PacketParser.PROTO_ICMP, PacketParser.PROTO_ICMPV6 -> field = Icmp.CHECKSUM_OFFSET;
            default -> {
                return;
            }
        }
        if (l4len < field + 2) {
            return;
        }
        Wire.put16(pd.data, pd.l4Offset + field, 0);
        int c = finish(l4Sum(pd, l4len));
        if (c == 0 && pd.protocol == PacketParser.PROTO_UDP) {
            c = 0xffff;
        }
        Wire.put16(pd.data, pd.l4Offset + field, c);
    }
}
