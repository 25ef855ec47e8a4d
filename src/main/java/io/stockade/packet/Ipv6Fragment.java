package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy view of the IPv6 fragment header (RFC 8200 §4.5).
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6Fragment {
    public static final int NEXT_HEADER_OFFSET = 0;
    public static final int RESERVED_OFFSET = 1;
    public static final int FRAG_OFFSET_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    private MemorySegment seg;
    private long off;
    private int len;

    public Ipv6Fragment wrap(MemorySegment segment, long offset, int length) {
        this.seg = segment;
        this.off = offset;
        this.len = length;
        return this;
    }

    public DropReason check() {
        return len < HEADER_LENGTH ? DropReason.BAD_EXT_HEADER : DropReason.NONE;
    }

    public int nextHeader() {
        return Wire.u8(seg, off + NEXT_HEADER_OFFSET);
    }

    public int reserved() {
        return Wire.u8(seg, off + RESERVED_OFFSET);
    }

    /** Fragment offset in bytes. */
    public int fragmentOffset() {
        return Wire.u16(seg, off + FRAG_OFFSET_OFFSET) & 0xfff8;
    }

    /** The two reserved bits next to M. */
    public int reservedBits() {
        return (Wire.u16(seg, off + FRAG_OFFSET_OFFSET) >>> 1) & 3;
    }

    public boolean moreFragments() {
        return (Wire.u16(seg, off + FRAG_OFFSET_OFFSET) & 1) != 0;
    }

    public int identification() {
        return Wire.i32(seg, off + IDENTIFICATION_OFFSET);
    }
}
