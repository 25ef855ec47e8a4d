package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy view of a UDP header (RFC 768); also the layout of UDP-Lite (RFC 3828, where the
 * length field is the checksum coverage).
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * </pre>
 */
public final class Udp {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;

    private MemorySegment seg;
    private long off;
    private int len;

    public Udp wrap(MemorySegment segment, long offset, int length) {
        this.seg = segment;
        this.off = offset;
        this.len = length;
        return this;
    }

    /** Header present ({@code SHORT_L4}). The length field is checked by {@link #checkLength}. */
    public DropReason check() {
        return len < HEADER_LENGTH ? DropReason.SHORT_L4 : DropReason.NONE;
    }

    /**
     * {@code udp_error()}'s length rule: the UDP length must be ≥ 8 and ≤ the IP payload
     * ({@code ipPayload}); conntrack treats a violation as invalid.
     */
    public DropReason checkLength(int ipPayload) {
        int l = length();
        return l < HEADER_LENGTH || l > ipPayload ? DropReason.BAD_UDP_LENGTH : DropReason.NONE;
    }

    public int srcPort() {
        return Wire.u16(seg, off + SRC_PORT_OFFSET);
    }

    public int dstPort() {
        return Wire.u16(seg, off + DST_PORT_OFFSET);
    }

    public int length() {
        return Wire.u16(seg, off + LENGTH_OFFSET);
    }

    public int checksum() {
        return Wire.u16(seg, off + CHECKSUM_OFFSET);
    }

    public void setSrcPort(int v) {
        Wire.put16(seg, off + SRC_PORT_OFFSET, v);
    }

    public void setDstPort(int v) {
        Wire.put16(seg, off + DST_PORT_OFFSET, v);
    }

    public void setChecksum(int v) {
        Wire.put16(seg, off + CHECKSUM_OFFSET, v);
    }
}
