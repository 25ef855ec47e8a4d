package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy view of an IPv4 header (RFC 791 §3.1) over a {@link MemorySegment}; a reusable
 * flyweight: {@link #wrap} then {@link #check}, after which the accessors may assume the fixed
 * header and its options are present.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv4 {
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int FLAGS_FRAG_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SRC_ADDR_OFFSET = 12;
    public static final int DST_ADDR_OFFSET = 16;
    public static final int OPTIONS_OFFSET = 20;
    /** Length of the header without options. */
    public static final int MIN_HEADER_LENGTH = OPTIONS_OFFSET;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int FLAG_RESERVED = 0x8000;
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAG_OFFSET_MASK = 0x1fff;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Points the view at {@code length} bytes at {@code offset}; returns this. */
    public Ipv4 wrap(MemorySegment segment, long offset, int length) {
        this.seg = segment;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Checks in {@code ip_rcv_core()}'s order: fixed header present, version 4 and IHL ≥ 5, the
     * header with options present, total length ≥ header length and ≤ the bytes available.
     * Returns {@link DropReason#NONE} or why the packet is unusable.
     */
    public DropReason check() {
        if (len < MIN_HEADER_LENGTH) {
            return DropReason.SHORT;
        }
        if (version() != 4) {
            return DropReason.BAD_VERSION;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER_LENGTH) {
            return DropReason.BAD_HEADER_LENGTH;
        }
        if (len < hl) {
            return DropReason.SHORT;
        }
        int tl = totalLength();
        if (tl < hl) {
            return DropReason.BAD_TOTAL_LENGTH;
        }
        if (tl > len) {
            return DropReason.BAD_TOTAL_LENGTH;
        }
        return DropReason.NONE;
    }

    public MemorySegment segment() {
        return seg;
    }

    public long offset() {
        return off;
    }

    public int version() {
        return Wire.u8(seg, off) >>> 4;
    }

    /** IHL × 4. */
    public int headerLength() {
        return (Wire.u8(seg, off) & 0x0f) << 2;
    }

    public int tos() {
        return Wire.u8(seg, off + TOS_OFFSET);
    }

    public int totalLength() {
        return Wire.u16(seg, off + TOTAL_LENGTH_OFFSET);
    }

    public int id() {
        return Wire.u16(seg, off + ID_OFFSET);
    }

    /** The 16-bit flags + fragment offset word. */
    public int flagsFrag() {
        return Wire.u16(seg, off + FLAGS_FRAG_OFFSET);
    }

    public boolean dontFragment() {
        return (flagsFrag() & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (flagsFrag() & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes. */
    public int fragmentOffset() {
        return (flagsFrag() & FRAG_OFFSET_MASK) << 3;
    }

    public int ttl() {
        return Wire.u8(seg, off + TTL_OFFSET);
    }

    public int protocol() {
        return Wire.u8(seg, off + PROTOCOL_OFFSET);
    }

    public int checksum() {
        return Wire.u16(seg, off + CHECKSUM_OFFSET);
    }

    /** Source address as an unsigned 32-bit value in a long. */
    public long src() {
        return Wire.u32(seg, off + SRC_ADDR_OFFSET);
    }

    public long dst() {
        return Wire.u32(seg, off + DST_ADDR_OFFSET);
    }

    /** True when the header checksum (with options) sums to 0xffff. */
    public boolean checksumValid() {
        return Checksum.fold(Checksum.sum(seg, off, headerLength(), 0)) == 0xffff;
    }

    public void setTos(int v) {
        Wire.put8(seg, off + TOS_OFFSET, v);
    }

    public void setTotalLength(int v) {
        Wire.put16(seg, off + TOTAL_LENGTH_OFFSET, v);
    }

    public void setTtl(int v) {
        Wire.put8(seg, off + TTL_OFFSET, v);
    }

    public void setProtocol(int v) {
        Wire.put8(seg, off + PROTOCOL_OFFSET, v);
    }

    public void setChecksum(int v) {
        Wire.put16(seg, off + CHECKSUM_OFFSET, v);
    }

    public void setSrc(long v) {
        Wire.put32(seg, off + SRC_ADDR_OFFSET, (int) v);
    }

    public void setDst(long v) {
        Wire.put32(seg, off + DST_ADDR_OFFSET, (int) v);
    }

    /** Recomputes the header checksum from scratch. */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(~Checksum.fold(Checksum.sum(seg, off, headerLength(), 0)) & 0xffff);
    }

    /**
     * Walks the options (RFC 791 §3.1: EOL, NOP, then type-length-value) with a bound, returning
     * {@link DropReason#BAD_IP_OPTIONS} for an option length below 2 or past the header, as
     * {@code ip_options_compile()} does. Run after {@link #check}.
     */
    public DropReason checkOptions() {
        int hl = headerLength();
        int i = OPTIONS_OFFSET;
        for (int guard = 0; i < hl && guard < MAX_HEADER_LENGTH; guard++) {
            int type = Wire.u8(seg, off + i);
            if (type == 0) {
                return DropReason.NONE;
            }
            if (type == 1) {
                i++;
                continue;
            }
            if (i + 1 >= hl) {
                return DropReason.BAD_IP_OPTIONS;
            }
            int optLen = Wire.u8(seg, off + i + 1);
            if (optLen < 2 || i + optLen > hl) {
                return DropReason.BAD_IP_OPTIONS;
            }
            i += optLen;
        }
        return DropReason.NONE;
    }
}
