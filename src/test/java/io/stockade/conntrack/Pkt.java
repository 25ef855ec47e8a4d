package io.stockade.conntrack;

import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Hook;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import io.stockade.packet.PacketParser;
import java.nio.ByteBuffer;

/** Test packets: real IPv4/IPv6 bytes with correct checksums, and the descriptor facts filled from them. */
final class Pkt {
    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;

    private final byte[] src;
    private final byte[] dst;
    private int proto;
    private byte[] l4 = new byte[0];
    private byte[] payload = new byte[0];
    private boolean corruptChecksum;
    private int fragOffset;

    private Pkt(String s, String d) {
        src = addr(s);
        dst = addr(d);
    }

    static byte[] addr(String s) {
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static Pkt ip(String s, String d) {
        return new Pkt(s, d);
    }

    boolean v6() {
        return src.length == 16;
    }

    Pkt tcp(int sport, int dport, int flags, int seq, int ack, int win, byte... options) {
        proto = 6;
        int optLen = (options.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(20 + optLen);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack);
        b.put((byte) (((20 + optLen) / 4) << 4)).put((byte) flags).putShort((short) win);
        b.putShort((short) 0).putShort((short) 0);
        b.put(options);
        l4 = b.array();
        return this;
    }

    Pkt udp(int sport, int dport) {
        proto = 17;
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putShort((short) sport).putShort((short) dport).putShort((short) 0).putShort((short) 0);
        l4 = b.array();
        return this;
    }

    /** UDP-Lite with coverage 0 (whole datagram), its checksum over a pseudo-header carrying {@code pseudoProto}. */
    Pkt udplite(int sport, int dport, int pseudoProto) {
        udp(sport, dport);
        proto = 136;
        udplitePseudo = pseudoProto;
        return this;
    }

    Pkt icmp(int type, int code, int id, int seq) {
        proto = v6() ? 58 : 1;
        ByteBuffer b = ByteBuffer.allocate(8);
        b.put((byte) type).put((byte) code).putShort((short) 0).putShort((short) id).putShort((short) seq);
        l4 = b.array();
        return this;
    }

    /** An ICMP error quoting {@code inner} (its IP header and first 8+ bytes). */
    Pkt icmpError(int type, int code, Pkt inner) {
        proto = v6() ? 58 : 1;
        byte[] in = inner.bytes();
        int quote = Math.min(in.length, (inner.v6() ? 40 : 20) + 8);
        ByteBuffer b = ByteBuffer.allocate(8);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(0);
        l4 = b.array();
        payload = java.util.Arrays.copyOf(in, quote);
        return this;
    }

    /** SCTP common header (checksum filled by {@link #bytes}) followed by {@code chunks}. */
    Pkt sctp(int sport, int dport, int vtag, byte[]... chunks) {
        proto = 132;
        int n = 12;
        for (byte[] c : chunks) {
            n += c.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        b.putShort((short) sport).putShort((short) dport).putInt(vtag).putInt(0);
        for (byte[] c : chunks) {
            b.put(c);
        }
        l4 = b.array();
        return this;
    }

    /** One SCTP chunk: type, flags, length 4 + body, padded to 4 bytes. */
    static byte[] chunk(int type, int flags, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate((4 + body.length + 3) & ~3);
        b.put((byte) type).put((byte) flags).putShort((short) (4 + body.length)).put(body);
        return b.array();
    }

    /** An INIT or INIT_ACK chunk with initiate tag {@code tag}. */
    static byte[] initChunk(int type, int tag) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt(tag).putInt(65536).putShort((short) 10).putShort((short) 10).putInt(1000);
        return chunk(type, 0, b.array());
    }

    /** Re-labels the transport bytes built so far as DCCP (protocol 33; conntrack reads no more than ports). */
    Pkt proto33() {
        proto = 33;
        return this;
    }

    Pkt proto(int p) {
        proto = p;
        l4 = new byte[8];
        return this;
    }

    Pkt payload(String text) {
        payload = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return this;
    }

    Pkt payload(int n) {
        payload = new byte[n];
        return this;
    }

    private int udplitePseudo = 136;

    Pkt badChecksum() {
        corruptChecksum = true;
        return this;
    }

    Pkt fragOffset(int bytes) {
        fragOffset = bytes;
        return this;
    }

    byte[] bytes() {
        int l3 = v6() ? 40 : 20;
        int total = l3 + l4.length + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        if (v6()) {
            b.putInt(6 << 28).putShort((short) (l4.length + payload.length)).put((byte) proto).put((byte) 64);
            b.put(src).put(dst);
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 1)
                    .putShort((short) (fragOffset / 8)).put((byte) 64).put((byte) proto).putShort((short) 0);
            b.put(src).put(dst);
            int c = ~sum(b.array(), 0, 20, 0) & 0xffff;
            b.putShort(10, (short) c);
        }
        b.put(l4).put(payload);
        byte[] a = b.array();
        if (proto == 17) {
            int ulen = l4.length + payload.length;
            a[l3 + 4] = (byte) (ulen >>> 8);
            a[l3 + 5] = (byte) ulen;
        }
        int ckOff = switch (proto) {
            case 6 -> 16;
            case 17, 136 -> 6;
            case 1, 58 -> 2;
            default -> -1;
        };
        if (ckOff >= 0) {
            int len = l4.length + payload.length;
            int pseudo = 0;
            if (proto != 1) {
                pseudo = sum(src, 0, src.length, 0);
                pseudo = sum(dst, 0, dst.length, pseudo);
                pseudo += (proto == 136 ? udplitePseudo : proto) + len;
            }
            int c = ~sum(a, l3, len, pseudo) & 0xffff;
            if ((proto == 17 || proto == 136) && c == 0) {
                c = 0xffff;
            }
            if (corruptChecksum) {
                c ^= 0x5a5a;
            }
            a[l3 + ckOff] = (byte) (c >>> 8);
            a[l3 + ckOff + 1] = (byte) c;
        }
        if (proto == 132) {
            java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(a);
            int c = io.stockade.packet.Crc32c.sctp(seg, l3, a.length);
            if (corruptChecksum) {
                c ^= 0x5a5a;
            }
            seg.set(io.stockade.packet.Wire.LE32, l3 + 8, c);
        }
        return a;
    }

    private static int sum(byte[] a, int off, int len, int acc) {
        long s = acc & 0xffffffffL;
        for (int i = 0; i < len; i += 2) {
            int hi = a[off + i] & 0xff;
            int lo = i + 1 < len ? a[off + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** Link-layer bytes in front of the IP header, so offsets are exercised as absolute. */
    static final int BASE = 14;
    private static final PacketParser PARSER = new PacketParser();

    /** Parses the packet (with {@link #BASE} bytes in front) into {@code skb} for hook and time. */
    Skb into(Skb skb, Hook hook, long timeNanos) {
        byte[] ip = bytes();
        byte[] frame = new byte[BASE + ip.length];
        System.arraycopy(ip, 0, frame, BASE, ip.length);
        PacketDescriptor pd = skb.pd;
        skb.resetMeta();
        skb.hook = hook;
        skb.timeNanos = timeNanos;
        if (!PARSER.parse(pd, MemorySegment.ofArray(frame), BASE, ip.length)) {
            throw new IllegalStateException("test packet does not parse: " + pd.dropReason);
        }
        return skb;
    }
}
