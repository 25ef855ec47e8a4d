package io.stockade.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Network-order accessors over a {@link MemorySegment}: the one place where bytes become unsigned
 * Java ints (Agrona's explicit widening). Every method reads or writes at an absolute offset and
 * throws {@link IndexOutOfBoundsException} only when the caller skipped its length check; header
 * views check lengths first, so the packet path never sees that exception.
 */
public final class Wire {
    public static final ValueLayout.OfShort BE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt BE32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong BE64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfShort LE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt LE32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Wire() {
    }

    public static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    public static int u16(MemorySegment s, long off) {
        return s.get(BE16, off) & 0xffff;
    }

    /** 32 bits as a Java int (sign bit is bit 31 of the field). */
    public static int i32(MemorySegment s, long off) {
        return s.get(BE32, off);
    }

    public static long u32(MemorySegment s, long off) {
        return s.get(BE32, off) & 0xffffffffL;
    }

    public static long i64(MemorySegment s, long off) {
        return s.get(BE64, off);
    }

    public static void put8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    public static void put16(MemorySegment s, long off, int v) {
        s.set(BE16, off, (short) v);
    }

    public static void put32(MemorySegment s, long off, int v) {
        s.set(BE32, off, v);
    }

    public static void put64(MemorySegment s, long off, long v) {
        s.set(BE64, off, v);
    }
}
