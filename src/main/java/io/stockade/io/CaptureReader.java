package io.stockade.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads packets from a pcap or pcapng file, memory-mapped (so multi-GB captures work) and without
 * allocating per packet. {@link #open} detects the format from the first four bytes. Iterate with
 * {@link #next}; the current packet is {@link #capturedLength} bytes at {@link #offset} in
 * {@link #data} (the whole read-only mapping: copy the bytes before rewriting them). Not
 * thread-safe; {@link #close} unmaps, after which segments obtained from {@link #data} are invalid.
 *
 * <p>Malformed input (bad magic, a length running past the end of the file, a packet for an
 * interface never described) makes {@code open}/{@code next} throw a {@link CaptureFormatException}
 * naming the offset; nothing is skipped silently.
 */
public abstract class CaptureReader implements AutoCloseable {
    /** Direction values of {@link #direction()}. */
    public static final int DIRECTION_UNKNOWN = 0;
    public static final int DIRECTION_INBOUND = 1;
    public static final int DIRECTION_OUTBOUND = 2;

    static final int PCAP_MAGIC_US = 0xa1b2c3d4;
    static final int PCAP_MAGIC_NS = 0xa1b23c4d;
    static final int PCAPNG_SHB = 0x0a0d0d0a;

    static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    protected final String name;
    protected final Arena arena;
    protected final MemorySegment map;
    protected final long size;

    /** Current packet. */
    protected long pktOffset;
    protected int capLen;
    protected int origLen;
    protected long tsNanos;
    protected int linkType;
    protected int ifIndex;
    protected String ifName;
    protected int dir;

    protected CaptureReader(String name, Arena arena, MemorySegment map) {
        this.name = name;
        this.arena = arena;
        this.map = map;
        this.size = map.byteSize();
    }

    /** Opens a pcap (either byte order, µs or ns) or pcapng file. */
    public static CaptureReader open(Path path) throws IOException {
        String name = path.toString();
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 4) {
                throw new CaptureFormatException(name, "file header", 0, "file of " + size
                        + " bytes is too short for a pcap or pcapng header");
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            int le = map.get(LE32, 0);
            if (le == PCAPNG_SHB) {
                return new PcapngReader(name, arena, map);
            }
            if (le == PCAP_MAGIC_US || le == PCAP_MAGIC_NS || Integer.reverseBytes(le) == PCAP_MAGIC_US
                    || Integer.reverseBytes(le) == PCAP_MAGIC_NS) {
                return new PcapReader(name, arena, map);
            }
            throw new CaptureFormatException(name, "file header", 0, String.format(
                    "magic 0x%08x is neither pcap (a1b2c3d4/a1b23c4d) nor pcapng (0a0d0d0a)", map.get(BE32, 0)));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Advances to the next packet; false at the end of the file. */
    public abstract boolean next() throws IOException;

    /** Capture time in nanoseconds since the Unix epoch. */
    public long timestampNanos() {
        return tsNanos;
    }

    /** The whole mapped file; the packet is at {@link #offset()}. */
    public MemorySegment data() {
        return map;
    }

    /** Offset of the current packet's first (link-layer) byte in {@link #data()}. */
    public long offset() {
        return pktOffset;
    }

    public int capturedLength() {
        return capLen;
    }

    /** Length of the packet on the wire (≥ captured length when a snap length cut it). */
    public int originalLength() {
        return origLen;
    }

    /** pcap LINKTYPE_* of the current packet (see {@code io.stockade.packet.LinkLayer}). */
    public int linkType() {
        return linkType;
    }

    /** The interface name (pcapng {@code if_name}), or null when the capture has none. */
    public String interfaceName() {
        return ifName;
    }

    /** pcapng interface id within its section; 0 for pcap. */
    public int interfaceIndex() {
        return ifIndex;
    }

    /**
     * 0 unknown, 1 inbound, 2 outbound: pcapng {@code epb_flags} bits 0-1, else for Linux SLL/SLL2
     * frames the packet type ({@code PACKET_OUTGOING} is outbound, the rest inbound).
     */
    public int direction() {
        return dir;
    }

    /** Derives the direction from a Linux SLL/SLL2 packet type when the format gave none. */
    protected final void directionFromLinkLayer() {
        if (dir != DIRECTION_UNKNOWN || capLen <= 0) {
            return;
        }
        int pkttype = -1;
        if (linkType == 113 && capLen >= 16) {
            pkttype = map.get(BE32, pktOffset) >>> 16;
        } else if (linkType == 276 && capLen >= 20) {
            pkttype = map.get(ValueLayout.JAVA_BYTE, pktOffset + 10) & 0xff;
        }
        if (pkttype >= 0) {
            dir = pkttype == 4 ? DIRECTION_OUTBOUND : DIRECTION_INBOUND;
        }
    }

    protected final CaptureFormatException error(String what, long at, String problem) {
        return new CaptureFormatException(name, what, at, problem);
    }

    @Override
    public void close() {
        arena.close();
    }
}
