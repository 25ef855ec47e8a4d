package io.stockade.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a little-endian pcapng file: one section (SHB with {@code shb_userappl}), interfaces
 * (IDB with {@code if_name} and {@code if_tsresol} = nanoseconds) and enhanced packet blocks with
 * {@code epb_flags} direction (0 unknown, 1 inbound, 2 outbound). tcpdump, tshark and
 * {@link CaptureReader} read the result. Not thread-safe.
 */
public final class PcapngWriter implements AutoCloseable {
    private final OutputStream out;
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private int interfaces;

    /** Creates (or truncates) {@code path} and writes the section header. */
    public PcapngWriter(Path path) throws IOException {
        this(Files.newOutputStream(path));
    }

    /** Writes to {@code out} (closed by {@link #close}), starting with the section header. */
    public PcapngWriter(OutputStream out) throws IOException {
        this.out = new BufferedOutputStream(out, 1 << 16);
        byte[] appl = "stockade".getBytes(StandardCharsets.UTF_8);
        begin(PcapngReader.BT_SHB);
        buf.putInt(PcapngReader.BYTE_ORDER_MAGIC);
        buf.putShort((short) 1).putShort((short) 0);
        buf.putLong(-1L); // section length unknown
        option(4, appl); // shb_userappl
        endOptions();
        finish();
    }

    /** Describes an interface; returns its id for {@link #write}. */
    public int addInterface(String name, int linkType, int snapLen) throws IOException {
        begin(PcapngReader.BT_IDB);
        buf.putShort((short) linkType).putShort((short) 0).putInt(snapLen);
        if (name != null) {
            option(PcapngReader.OPT_IF_NAME, name.getBytes(StandardCharsets.UTF_8));
        }
        option(PcapngReader.OPT_IF_TSRESOL, new byte[] {9});
        endOptions();
        finish();
        return interfaces++;
    }

    /** Writes one packet of {@code length} bytes (its wire length too) with a direction. */
    public void write(int iface, long timestampNanos, byte[] data, int off, int length, int direction)
            throws IOException {
        write(iface, timestampNanos, MemorySegment.ofArray(data), off, length, length, direction);
    }

    /** Writes {@code captured} bytes at {@code offset} of {@code data}; {@code original} is the wire length. */
    public void write(int iface, long timestampNanos, MemorySegment data, long offset, int captured, int original,
            int direction) throws IOException {
        if (iface < 0 || iface >= interfaces) {
            throw new IllegalArgumentException("interface " + iface + " not added (have " + interfaces + ")");
        }
        begin(PcapngReader.BT_EPB);
        ensure(64 + captured);
        buf.putInt(iface);
        buf.putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        buf.putInt(captured).putInt(Math.max(original, captured));
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, buf.array(), buf.arrayOffset() + buf.position(),
                captured);
        buf.position(buf.position() + captured);
        pad();
        if (direction == 1 || direction == 2) {
            buf.putShort((short) PcapngReader.OPT_EPB_FLAGS).putShort((short) 4).putInt(direction);
            endOptions();
        }
        finish();
    }

    private void ensure(int n) {
        if (buf.capacity() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Integer.highestOneBit(n) << 1).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(0, buf, 0, buf.position()).position(buf.position());
            buf = bigger;
        }
    }

    private void begin(int type) {
        buf.clear();
        buf.putInt(type).putInt(0);
    }

    private void option(int code, byte[] value) {
        ensure(buf.position() + value.length + 16);
        buf.putShort((short) code).putShort((short) value.length).put(value);
        pad();
    }

    private void endOptions() {
        buf.putShort((short) 0).putShort((short) 0);
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    private void finish() throws IOException {
        int total = buf.position() + 4;
        buf.putInt(total);
        buf.putInt(4, total);
        out.write(buf.array(), 0, total);
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
