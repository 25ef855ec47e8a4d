package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Keeps what targets emit, for assertions. Test-only. */
final class RecordingEmitter implements Emitter {
    final List<byte[]> packets = new ArrayList<>();
    final List<Integer> families = new ArrayList<>();
    final List<String> lines = new ArrayList<>();
    final List<Integer> levels = new ArrayList<>();

    @Override
    public void emitPacket(int family, MemorySegment ipPacket, int length, Skb cause) {
        byte[] b = new byte[length];
        MemorySegment.copy(ipPacket, ValueLayout.JAVA_BYTE, 0, b, 0, length);
        packets.add(b);
        families.add(family);
    }

    @Override
    public void log(int level, CharSequence line) {
        levels.add(level);
        lines.add(line.toString());
    }
}
