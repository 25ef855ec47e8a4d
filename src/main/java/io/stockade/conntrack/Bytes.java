package io.stockade.conntrack;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Network-order reads for the trackers (callers check lengths first; no exceptions on the packet path). */
final class Bytes {
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    static int u16(MemorySegment s, long off) {
        return s.get(BE16, off) & 0xffff;
    }

    static int i32(MemorySegment s, long off) {
        return s.get(BE32, off);
    }

    static long i64(MemorySegment s, long off) {
        return s.get(BE64, off);
    }
}
