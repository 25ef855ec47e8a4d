package io.stockade.difftest;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Builds the IP packets the harness injects (IPv4/IPv6 with TCP, UDP, ICMP, ICMPv6, IPv4 fragments,
 * IPv6 extension headers) with correct checksums, and reads back the few fields it classifies by.
 * Packets start at the IP header. Control-plane code: allocation is fine here.
 */
final class Pkt {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int ICMPV6 = 58;
    static final int SCTP = 132;
    static final int DCCP = 33;
    static final int UDPLITE = 136;
    /** DCCP packet types the generator sends (RFC 4340 5.1). */
    static final int DCCP_REQUEST = 0, DCCP_RESPONSE = 1, DCCP_DATA = 2, DCCP_ACK = 3, DCCP_DATAACK = 4,
            DCCP_CLOSE = 6, DCCP_RESET = 7;
    /** SCTP chunk types the generator sends. */
    static final int SCTP_DATA = 0, SCTP_INIT = 1, SCTP_INIT_ACK = 2, SCTP_SACK = 3, SCTP_ABORT = 6, SCTP_SHUTDOWN = 7,
            SCTP_SHUTDOWN_ACK = 8, SCTP_COOKIE_ECHO = 10, SCTP_COOKIE_ACK = 11, SCTP_SHUTDOWN_COMPLETE = 14;
    static final int FIN = 1;
    static final int SYN = 2;
    static final int RST = 4;
    static final int PSH = 8;
    static final int ACK = 16;
    static final int URG = 32;

    private Pkt() {
    }

    static byte[] addr(String literal) {
        return InetAddress.ofLiteral(literal).getAddress();
    }

    static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int k = 0; k + 1 < len; k += 2) {
            sum += ((b[off + k] & 0xff) << 8) | (b[off + k + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static long pseudo(byte[] src, byte[] dst, int proto, int len) {
        long sum = 0;
        for (byte[] a : new byte[][] {src, dst}) {
            for (int k = 0; k < a.length; k += 2) {
                sum += ((a[k] & 0xff) << 8) | (a[k + 1] & 0xff);
            }
        }
        return sum + proto + len;
    }

    /** A transport header + payload with its checksum filled (TCP, UDP, ICMPv6 use the pseudo header). */
    static byte[] l4(byte[] src, byte[] dst, int proto, byte[] seg, int csumOff) {
        seg[csumOff] = 0;
        seg[csumOff + 1] = 0;
        long init = proto == ICMP ? 0 : pseudo(src, dst, proto, seg.length);
        int c = checksum(seg, 0, seg.length, init);
        if ((proto == UDP || proto == UDPLITE) && c == 0) {
            c = 0xffff;
        }
        seg[csumOff] = (byte) (c >>> 8);
        seg[csumOff + 1] = (byte) c;
        return seg;
    }

    static byte[] tcp(byte[] src, byte[] dst, int sport, int dport, long seq, long ack, int flags, int window,
            byte[] options, byte[] payload) {
        int optLen = (options.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(20 + optLen + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack);
        b.put((byte) (((20 + optLen) / 4) << 4)).put((byte) flags).putShort((short) window);
        b.putShort((short) 0).putShort((short) 0).put(options);
        b.position(20 + optLen);
        b.put(payload);
        return l4(src, dst, TCP, b.array(), 16);
    }

    static byte[] udp(byte[] src, byte[] dst, int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return l4(src, dst, UDP, b.array(), 6);
    }

    /**
     * UDP-Lite (RFC 3828) with checksum coverage 0 (the whole datagram). {@code rfc}: the checksum's
     * pseudo-header carries protocol 136 as the RFC says; otherwise 17, the one Linux conntrack
     * verifies against (udplite_error), so only those datagrams are tracked by the kernel.
     */
    static byte[] udplite(byte[] src, byte[] dst, int sport, int dport, boolean rfc, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return l4(src, dst, rfc ? UDPLITE : UDP, b.array(), 6);
    }

    /**
     * A DCCP packet (RFC 4340) with extended (48-bit) sequence numbers: the generic header, the
     * acknowledgement subheader for every type but Request and Data, a service code for Request and
     * Response, a reset code for Reset, then {@code payload}; checksum coverage 0 (all of it).
     */
    static byte[] dccp(byte[] src, byte[] dst, int sport, int dport, int type, long seq, long ack, byte[] payload) {
        boolean hasAck = type != DCCP_REQUEST && type != DCCP_DATA;
        int extra = (type == DCCP_REQUEST || type == DCCP_RESPONSE || type == DCCP_RESET) ? 4 : 0;
        int hdr = 16 + (hasAck ? 8 : 0) + extra;
        ByteBuffer b = ByteBuffer.allocate(hdr + payload.length);
        b.putShort((short) sport).putShort((short) dport).put((byte) (hdr / 4)).put((byte) 0).putShort((short) 0);
        b.put((byte) ((type << 1) | 1)).put((byte) 0).putShort((short) (seq >>> 32)).putInt((int) seq);
        if (hasAck) {
            b.putShort((short) 0).putShort((short) (ack >>> 32)).putInt((int) ack);
        }
        if (type == DCCP_RESET) {
            b.put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0); // reset code 2: aborted
        } else if (extra > 0) {
            b.putInt(42); // service code
        }
        b.put(payload);
        return l4(src, dst, DCCP, b.array(), 6);
    }

    /** One SCTP chunk: type, flags, length, body padded to 4 bytes. */
    static byte[] sctpChunk(int type, int flags, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + ((body.length + 3) & ~3));
        b.put((byte) type).put((byte) flags).putShort((short) (4 + body.length)).put(body);
        return b.array();
    }

    /** An INIT or INIT-ACK chunk with initiate tag {@code tag}. */
    static byte[] sctpInit(int type, int tag) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt(tag).putInt(65536).putShort((short) 10).putShort((short) 10).putInt(1000);
        return sctpChunk(type, 0, b.array());
    }

    /** An SCTP packet (common header, CRC32c checksum as the wire carries it) with the given chunks. */
    static byte[] sctp(int sport, int dport, int vtag, byte[]... chunks) {
        int len = 12;
        for (byte[] c : chunks) {
            len += c.length;
        }
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putShort((short) sport).putShort((short) dport).putInt(vtag).putInt(0);
        for (byte[] c : chunks) {
            b.put(c);
        }
        byte[] a = b.array();
        int crc = io.stockade.packet.Crc32c.sctp(java.lang.foreign.MemorySegment.ofArray(a), 0, a.length);
        ByteBuffer.wrap(a, 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(crc);
        return a;
    }

    /** ICMP (family 4) or ICMPv6 (family 6) with a 4-byte rest-of-header and data. */
    static byte[] icmp(byte[] src, byte[] dst, int type, int code, int rest, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(rest).put(data);
        return l4(src, dst, src.length == 4 ? ICMP : ICMPV6, b.array(), 2);
    }

    /** IPv4 header + payload; {@code fragField} is the flags/fragment-offset word (0x4000 = DF). */
    static byte[] ipv4(byte[] src, byte[] dst, int proto, int ttl, int id, int fragField, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id);
        b.putShort((short) fragField).put((byte) ttl).put((byte) proto).putShort((short) 0).put(src).put(dst);
        byte[] a = b.put(payload).array();
        int c = checksum(a, 0, 20, 0);
        a[10] = (byte) (c >>> 8);
        a[11] = (byte) c;
        return a;
    }

    /** IPv6 header + payload; {@code next} is the first next-header value (may be an extension header). */
    static byte[] ipv6(byte[] src, byte[] dst, int next, int hopLimit, int flowLabel, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x60000000 | (flowLabel & 0xfffff)).putShort((short) payload.length).put((byte) next)
                .put((byte) hopLimit).put(src).put(dst).put(payload);
        return b.array();
    }

    /** An IPv6 hop-by-hop or destination-options header (8 bytes, PadN) in front of {@code rest}. */
    static byte[] ip6Options(int next, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length);
        b.put((byte) next).put((byte) 0).put((byte) 1).put((byte) 4).putInt(0).put(rest);
        return b.array();
    }

    /** An IPv4 packet carrying {@code l4} in fragments of {@code chunk} bytes (multiple of 8). */
    static byte[][] fragments4(byte[] src, byte[] dst, int proto, int ttl, int id, byte[] l4, int chunk) {
        int n = (l4.length + chunk - 1) / chunk;
        byte[][] out = new byte[n][];
        for (int k = 0; k < n; k++) {
            int from = k * chunk;
            int to = Math.min(l4.length, from + chunk);
            byte[] part = java.util.Arrays.copyOfRange(l4, from, to);
            int field = (from / 8) | (to < l4.length ? 0x2000 : 0);
            out[k] = ipv4(src, dst, proto, ttl, id, field, part);
        }
        return out;
    }

    /** An IPv6 packet carrying {@code l4} in fragments (fragment header, {@code chunk} a multiple of 8). */
    static byte[][] fragments6(byte[] src, byte[] dst, int proto, int hopLimit, int flowLabel, int ident, byte[] l4, int chunk) {
        int n = (l4.length + chunk - 1) / chunk;
        byte[][] out = new byte[n][];
        for (int k = 0; k < n; k++) {
            int from = k * chunk;
            int to = Math.min(l4.length, from + chunk);
            ByteBuffer b = ByteBuffer.allocate(8 + to - from);
            b.put((byte) proto).put((byte) 0).putShort((short) ((from / 8) << 3 | (to < l4.length ? 1 : 0))).putInt(ident);
            b.put(l4, from, to - from);
            out[k] = ipv6(src, dst, 44, hopLimit, flowLabel, b.array());
        }
        return out;
    }

    static int version(byte[] ip) {
        return (ip[0] & 0xff) >>> 4;
    }

    /** IPv4 ID or IPv6 flow label: the harness's per-packet identity. */
    static int identity(byte[] ip) {
        if (version(ip) == 4) {
            return ((ip[4] & 0xff) << 8) | (ip[5] & 0xff);
        }
        return ((ip[1] & 0x0f) << 16) | ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
