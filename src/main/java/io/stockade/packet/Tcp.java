package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy view of a TCP header (RFC 9293 §3.1) with a bounded options walker.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|E|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Tcp {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_OFFSET = 18;
    public static final int OPTIONS_OFFSET = 20;
    public static final int MIN_HEADER_LENGTH = OPTIONS_OFFSET;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** Option kinds (IANA "TCP Option Kind Numbers"). */
    public static final int OPT_EOL = 0;
    public static final int OPT_NOP = 1;
    public static final int OPT_MSS = 2;
    public static final int OPT_WSCALE = 3;
    public static final int OPT_SACK_PERMITTED = 4;
    public static final int OPT_SACK = 5;
    public static final int OPT_TIMESTAMP = 8;

    private MemorySegment seg;
    private long off;
    private int len;

    public Tcp wrap(MemorySegment segment, long offset, int length) {
        this.seg = segment;
        this.off = offset;
        this.len = length;
        return this;
    }

    /** Fixed header present ({@code SHORT_L4}); data offset ≥ 5 and within the bytes ({@code BAD_TCP_OFFSET}). */
    public DropReason check() {
        if (len < MIN_HEADER_LENGTH) {
            return DropReason.SHORT_L4;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER_LENGTH || hl > len) {
            return DropReason.BAD_TCP_OFFSET;
        }
        return DropReason.NONE;
    }

    public int srcPort() {
        return Wire.u16(seg, off + SRC_PORT_OFFSET);
    }

    public int dstPort() {
        return Wire.u16(seg, off + DST_PORT_OFFSET);
    }

    public int seq() {
        return Wire.i32(seg, off + SEQ_OFFSET);
    }

    public int ack() {
        return Wire.i32(seg, off + ACK_OFFSET);
    }

    /** Data offset × 4. */
    public int headerLength() {
        return (Wire.u8(seg, off + DATA_OFFSET_OFFSET) >>> 4) << 2;
    }

    public int flags() {
        return Wire.u8(seg, off + FLAGS_OFFSET);
    }

    /** Flags with the 4 reserved bits (bits 8..11). */
    public int flagsWide() {
        return Wire.u16(seg, off + DATA_OFFSET_OFFSET) & 0x0fff;
    }

    public int window() {
        return Wire.u16(seg, off + WINDOW_OFFSET);
    }

    public int checksum() {
        return Wire.u16(seg, off + CHECKSUM_OFFSET);
    }

    public int urgent() {
        return Wire.u16(seg, off + URGENT_OFFSET);
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

    /**
     * Offset (absolute) of the first option of {@code kind} in the options at
     * {@code [start, start + length)}, or -1: EOL ends the walk, NOP advances one byte, other
     * options by their length byte; a length below 2 or past the end stops the walk (the kernel's
     * {@code tcp_parse_options()} treats the rest as garbage). Bounded by {@code length} steps.
     */
    public static long findOption(MemorySegment s, long start, int length, int kind) {
        long end = start + length;
        long i = start;
        for (int guard = 0; i < end && guard < MAX_HEADER_LENGTH; guard++) {
            int k = Wire.u8(s, i);
            if (k == OPT_EOL) {
                return -1;
            }
            if (k == OPT_NOP) {
                if (kind == OPT_NOP) {
                    return i;
                }
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return -1;
            }
            int l = Wire.u8(s, i + 1);
            if (l < 2 || i + l > end) {
                return -1;
            }
            if (k == kind) {
                return i;
            }
            i += l;
        }
        return -1;
    }

    /**
     * Fills the TCP option facts of {@code pd} (MSS, window scale, SACK-permitted, SACK and
     * timestamp offsets) from the options at {@code pd.tcpOptionsOffset}; one bounded walk.
     */
    public static void parseOptions(MemorySegment s, PacketDescriptor pd) {
        long i = pd.tcpOptionsOffset;
        long end = i + pd.tcpOptionsLength;
        for (int guard = 0; i < end && guard < MAX_HEADER_LENGTH; guard++) {
            int k = Wire.u8(s, i);
            if (k == OPT_EOL) {
                return;
            }
            if (k == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return;
            }
            int l = Wire.u8(s, i + 1);
            if (l < 2 || i + l > end) {
                return;
            }
            switch (k) {
                case OPT_MSS -> {
                    if (l == 4) {
                        pd.tcpMss = Wire.u16(s, i + 2);
                    }
                }
                case OPT_WSCALE -> {
                    if (l == 3) {
                        pd.tcpWindowScale = Wire.u8(s, i + 2);
                    }
                }
                case OPT_SACK_PERMITTED -> {
                    if (l == 2) {
                        pd.tcpSackPermitted = true;
                    }
                }
                case OPT_SACK -> pd.tcpSackOffset = (int) i;
                case OPT_TIMESTAMP -> {
                    if (l == 10) {
                        pd.tcpTimestampOffset = (int) i;
                    }
                }
                default -> {
                }
            }
            i += l;
        }
    }
}
