package io.stockade.engine;

import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Test helper: puts a built packet into an Skb (writable buffer) and parses it. */
final class Packets {
    private static final PacketParser PARSER = new PacketParser();

    private Packets() {
    }

    static Skb skb(String inIface, PacketBuilder b) {
        return skb(new Skb(), inIface, b.build());
    }

    static Skb skb(Skb skb, String inIface, byte[] bytes) {
        skb.resetMeta();
        skb.pd.reset();
        MemorySegment seg = Arena.ofAuto().allocate(bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, bytes.length);
        PARSER.parse(skb.pd, seg, 0, bytes.length);
        skb.inIface = inIface;
        return skb;
    }

    static PacketDecoder decoder() {
        PacketParser p = new PacketParser();
        return (pd, data, length) -> p.parse(pd, data, 0, length);
    }
}
