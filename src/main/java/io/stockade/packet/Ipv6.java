package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy view of the IPv6 fixed header (RFC 8200 §3) and, through {@link #walkExtensions}, its
 * extension-header chain (§4). A reusable flyweight: {@link #wrap} then {@link #check}.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Source Address (128)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Destination Address (128)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Extension headers other than fragment share the generic shape "next header, length in 8-octet
 * units not counting the first 8"; AH's length is in 4-octet units minus 2 (RFC 4302).
 */
public final class Ipv6 {
    public static final int VERSION_TC_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SRC_ADDR_OFFSET = 8;
    public static final int DST_ADDR_OFFSET = 24;
    public static final int HEADER_LENGTH = 40;
    /** Hard limit on extension headers walked (pf's {@code PF_HDR_LIMIT} idea). */
    public static final int MAX_EXT_HEADERS = 16;
    /** Headers the walk records but stops at, as {@code ipv6_find_hdr()} does. */
    private static final int TERMINAL = Ipv6ExtHeaders.ESP | Ipv6ExtHeaders.NONE | Ipv6ExtHeaders.MOBILITY;

    private MemorySegment seg;
    private long off;
    private int len;

    public Ipv6 wrap(MemorySegment segment, long offset, int length) {
        this.seg = segment;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Checks as {@code ipv6_rcv()} does: fixed header present, version 6, 40 + payload length ≤ the
     * bytes available.
     */
    public DropReason check() {
        if (len < HEADER_LENGTH) {
            return DropReason.SHORT;
        }
        if (version() != 6) {
            return DropReason.BAD_VERSION;
        }
        if (HEADER_LENGTH + payloadLength() > len) {
            return DropReason.BAD_TOTAL_LENGTH;
        }
        // LINUX-DIFF: a jumbogram (payload length 0 with a hop-by-hop jumbo option, RFC 2675) is read
        // as a 40-byte packet; ipv6_rcv() takes its length from the option. Hop-by-hop options are
        // not processed here (ipv6_parse_hopopts() drops bad ones before PRE_ROUTING).
        return DropReason.NONE;
    }

    public int version() {
        return Wire.u8(seg, off) >>> 4;
    }

    public int trafficClass() {
        return (Wire.u16(seg, off) >>> 4) & 0xff;
    }

    public int flowLabel() {
        return Wire.i32(seg, off) & 0xfffff;
    }

    public int payloadLength() {
        return Wire.u16(seg, off + PAYLOAD_LENGTH_OFFSET);
    }

    public int nextHeader() {
        return Wire.u8(seg, off + NEXT_HEADER_OFFSET);
    }

    public int hopLimit() {
        return Wire.u8(seg, off + HOP_LIMIT_OFFSET);
    }

    public long srcHi() {
        return Wire.i64(seg, off + SRC_ADDR_OFFSET);
    }

    public long srcLo() {
        return Wire.i64(seg, off + SRC_ADDR_OFFSET + 8);
    }

    public long dstHi() {
        return Wire.i64(seg, off + DST_ADDR_OFFSET);
    }

    public long dstLo() {
        return Wire.i64(seg, off + DST_ADDR_OFFSET + 8);
    }

    public void setTrafficClass(int tc) {
        int w = Wire.i32(seg, off);
        Wire.put32(seg, off, (w & 0xf00fffff) | ((tc & 0xff) << 20));
    }

    public void setHopLimit(int v) {
        Wire.put8(seg, off + HOP_LIMIT_OFFSET, v);
    }

    public void setPayloadLength(int v) {
        Wire.put16(seg, off + PAYLOAD_LENGTH_OFFSET, v);
    }

    /**
     * Length in bytes of the extension header of kind {@code nexthdr} at absolute {@code at}
     * (which must have 2 readable bytes): fragment 8, AH (len+2)×4, others (len+1)×8.
     */
    public static int extLength(MemorySegment s, long at, int nexthdr) {
        if (nexthdr == Ipv6ExtHeaders.NEXTHDR_FRAGMENT) {
            return Ipv6Fragment.HEADER_LENGTH;
        }
        int l = Wire.u8(s, at + 1);
        return nexthdr == Ipv6ExtHeaders.NEXTHDR_AUTH ? (l + 2) << 2 : (l + 1) << 3;
    }

    /**
     * Walks the extension headers after the fixed header into {@code pd} (bounded by
     * {@link #MAX_EXT_HEADERS}, always advancing): fills {@code ipv6ExtMask},
     * {@code ipv6ExtOffsets}, {@code ipv6ExtCount}, the fragment facts, {@code protocol},
     * {@code l3HeaderLength} and {@code l4Offset} (-1 for a later fragment). ESP, mobility and
     * no-next-header end the walk and are the {@code protocol} (their bit is still set).
     * Like {@code ipv6_find_hdr()}, the walk stops at a fragment header with a non-zero offset
     * (what follows is payload). Returns NONE or {@link DropReason#BAD_EXT_HEADER}
     * (header runs past the packet or the captured bytes, a second fragment header) or {@link DropReason#TOO_MANY_EXT_HEADERS}.
     */
    public DropReason walkExtensions(PacketDescriptor pd) {
        int end = Math.min(HEADER_LENGTH + payloadLength(), len);
        int nh = nextHeader();
        int pos = HEADER_LENGTH;
        for (int n = 0; ; n++) {
            int flag = Ipv6ExtHeaders.flagOf(nh);
            if (flag == 0) {
                break;
            }
            if (n >= MAX_EXT_HEADERS) {
                return DropReason.TOO_MANY_EXT_HEADERS;
            }
            int idx = Ipv6ExtHeaders.index(flag);
            if ((pd.ipv6ExtMask & flag) == 0) {
                pd.ipv6ExtOffsets[idx] = (int) (off + pos);
            } else if (flag == Ipv6ExtHeaders.FRAGMENT) {
                return DropReason.BAD_EXT_HEADER;
            }
            pd.ipv6ExtMask |= flag;
            if ((flag & TERMINAL) != 0) {
                // ipv6_ext_hdr() does not list ESP or mobility, and stops at no-next-header:
                // they are the "transport" protocol ip6tables' -p sees.
                break;
            }
            pd.ipv6ExtCount++;
            if (pos + 8 > end) {
                return DropReason.BAD_EXT_HEADER;
            }
            int hl = extLength(seg, off + pos, nh);
            if (pos + hl > end) {
                return DropReason.BAD_EXT_HEADER;
            }
            int next = Wire.u8(seg, off + pos);
            if (flag == Ipv6ExtHeaders.FRAGMENT) {
                int fw = Wire.u16(seg, off + pos + Ipv6Fragment.FRAG_OFFSET_OFFSET);
                pd.isFragment = true;
                pd.fragOffset = fw & 0xfff8;
                pd.moreFragments = (fw & 1) != 0;
                pd.ipId = Wire.i32(seg, off + pos + Ipv6Fragment.IDENTIFICATION_OFFSET);
                if (pd.fragOffset != 0) {
                    pd.protocol = next;
                    pd.l3HeaderLength = pos + hl;
                    pd.l4Offset = -1;
                    return DropReason.NONE;
                }
            }
            pos += hl;
            nh = next;
        }
        pd.protocol = nh;
        pd.l3HeaderLength = pos;
        pd.l4Offset = (int) (off + pos);
        return DropReason.NONE;
    }
}
