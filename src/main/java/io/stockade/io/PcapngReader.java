package io.stockade.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng (draft-ietf-opsawg-pcapng): sections (SHB, either byte order, several per file),
 * interfaces (IDB with {@code if_name}, {@code if_tsresol}, {@code if_tsoffset}), packets from
 * EPB (with {@code epb_flags} direction), SPB and the obsolete PB; other blocks (NRB, ISB, DSB,
 * custom) are skipped by their length.
 *
 * <pre>
 *  0                   1                   2                   3
 * +---------------------------------------------------------------+
 * |                          Block Type                           |
 * +---------------------------------------------------------------+
 * |                      Block Total Length                       |
 * +---------------------------------------------------------------+
 * /                          Block Body                           /
 * +---------------------------------------------------------------+
 * |                      Block Total Length                       |
 * +---------------------------------------------------------------+
 * </pre>
 */
final class PcapngReader extends CaptureReader {
    static final int BT_SHB = 0x0a0d0d0a;
    static final int BT_IDB = 1;
    static final int BT_PB = 2;
    static final int BT_SPB = 3;
    static final int BT_EPB = 6;
    static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    static final int OPT_ENDOFOPT = 0;
    static final int OPT_IF_NAME = 2;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;
    static final int OPT_EPB_FLAGS = 2;
    /** Bound on options walked per block. */
    private static final int MAX_OPTIONS = 1024;

    /** One interface of the current section. */
    private record Iface(int linkType, int snapLen, String name, boolean pow2, int resolution, long offsetSec) {
    }

    private ValueLayout.OfInt i32 = LE32;
    private ValueLayout.OfShort i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private final List<Iface> ifaces = new ArrayList<>();
    private long pos;

    PcapngReader(String name, Arena arena, MemorySegment map) throws CaptureFormatException {
        super(name, arena, map);
        sectionHeader(0);
    }

    private int u16(long at) {
        return map.get(i16, at) & 0xffff;
    }

    private void sectionHeader(long at) throws CaptureFormatException {
        if (at + 28 > size) {
            throw error("section header block", at, "needs 28 bytes, " + (size - at) + " left");
        }
        int bom = map.get(LE32, at + 8);
        if (bom == BYTE_ORDER_MAGIC) {
            i32 = LE32;
            i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        } else if (Integer.reverseBytes(bom) == BYTE_ORDER_MAGIC) {
            i32 = BE32;
            i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        } else {
            throw error("section header block", at, String.format("byte-order magic 0x%08x, expected 1a2b3c4d", bom));
        }
        int major = u16(at + 12);
        if (major != 1) {
            throw error("section header block", at, "major version " + major + ", expected 1");
        }
        ifaces.clear();
        pos = at + blockLength(at, BT_SHB);
    }

    /** Validates the block at {@code at} and returns its total length. */
    private long blockLength(long at, int type) throws CaptureFormatException {
        if (at + 12 > size) {
            throw error("block", at, "block header needs 12 bytes, " + (size - at) + " left");
        }
        long len = map.get(i32, at + 4) & 0xffffffffL;
        if (len < 12 || (len & 3) != 0) {
            throw error(blockName(type), at, "total length " + len + " is not a multiple of 4 of at least 12");
        }
        if (at + len > size) {
            throw error(blockName(type), at, "total length " + len + " runs past the end of the file ("
                    + (size - at) + " bytes left)");
        }
        long trailer = map.get(i32, at + len - 4) & 0xffffffffL;
        if (trailer != len) {
            throw error(blockName(type), at, "trailing total length " + trailer + " differs from " + len);
        }
        return len;
    }

    private static String blockName(int type) {
        return switch (type) {
            case BT_SHB -> "section header block";
            case BT_IDB -> "interface description block";
            case BT_EPB -> "enhanced packet block";
            case BT_SPB -> "simple packet block";
            case BT_PB -> "packet block";
            default -> "block";
        };
    }

    @Override
    public boolean next() throws IOException {
        while (pos < size) {
            long at = pos;
            if (at + 8 > size) {
                throw error("block", at, "block header needs 12 bytes, " + (size - at) + " left");
            }
            int type = map.get(i32, at);
            if (type == BT_SHB || map.get(LE32, at) == BT_SHB) {
                sectionHeader(at);
                continue;
            }
            long len = blockLength(at, type);
            pos = at + len;
            switch (type) {
                case BT_IDB -> interfaceDescription(at, len);
                case BT_EPB -> {
                    if (len < 32) {
                        throw error("enhanced packet block", at, "total length " + len + " is below 32");
                    }
                    int id = map.get(i32, at + 8);
                    long ts = ((map.get(i32, at + 12) & 0xffffffffL) << 32) | (map.get(i32, at + 16) & 0xffffffffL);
                    packet(at, id, ts, map.get(i32, at + 20), map.get(i32, at + 24), at + 28, len - 32);
                    long optAt = at + 28 + ((capLen + 3L) & ~3L);
                    dir = DIRECTION_UNKNOWN;
                    flagsOption(at, optAt, at + len - 4);
                    directionFromLinkLayer();
                    return true;
                }
                case BT_PB -> {
                    if (len < 32) {
                        throw error("packet block", at, "total length " + len + " is below 32");
                    }
                    int id = u16(at + 8);
                    long ts = ((map.get(i32, at + 12) & 0xffffffffL) << 32) | (map.get(i32, at + 16) & 0xffffffffL);
                    packet(at, id, ts, map.get(i32, at + 20), map.get(i32, at + 24), at + 28, len - 32);
                    dir = DIRECTION_UNKNOWN;
                    flagsOption(at, at + 28 + ((capLen + 3L) & ~3L), at + len - 4);
                    directionFromLinkLayer();
                    return true;
                }
                case BT_SPB -> {
                    if (len < 16) {
                        throw error("simple packet block", at, "total length " + len + " is below 16");
                    }
                    if (ifaces.isEmpty()) {
                        throw error("simple packet block", at, "no interface described before it");
                    }
                    int orig = map.get(i32, at + 8);
                    long room = len - 16;
                    int snap = ifaces.get(0).snapLen();
                    long cap = Math.min(orig & 0xffffffffL, room);
                    if (snap > 0) {
                        cap = Math.min(cap, snap);
                    }
                    packet(at, 0, 0, (int) cap, orig, at + 12, room);
                    tsNanos = 0;
                    dir = DIRECTION_UNKNOWN;
                    directionFromLinkLayer();
                    return true;
                }
                default -> {
                    // NRB, ISB, DSB, custom and unknown blocks: skipped by length.
                }
            }
        }
        return false;
    }

    private void packet(long at, int id, long ts, int cap, int orig, long dataAt, long room)
            throws CaptureFormatException {
        String what = "packet block";
        if (id < 0 || id >= ifaces.size()) {
            throw error(what, at, "interface id " + Integer.toUnsignedString(id) + " but the section describes "
                    + ifaces.size() + " interface(s)");
        }
        if (cap < 0 || cap > room) {
            throw error(what, at, "captured length " + Integer.toUnsignedString(cap)
                    + " does not fit in the block (" + room + " bytes)");
        }
        Iface f = ifaces.get(id);
        ifIndex = id;
        ifName = f.name();
        linkType = f.linkType();
        capLen = cap;
        origLen = (int) Math.min(Integer.MAX_VALUE, Math.max(orig & 0xffffffffL, cap));
        pktOffset = dataAt;
        tsNanos = toNanos(f, ts);
    }

    static long toNanos(Iface f, long ts) {
        long n;
        if (f.pow2()) {
            int r = f.resolution();
            long sec = r >= 64 ? 0 : ts >>> r;
            long frac = r >= 64 ? ts : ts & ((1L << r) - 1);
            n = sec * 1_000_000_000L + (long) (frac * 1e9 / Math.pow(2, r));
        } else {
            int r = f.resolution();
            if (r <= 9) {
                n = ts * POW10[9 - r];
            } else {
                n = ts / POW10[Math.min(r - 9, 18)];
            }
        }
        return n + f.offsetSec() * 1_000_000_000L;
    }

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private void interfaceDescription(long at, long len) throws CaptureFormatException {
        if (len < 20) {
            throw error("interface description block", at, "total length " + len + " is below 20");
        }
        int lt = u16(at + 8);
        int snap = map.get(i32, at + 12);
        String ifn = null;
        boolean pow2 = false;
        int res = 6;
        long offSec = 0;
        long o = at + 16;
        long end = at + len - 4;
        for (int n = 0; o + 4 <= end && n < MAX_OPTIONS; n++) {
            int code = u16(o);
            int olen = u16(o + 2);
            if (code == OPT_ENDOFOPT) {
                break;
            }
            if (o + 4 + olen > end) {
                throw error("interface description block", at, "option " + code + " at offset " + o
                        + " runs past the block");
            }
            switch (code) {
                case OPT_IF_NAME -> {
                    byte[] b = map.asSlice(o + 4, olen).toArray(ValueLayout.JAVA_BYTE);
                    int l = b.length;
                    while (l > 0 && b[l - 1] == 0) {
                        l--;
                    }
                    ifn = new String(b, 0, l, StandardCharsets.UTF_8);
                }
                case OPT_IF_TSRESOL -> {
                    int v = map.get(ValueLayout.JAVA_BYTE, o + 4) & 0xff;
                    pow2 = (v & 0x80) != 0;
                    res = v & 0x7f;
                }
                case OPT_IF_TSOFFSET -> {
                    if (olen >= 8) {
                        long lo = map.get(i32, o + 4) & 0xffffffffL;
                        long hi = map.get(i32, o + 8) & 0xffffffffL;
                        offSec = i32 == LE32 ? (hi << 32) | lo : (lo << 32) | hi;
                    }
                }
                default -> {
                }
            }
            o += 4 + ((olen + 3L) & ~3L);
        }
        ifaces.add(new Iface(lt, snap, ifn, pow2, res, offSec));
    }

    /** Reads {@code epb_flags} (or {@code pack_flags}) direction bits, if present. */
    private void flagsOption(long at, long o, long end) throws CaptureFormatException {
        for (int n = 0; o + 4 <= end && n < MAX_OPTIONS; n++) {
            int code = u16(o);
            int olen = u16(o + 2);
            if (code == OPT_ENDOFOPT) {
                return;
            }
            if (o + 4 + olen > end) {
                throw error("packet block", at, "option " + code + " at offset " + o + " runs past the block");
            }
            if (code == OPT_EPB_FLAGS && olen >= 4) {
                dir = map.get(i32, o + 4) & 3;
                if (dir == 3) {
                    dir = DIRECTION_UNKNOWN;
                }
            }
            o += 4 + ((olen + 3L) & ~3L);
        }
    }
}
