package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy view of an ICMP (RFC 792) or ICMPv6 (RFC 4443) header: both share the first 8 bytes
 * (ICMPv6 type numbers and predicates are in {@link Icmpv6}).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Identifier (echo)         |    Sequence Number (echo)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Errors: the offending IP header + at least 8 bytes ...
 * </pre>
 *
 * Error messages carry "unused"/MTU/pointer in bytes 4..7 and quote the offending packet from
 * byte 8 ({@link #QUOTE_OFFSET}).
 */
public final class Icmp {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int SEQ_OFFSET = 6;
    public static final int QUOTE_OFFSET = 8;
    public static final int HEADER_LENGTH = 8;

    // ICMPv4 types
    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACH = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int TIMESTAMP = 13;
    public static final int TIMESTAMP_REPLY = 14;
    public static final int INFO_REQUEST = 15;
    public static final int INFO_REPLY = 16;
    public static final int ADDRESS_MASK_REQUEST = 17;
    public static final int ADDRESS_MASK_REPLY = 18;

    private MemorySegment seg;
    private long off;
    private int len;

    public Icmp wrap(MemorySegment segment, long offset, int length) {
        this.seg = segment;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * The 8-byte header present ({@code SHORT_L4}): {@code icmp_mt()} and conntrack's
     * {@code icmp_error()} both read a whole {@code struct icmphdr}.
     */
    public DropReason check() {
        return len < HEADER_LENGTH ? DropReason.SHORT_L4 : DropReason.NONE;
    }

    public int length() {
        return len;
    }

    public int type() {
        return Wire.u8(seg, off + TYPE_OFFSET);
    }

    public int code() {
        return Wire.u8(seg, off + CODE_OFFSET);
    }

    public int checksum() {
        return Wire.u16(seg, off + CHECKSUM_OFFSET);
    }

    public int id() {
        return Wire.u16(seg, off + ID_OFFSET);
    }

    public int seq() {
        return Wire.u16(seg, off + SEQ_OFFSET);
    }

    public void setChecksum(int v) {
        Wire.put16(seg, off + CHECKSUM_OFFSET, v);
    }

    /** ICMPv4 error types (the kernel's {@code icmp_is_err()}). */
    public static boolean isError(int type) {
        return type == DEST_UNREACH || type == SOURCE_QUENCH || type == REDIRECT
                || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM;
    }

    /** ICMPv4 query types with an identifier (echo, timestamp, info, address mask). */
    public static boolean hasId(int type) {
        return type == ECHO_REQUEST || type == ECHO_REPLY || type == TIMESTAMP || type == TIMESTAMP_REPLY
                || type == INFO_REQUEST || type == INFO_REPLY
                || type == ADDRESS_MASK_REQUEST || type == ADDRESS_MASK_REPLY;
    }
}
