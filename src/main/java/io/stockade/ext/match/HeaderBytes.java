package io.stockade.ext.match;

import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Bounds-checked big-endian reads from a packet ({@code skb_header_pointer}) and the kernel's
 * IPv6 extension-header walk ({@code ipv6_find_hdr}) for the header matches. Static, allocation
 * free, never throws: an out-of-range read returns -1.
 *
 * <p>These matches walk the header chain themselves, as their kernel counterparts do, so they only
 * need {@link PacketDescriptor#data}, {@link PacketDescriptor#length}, {@link
 * PacketDescriptor#ipVersion} and (IPv4) {@link PacketDescriptor#l4Offset}/{@link
 * PacketDescriptor#fragOffset} from the packet parser.
 */
final class HeaderBytes {
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final ValueLayout.OfLong U64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static final int NEXTHDR_HOP = 0;
    static final int NEXTHDR_ROUTING = 43;
    static final int NEXTHDR_FRAGMENT = 44;
    static final int NEXTHDR_ESP = 50;
    static final int NEXTHDR_AUTH = 51;
    static final int NEXTHDR_NONE = 59;
    static final int NEXTHDR_DEST = 60;

    /** {@link #findIpv6} result: the header is not in the packet (-ENOENT). */
    static final int ENOENT = -1;
    /** {@link #findIpv6} result: the chain is truncated (-EBADMSG); the kernel match hotdrops. */
    static final int EBADMSG = -2;

    private HeaderBytes() {
    }

    static int u8(PacketDescriptor pd, int off) {
        if (off < 0 || off + 1 > pd.length || pd.data == null) {
            return -1;
        }
        return pd.data.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    static int u16(PacketDescriptor pd, int off) {
        if (off < 0 || off + 2 > pd.length || pd.data == null) {
            return -1;
        }
        return pd.data.get(U16, off) & 0xffff;
    }

    /** Unsigned 32-bit value, or -1 if out of range. */
    static long u32(PacketDescriptor pd, int off) {
        if (off < 0 || off + 4 > pd.length || pd.data == null) {
            return -1;
        }
        return pd.data.get(U32, off) & 0xffffffffL;
    }

    /** 64-bit big-endian value; the caller checks bounds with {@link #has}. */
    static long u64(PacketDescriptor pd, int off) {
        return pd.data.get(U64, off);
    }

    /** {@code ipv6_ext_hdr()}: headers the kernel walks over. */
    static boolean isExtHeader(int nexthdr) {
        return nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_FRAGMENT
                || nexthdr == NEXTHDR_AUTH || nexthdr == NEXTHDR_NONE || nexthdr == NEXTHDR_DEST;
    }

    /**
     * {@code ipv6_find_hdr(skb, &offset, target, NULL, NULL)}: the offset of the first header of
     * type {@code target} after the IPv6 header, {@link #ENOENT} or {@link #EBADMSG}. A
     * non-first fragment hides what follows its fragment header. Only for IPv6 packets.
     */
    static int findIpv6(PacketDescriptor pd, int target) {
        int nexthdr = u8(pd, 6);
        if (nexthdr < 0) {
            return EBADMSG;
        }
        int start = 40;
        for (int guard = 0; guard < 256; guard++) {
            boolean found = nexthdr == target;
            if (!isExtHeader(nexthdr) || nexthdr == NEXTHDR_NONE) {
                return found ? start : ENOENT;
            }
            int hpNext = u8(pd, start);
            int hpLen = u8(pd, start + 1);
            if (hpNext < 0 || hpLen < 0) {
                return EBADMSG;
            }
            int hdrlen;
            if (nexthdr == NEXTHDR_FRAGMENT) {
                int fragOff = u16(pd, start + 2);
                if (fragOff < 0) {
                    return EBADMSG;
                }
                if ((fragOff & ~0x7) != 0) {
                    return found ? start : ENOENT;
                }
                hdrlen = 8;
            } else if (nexthdr == NEXTHDR_AUTH) {
                hdrlen = (hpLen + 2) << 2;
            } else {
                hdrlen = (hpLen + 1) << 3;
            }
            if (found) {
                return start;
            }
            nexthdr = hpNext;
            start += hdrlen;
        }
        return EBADMSG;
    }

    /** True if every byte in [off, off+len) is inside the packet. */
    static boolean has(PacketDescriptor pd, int off, int len) {
        return off >= 0 && len >= 0 && off + len <= pd.length && pd.data != null;
    }
}
