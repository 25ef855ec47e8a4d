package io.stockade.ext.match;

import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A tiny test-only packet builder: fills a {@link Skb}'s descriptor with the header facts the
 * matches read, and writes real IPv4/TCP/UDP/ICMP bytes where a match reads bytes (TCP options,
 * payload). Enough until the packet worker's PacketBuilder is in main.
 */
final class Packets {
    private Packets() {
    }

    /** An IPv4 packet of {@code proto} with the given ports and {@code payload} after a 20-byte (or longer) L4 header. */
    static Skb ipv4(int proto, String src, String dst, int sport, int dport, byte[] l4Header, byte[] payload) {
        Skb skb = new Skb();
        PacketDescriptor pd = skb.pd;
        pd.reset();
        int l4len = l4Header == null ? 0 : l4Header.length;
        int plen = payload == null ? 0 : payload.length;
        int total = 20 + l4len + plen;
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(total, 1));
        seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        seg.set(ValueLayout.JAVA_BYTE, 2, (byte) (total >> 8));
        seg.set(ValueLayout.JAVA_BYTE, 3, (byte) total);
        seg.set(ValueLayout.JAVA_BYTE, 8, (byte) 64);
        seg.set(ValueLayout.JAVA_BYTE, 9, (byte) proto);
        long s = Xt.ipv4(src)[1];
        long d = Xt.ipv4(dst)[1];
        for (int i = 0; i < 4; i++) {
            seg.set(ValueLayout.JAVA_BYTE, 12 + i, (byte) (s >>> (24 - 8 * i)));
            seg.set(ValueLayout.JAVA_BYTE, 16 + i, (byte) (d >>> (24 - 8 * i)));
        }
        for (int i = 0; i < l4len; i++) {
            seg.set(ValueLayout.JAVA_BYTE, 20 + i, l4Header[i]);
        }
        for (int i = 0; i < plen; i++) {
            seg.set(ValueLayout.JAVA_BYTE, 20 + l4len + i, payload[i]);
        }
        pd.data = seg;
        pd.length = total;
        pd.ipVersion = 4;
        pd.ipTotalLength = total;
        pd.l3HeaderLength = 20;
        pd.l4Offset = l4len > 0 ? 20 : -1;
        pd.protocol = proto;
        pd.srcLo = s;
        pd.dstLo = d;
        pd.ttl = 64;
        pd.srcPort = sport;
        pd.dstPort = dport;
        pd.payloadOffset = 20 + l4len;
        if (proto == 6 && l4len >= 20) {
            pd.tcpFlags = l4Header[13] & 0xff;
            pd.tcpHeaderLength = ((l4Header[12] & 0xff) >> 4) * 4;
        }
        if ((proto == 1 || proto == 58) && l4len >= 2) {
            pd.icmpType = l4Header[0] & 0xff;
            pd.icmpCode = l4Header[1] & 0xff;
        }
        return skb;
    }

    /** A TCP header with ports, flags and options (padded to a multiple of 4). */
    static byte[] tcpHeader(int sport, int dport, int flags, byte... options) {
        int optLen = (options.length + 3) & ~3;
        byte[] h = new byte[20 + optLen];
        h[0] = (byte) (sport >> 8);
        h[1] = (byte) sport;
        h[2] = (byte) (dport >> 8);
        h[3] = (byte) dport;
        h[12] = (byte) (((20 + optLen) / 4) << 4);
        h[13] = (byte) flags;
        System.arraycopy(options, 0, h, 20, options.length);
        return h;
    }

    static Skb tcp(int sport, int dport, int flags, byte... options) {
        return ipv4(6, "10.0.0.1", "10.0.0.2", sport, dport, tcpHeader(sport, dport, flags, options), null);
    }

    static Skb udp(int sport, int dport) {
        byte[] h = {(byte) (sport >> 8), (byte) sport, (byte) (dport >> 8), (byte) dport, 0, 8, 0, 0};
        return ipv4(17, "10.0.0.1", "10.0.0.2", sport, dport, h, null);
    }

    static Skb icmp(int type, int code) {
        return ipv4(1, "10.0.0.1", "10.0.0.2", 0, 0, new byte[] {(byte) type, (byte) code, 0, 0, 0, 0, 0, 0}, null);
    }
}
