package io.stockade.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Classic libpcap format (pcap-savefile(5)): a 24-byte file header (magic in the writer's byte
 * order, microsecond {@code a1b2c3d4} or nanosecond {@code a1b23c4d}, version, snap length, link
 * type with FCS bits above bit 27) and 16-byte record headers (seconds, fraction, captured
 * length, original length).
 */
final class PcapReader extends CaptureReader {
    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    /** Largest record accepted (libpcap's MAXIMUM_SNAPLEN). */
    static final int MAX_RECORD = 262144;

    private final ValueLayout.OfInt i32;
    private final boolean nanos;
    private final int fileLinkType;
    private long pos = FILE_HEADER_LENGTH;

    PcapReader(String name, Arena arena, MemorySegment map) throws CaptureFormatException {
        super(name, arena, map);
        if (size < FILE_HEADER_LENGTH) {
            throw error("file header", 0, "pcap header needs 24 bytes, file has " + size);
        }
        int le = map.get(LE32, 0);
        i32 = le == PCAP_MAGIC_US || le == PCAP_MAGIC_NS ? LE32 : BE32;
        int magic = map.get(i32, 0);
        nanos = magic == PCAP_MAGIC_NS;
        int ver = map.get(i32, 4);
        int major = i32 == LE32 ? ver & 0xffff : ver >>> 16;
        if (major != 2) {
            throw error("file header", 0, "pcap major version " + major + ", expected 2");
        }
        fileLinkType = map.get(i32, 20) & 0x03ffffff & 0xffff;
        ifIndex = 0;
    }

    @Override
    public boolean next() throws IOException {
        if (pos == size) {
            return false;
        }
        if (pos + RECORD_HEADER_LENGTH > size) {
            throw error("record", pos, "record header needs 16 bytes, " + (size - pos) + " left");
        }
        long sec = map.get(i32, pos) & 0xffffffffL;
        long frac = map.get(i32, pos + 4) & 0xffffffffL;
        int incl = map.get(i32, pos + 8);
        int orig = map.get(i32, pos + 12);
        if (incl < 0 || incl > MAX_RECORD) {
            throw error("record", pos, "captured length " + Integer.toUnsignedString(incl)
                    + " exceeds the maximum " + MAX_RECORD);
        }
        if (pos + RECORD_HEADER_LENGTH + incl > size) {
            throw error("record", pos, "captured length " + incl + " runs past the end of the file ("
                    + (size - pos - RECORD_HEADER_LENGTH) + " bytes left)");
        }
        tsNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        capLen = incl;
        origLen = Math.max(orig, incl);
        pktOffset = pos + RECORD_HEADER_LENGTH;
        linkType = fileLinkType;
        dir = DIRECTION_UNKNOWN;
        directionFromLinkLayer();
        pos = pktOffset + incl;
        return true;
    }
}
