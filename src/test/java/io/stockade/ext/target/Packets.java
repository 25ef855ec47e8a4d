package io.stockade.ext.target;

import io.stockade.engine.Skb;
import io.stockade.packet.PacketParser;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/** Builds an {@link Skb} around packet bytes with the packet worker's parser. Test-only. */
final class Packets {
    private Packets() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** An Skb holding {@code hex} (IP header first), parsed; metadata reset. */
    static Skb skb(String hex) {
        return skb(bytes(hex), 0);
    }

    /** An Skb whose packet starts {@code base} bytes into the buffer (as behind a link header). */
    static Skb skb(byte[] packet, int base) {
        byte[] buf = new byte[base + packet.length];
        System.arraycopy(packet, 0, buf, base, packet.length);
        Skb skb = new Skb();
        skb.resetMeta();
        if (!new PacketParser().parse(skb.pd, MemorySegment.ofArray(buf), base, packet.length)) {
            throw new AssertionError("unparsable test packet: " + skb.pd.dropReason);
        }
        return skb;
    }
}
