package io.stockade.ext.match;

import io.stockade.engine.Skb;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;

/** Builds raw IPv4/IPv6 packets for match tests and loads them into an {@link Skb}. */
final class PacketBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PacketBuilder bytes(int... b) {
        for (int x : b) {
            out.write(x);
        }
        return this;
    }

    PacketBuilder u16(int v) {
        return bytes(v >>> 8, v & 0xff);
    }

    PacketBuilder u32(long v) {
        return bytes((int) (v >>> 24) & 0xff, (int) (v >>> 16) & 0xff, (int) (v >>> 8) & 0xff, (int) v & 0xff);
    }

    PacketBuilder zeros(int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    /** IPv6 header (40 bytes) with this first next-header, source 2001:db8::SRCLO. */
    static PacketBuilder ipv6(int nexthdr, int tclass, long srcLo) {
        PacketBuilder b = new PacketBuilder();
        b.bytes(0x60 | (tclass >>> 4), (tclass & 0xf) << 4, 0, 0).u16(0).bytes(nexthdr, 64);
        b.u32(0x20010db8L).u32(0).u32(srcLo >>> 32).u32(srcLo & 0xffffffffL);
        b.u32(0x20010db8L).u32(0).u32(0).u32(2);
        return b;
    }

    /** IPv4 header (20 bytes) with protocol and TOS. */
    static PacketBuilder ipv4(int proto, int tos) {
        PacketBuilder b = new PacketBuilder();
        b.bytes(0x45, tos).u16(0).u16(0).u16(0).bytes(64, proto).u16(0);
        b.bytes(10, 0, 0, 1, 10, 0, 0, 2);
        return b;
    }

    byte[] build() {
        return out.toByteArray();
    }

    /** Loads the packet into a fresh Skb as a packet parser would (l4Offset given by the test). */
    Skb skb(int l4Offset, int protocol) {
        byte[] raw = build();
        Skb skb = new Skb();
        skb.pd.reset();
        skb.pd.data = MemorySegment.ofArray(raw);
        skb.pd.length = raw.length;
        skb.pd.ipVersion = (raw[0] >>> 4) & 0xf;
        skb.pd.l4Offset = l4Offset;
        skb.pd.protocol = protocol;
        if (skb.pd.ipVersion == 4) {
            skb.pd.tos = raw[1] & 0xff;
            skb.pd.srcLo = 0x0a000001L;
            skb.pd.dstLo = 0x0a000002L;
        } else {
            skb.pd.tos = ((raw[0] & 0xf) << 4) | ((raw[1] & 0xff) >>> 4);
            skb.pd.srcHi = 0x20010db800000000L;
            for (int i = 16; i < 24; i++) {
                skb.pd.srcLo = (skb.pd.srcLo << 8) | (raw[i] & 0xff);
            }
            skb.pd.dstHi = 0x20010db800000000L;
            skb.pd.dstLo = 2;
        }
        return skb;
    }
}
