package io.stockade.packet;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Fluent construction of test and example packets: IPv4/IPv6 with TCP (flags, seq/ack, window,
 * options), UDP, ICMP/ICMPv6 (echo, errors quoting another packet), any other protocol, IPv6
 * extension headers, fragments, and optional Ethernet (+ 802.1Q) framing. {@link #build} returns
 * the bytes with correct checksums (unless {@link #badChecksum}); {@link #buildFragments} splits the
 * datagram as a sender would. Control-plane/test code: allocates freely; not for the packet path.
 *
 * <pre>{@code
 * byte[] syn = PacketBuilder.ipv4("198.51.100.10", "198.51.100.1").tcp(40000, 22).flags(Tcp.SYN).mss(1460).build();
 * byte[] err = PacketBuilder.ipv4("10.0.0.1", "1.2.3.4").icmp(3, 3).quote(syn).build();
 * }</pre>
 */
public final class PacketBuilder {
    private final int version;
    private long srcHi;
    private long srcLo;
    private long dstHi;
    private long dstLo;
    private int ttl = 64;
    private int tos;
    private int flowLabel;
    private int ipId;
    private boolean df;
    private int protocol = -1;
    private boolean fragment;
    private int fragOffset;
    private boolean moreFragments;
    private int srcPort;
    private int dstPort;
    private int tcpFlags = Tcp.ACK;
    private int seq;
    private int ack;
    private int window = 65535;
    private int urgent;
    private final ByteArrayOutputStream tcpOptions = new ByteArrayOutputStream();
    private int icmpType;
    private int icmpCode;
    private int icmpId;
    private int icmpSeq;
    private int icmpRest = -1;
    private byte[] quote;
    private byte[] payload = new byte[0];
    private byte[] ipOptions = new byte[0];
    private final List<int[]> extKinds = new ArrayList<>();
    private final List<byte[]> extBodies = new ArrayList<>();
    private boolean badChecksum;
    private boolean raw;
    private int targetLength = -1;
    private boolean ethernet;
    private long srcMac = 0x020000000001L;
    private long dstMac = 0x020000000002L;
    private int vlan = -1;

    private PacketBuilder(int version) {
        this.version = version;
    }

    /** An IPv4 packet between two literals. */
    public static PacketBuilder ipv4(String src, String dst) {
        PacketBuilder b = new PacketBuilder(4);
        b.srcLo = IpText.parseV4(src);
        b.dstLo = IpText.parseV4(dst);
        return b;
    }

    /** An IPv6 packet between two literals. */
    public static PacketBuilder ipv6(String src, String dst) {
        PacketBuilder b = new PacketBuilder(6);
        long[] s = IpText.parseV6(src);
        long[] d = IpText.parseV6(dst);
        b.srcHi = s[0];
        b.srcLo = s[1];
        b.dstHi = d[0];
        b.dstLo = d[1];
        return b;
    }

    /** IPv4 or IPv6 by the form of {@code src} (both must be the same family). */
    public static PacketBuilder ip(String src, String dst) {
        return IpText.isV6(src) ? ipv6(src, dst) : ipv4(src, dst);
    }

    public int version() {
        return version;
    }

    public PacketBuilder ttl(int v) {
        ttl = v;
        return this;
    }

    public PacketBuilder tos(int v) {
        tos = v;
        return this;
    }

    public PacketBuilder flowLabel(int v) {
        flowLabel = v;
        return this;
    }

    /** IPv4 identification, or the IPv6 fragment header identification. */
    public PacketBuilder id(int v) {
        ipId = v;
        return this;
    }

    public PacketBuilder dontFragment() {
        df = true;
        return this;
    }

    /** IPv4 options bytes (padded to a multiple of 4 with EOL). */
    public PacketBuilder ipOptions(byte[] opts) {
        int n = (opts.length + 3) & ~3;
        ipOptions = java.util.Arrays.copyOf(opts, n);
        return this;
    }

    public PacketBuilder tcp(int sport, int dport) {
        raw = false;
        protocol = PacketParser.PROTO_TCP;
        srcPort = sport;
        dstPort = dport;
        return this;
    }

    public PacketBuilder udp(int sport, int dport) {
        raw = false;
        protocol = PacketParser.PROTO_UDP;
        srcPort = sport;
        dstPort = dport;
        return this;
    }

    /** SCTP/DCCP/UDP-Lite style: a protocol whose first 4 bytes are ports (header emitted minimal). */
    public PacketBuilder ports(int proto, int sport, int dport) {
        raw = false;
        protocol = proto;
        srcPort = sport;
        dstPort = dport;
        return this;
    }

    /** ICMP (IPv4) or ICMPv6 (IPv6) of the given type and code. */
    public PacketBuilder icmp(int type, int code) {
        raw = false;
        protocol = version == 4 ? PacketParser.PROTO_ICMP : PacketParser.PROTO_ICMPV6;
        icmpType = type;
        icmpCode = code;
        return this;
    }

    /** Sets the ICMP code, keeping the type. */
    public PacketBuilder icmpCode(int code) {
        icmpCode = code;
        return this;
    }

    /** Echo request (ICMP 8 / ICMPv6 128) with id and sequence. */
    public PacketBuilder echoRequest(int id, int sq) {
        icmp(version == 4 ? Icmp.ECHO_REQUEST : Icmpv6.ECHO_REQUEST, 0);
        icmpId = id;
        icmpSeq = sq;
        return this;
    }

    /** Echo reply (ICMP 0 / ICMPv6 129) with id and sequence. */
    public PacketBuilder echoReply(int id, int sq) {
        icmp(version == 4 ? Icmp.ECHO_REPLY : Icmpv6.ECHO_REPLY, 0);
        icmpId = id;
        icmpSeq = sq;
        return this;
    }

    /** ICMP id/sequence words (bytes 4..7) for query types. */
    public PacketBuilder icmpIdSeq(int id, int sq) {
        icmpId = id;
        icmpSeq = sq;
        return this;
    }

    /** Bytes 4..7 of an ICMP error (MTU, pointer, gateway); 0 by default. */
    public PacketBuilder icmpRest(int v) {
        icmpRest = v;
        return this;
    }

    /** The offending packet an ICMP error quotes (the IP packet bytes, as much as should be quoted). */
    public PacketBuilder quote(byte[] packet) {
        quote = packet.clone();
        return this;
    }

    /** Any other protocol number, no transport header: the payload follows the IP header(s). */
    public PacketBuilder protocol(int proto) {
        protocol = proto;
        raw = true;
        return this;
    }

    /** TCP flags byte (see {@link Tcp}); the default is ACK. */
    public PacketBuilder flags(int f) {
        tcpFlags = f;
        return this;
    }

    public PacketBuilder seq(int v) {
        seq = v;
        return this;
    }

    public PacketBuilder ack(int v) {
        ack = v;
        return this;
    }

    public PacketBuilder window(int v) {
        window = v;
        return this;
    }

    public PacketBuilder urgent(int v) {
        urgent = v;
        return this;
    }

    public PacketBuilder mss(int v) {
        return tcpOption(Tcp.OPT_MSS, (byte) (v >>> 8), (byte) v);
    }

    public PacketBuilder windowScale(int shift) {
        return tcpOption(Tcp.OPT_WSCALE, (byte) shift);
    }

    public PacketBuilder sackPermitted() {
        return tcpOption(Tcp.OPT_SACK_PERMITTED);
    }

    public PacketBuilder timestamp(int val, int echo) {
        return tcpOption(Tcp.OPT_TIMESTAMP, (byte) (val >>> 24), (byte) (val >>> 16), (byte) (val >>> 8), (byte) val,
                (byte) (echo >>> 24), (byte) (echo >>> 16), (byte) (echo >>> 8), (byte) echo);
    }

    /** A TCP option of {@code kind} with {@code body} (length byte added; NOP/EOL take no body). */
    public PacketBuilder tcpOption(int kind, byte... body) {
        tcpOptions.write(kind);
        if (kind > Tcp.OPT_NOP) {
            tcpOptions.write(body.length + 2);
            tcpOptions.writeBytes(body);
        }
        return this;
    }

    /**
     * Makes the IP total length exactly {@code n} by sizing the payload (checked at build time:
     * below the header bytes is an error).
     */
    public PacketBuilder totalLength(int n) {
        targetLength = n;
        return this;
    }

    /** Payload of {@code n} bytes (a repeating pattern). */
    public PacketBuilder payload(int n) {
        payload = new byte[n];
        for (int i = 0; i < n; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return this;
    }

    public PacketBuilder payload(byte[] p) {
        payload = p.clone();
        return this;
    }

    /**
     * Makes this one fragment: offset in bytes (multiple of 8) and the MF flag. A first fragment
     * (offset 0) carries the transport header; a later one carries only the payload. IPv6 gets a
     * fragment header after the other extension headers.
     */
    public PacketBuilder fragment(int offsetBytes, boolean more) {
        fragment = true;
        fragOffset = offsetBytes;
        moreFragments = more;
        return this;
    }

    /** IPv6 hop-by-hop options header (PadN filled, 8 bytes). */
    public PacketBuilder hopByHop() {
        return extHeader(Ipv6ExtHeaders.NEXTHDR_HOP, padOptions(6));
    }

    /** IPv6 destination options header (PadN filled, 8 bytes). */
    public PacketBuilder destOptions() {
        return extHeader(Ipv6ExtHeaders.NEXTHDR_DEST, padOptions(6));
    }

    /** IPv6 routing header of {@code type} with segments left and addresses (type 0 layout). */
    public PacketBuilder routing(int type, int segmentsLeft, String... addrs) {
        byte[] body = new byte[6 + 16 * addrs.length];
        body[0] = (byte) type;
        body[1] = (byte) segmentsLeft;
        for (int i = 0; i < addrs.length; i++) {
            long[] a = IpText.parseV6(addrs[i]);
            putLong(body, 6 + 16 * i, a[0]);
            putLong(body, 6 + 16 * i + 8, a[1]);
        }
        return extHeader(Ipv6ExtHeaders.NEXTHDR_ROUTING, body);
    }

    /** IPv6 authentication header (RFC 4302) with SPI and a 12-byte ICV. */
    public PacketBuilder authHeader(int spi) {
        byte[] body = new byte[22];
        putInt(body, 2, spi);
        putInt(body, 6, 1);
        return extHeader(Ipv6ExtHeaders.NEXTHDR_AUTH, body);
    }

    /**
     * A raw IPv6 extension header: next-header value {@code kind} and the bytes after the
     * next-header and length bytes (the length byte is computed; {@code body.length + 2} must be a
     * multiple of 8, or of 4 for AH).
     */
    public PacketBuilder extHeader(int kind, byte[] body) {
        if (version != 6) {
            throw new IllegalStateException("extension headers are IPv6 only");
        }
        extKinds.add(new int[] {kind});
        extBodies.add(body.clone());
        return this;
    }

    private static byte[] padOptions(int n) {
        byte[] b = new byte[n];
        b[0] = 1; // PadN
        b[1] = (byte) (n - 2);
        return b;
    }

    /** Emits a wrong transport checksum (and IPv4 header checksum stays right). */
    public PacketBuilder badChecksum() {
        badChecksum = true;
        return this;
    }

    /** Ethernet II framing (addresses as 48-bit values). */
    public PacketBuilder ethernet(long src, long dst) {
        ethernet = true;
        srcMac = src;
        dstMac = dst;
        return this;
    }

    /** Ethernet framing with default locally-administered addresses. */
    public PacketBuilder ethernet() {
        ethernet = true;
        return this;
    }

    /** An 802.1Q tag with this VLAN id (implies Ethernet). */
    public PacketBuilder vlan(int id) {
        ethernet = true;
        vlan = id;
        return this;
    }

    /** The packet (or Ethernet frame) with correct lengths and checksums. */
    public byte[] build() {
        if (!fragment) {
            return frame(whole());
        }
        byte[] w = whole();
        int unfrag = unfragmentableLength(w);
        byte[] data;
        if (fragOffset == 0) {
            data = java.util.Arrays.copyOfRange(w, unfrag, w.length);
        } else {
            data = payload;
        }
        return frame(fragmentOf(w, unfrag, data, fragOffset, moreFragments));
    }

    /**
     * The datagram split into fragments carrying at most {@code maxData} bytes (rounded down to a
     * multiple of 8) of fragmentable data each, in order, each framed like {@link #build}.
     */
    public List<byte[]> buildFragments(int maxData) {
        int step = maxData & ~7;
        if (step <= 0) {
            throw new IllegalArgumentException("fragment data size must be at least 8");
        }
        byte[] w = whole();
        int unfrag = unfragmentableLength(w);
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < w.length - unfrag; off += step) {
            int n = Math.min(step, w.length - unfrag - off);
            byte[] data = java.util.Arrays.copyOfRange(w, unfrag + off, unfrag + off + n);
            out.add(frame(fragmentOf(w, unfrag, data, off, off + n < w.length - unfrag)));
        }
        return out;
    }

    private int unfragmentableLength(byte[] w) {
        if (version == 4) {
            return Ipv4.MIN_HEADER_LENGTH + ipOptions.length;
        }
        int n = Ipv6.HEADER_LENGTH;
        for (byte[] b : extBodies) {
            n += b.length + 2;
        }
        return n;
    }

    private byte[] fragmentOf(byte[] whole, int unfrag, byte[] data, int off, boolean more) {
        if (version == 4) {
            byte[] p = new byte[unfrag + data.length];
            System.arraycopy(whole, 0, p, 0, unfrag);
            System.arraycopy(data, 0, p, unfrag, data.length);
            MemorySegment s = MemorySegment.ofArray(p);
            Wire.put16(s, Ipv4.TOTAL_LENGTH_OFFSET, p.length);
            Wire.put16(s, Ipv4.FLAGS_FRAG_OFFSET, (df ? Ipv4.FLAG_DF : 0) | (more ? Ipv4.FLAG_MF : 0)
                    | ((off >>> 3) & Ipv4.FRAG_OFFSET_MASK));
            new Ipv4().wrap(s, 0, p.length).fillChecksum();
            return p;
        }
        byte[] p = new byte[unfrag + Ipv6Fragment.HEADER_LENGTH + data.length];
        System.arraycopy(whole, 0, p, 0, unfrag);
        // The header before the fragment header now points at it; the fragment header takes its old value.
        int prevNextAt = Ipv6.NEXT_HEADER_OFFSET;
        int pos = Ipv6.HEADER_LENGTH;
        for (byte[] b : extBodies) {
            prevNextAt = pos;
            pos += b.length + 2;
        }
        int origNext = p[prevNextAt] & 0xff;
        p[prevNextAt] = (byte) Ipv6ExtHeaders.NEXTHDR_FRAGMENT;
        p[unfrag] = (byte) origNext;
        MemorySegment s = MemorySegment.ofArray(p);
        Wire.put16(s, unfrag + Ipv6Fragment.FRAG_OFFSET_OFFSET, (off & 0xfff8) | (more ? 1 : 0));
        Wire.put32(s, unfrag + Ipv6Fragment.IDENTIFICATION_OFFSET, ipId);
        System.arraycopy(data, 0, p, unfrag + Ipv6Fragment.HEADER_LENGTH, data.length);
        Wire.put16(s, Ipv6.PAYLOAD_LENGTH_OFFSET, p.length - Ipv6.HEADER_LENGTH);
        return p;
    }

    private byte[] transport() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        switch (raw ? -1 : protocol) {
            case PacketParser.PROTO_TCP -> {
                byte[] opts = tcpOptions.toByteArray();
                int optLen = (opts.length + 3) & ~3;
                byte[] h = new byte[Tcp.MIN_HEADER_LENGTH + optLen];
                MemorySegment s = MemorySegment.ofArray(h);
                Wire.put16(s, Tcp.SRC_PORT_OFFSET, srcPort);
                Wire.put16(s, Tcp.DST_PORT_OFFSET, dstPort);
                Wire.put32(s, Tcp.SEQ_OFFSET, seq);
                Wire.put32(s, Tcp.ACK_OFFSET, ack);
                Wire.put16(s, Tcp.DATA_OFFSET_OFFSET, (h.length / 4) << 12 | (tcpFlags & 0xfff));
                Wire.put16(s, Tcp.WINDOW_OFFSET, window);
                Wire.put16(s, Tcp.URGENT_OFFSET, urgent);
                System.arraycopy(opts, 0, h, Tcp.OPTIONS_OFFSET, opts.length);
                o.writeBytes(h);
            }
            case PacketParser.PROTO_UDP, PacketParser.PROTO_UDPLITE -> {
                byte[] h = new byte[Udp.HEADER_LENGTH];
                MemorySegment s = MemorySegment.ofArray(h);
                Wire.put16(s, Udp.SRC_PORT_OFFSET, srcPort);
                Wire.put16(s, Udp.DST_PORT_OFFSET, dstPort);
                Wire.put16(s, Udp.LENGTH_OFFSET, protocol == PacketParser.PROTO_UDP ? h.length + payload.length : 0);
                o.writeBytes(h);
            }
            case PacketParser.PROTO_ICMP, PacketParser.PROTO_ICMPV6 -> {
                byte[] h = new byte[Icmp.HEADER_LENGTH];
                MemorySegment s = MemorySegment.ofArray(h);
                Wire.put8(s, Icmp.TYPE_OFFSET, icmpType);
                Wire.put8(s, Icmp.CODE_OFFSET, icmpCode);
                if (icmpRest >= 0) {
                    Wire.put32(s, Icmp.ID_OFFSET, icmpRest);
                } else {
                    Wire.put16(s, Icmp.ID_OFFSET, icmpId);
                    Wire.put16(s, Icmp.SEQ_OFFSET, icmpSeq);
                }
                o.writeBytes(h);
                if (quote != null) {
                    o.writeBytes(quote);
                }
            }
            case PacketParser.PROTO_SCTP, PacketParser.PROTO_DCCP -> {
                byte[] h = new byte[12];
                MemorySegment s = MemorySegment.ofArray(h);
                Wire.put16(s, 0, srcPort);
                Wire.put16(s, 2, dstPort);
                if (protocol == PacketParser.PROTO_DCCP) {
                    h[4] = 3; // data offset: 12 bytes
                }
                o.writeBytes(h);
            }
            default -> {
            }
        }
        o.writeBytes(payload);
        return o.toByteArray();
    }

    /** The unfragmented IP datagram with checksums. */
    private byte[] whole() {
        if (protocol < 0) {
            throw new IllegalStateException("no protocol: call tcp/udp/icmp/protocol first");
        }
        byte[] l4 = transport();
        if (targetLength >= 0) {
            int headers = version == 4 ? Ipv4.MIN_HEADER_LENGTH + ipOptions.length : Ipv6.HEADER_LENGTH;
            for (byte[] b : extBodies) {
                headers += b.length + 2;
            }
            int want = payload.length + targetLength - (headers + l4.length);
            if (want < 0) {
                throw new IllegalStateException("length " + targetLength + " is below the "
                        + (headers + l4.length - payload.length) + " header bytes");
            }
            payload(want);
            l4 = transport();
        }
        byte[] p;
        if (version == 4) {
            int hl = Ipv4.MIN_HEADER_LENGTH + ipOptions.length;
            p = new byte[hl + l4.length];
            MemorySegment s = MemorySegment.ofArray(p);
            Wire.put8(s, 0, 0x40 | (hl >>> 2));
            Wire.put8(s, Ipv4.TOS_OFFSET, tos);
            Wire.put16(s, Ipv4.TOTAL_LENGTH_OFFSET, p.length);
            Wire.put16(s, Ipv4.ID_OFFSET, ipId);
            Wire.put16(s, Ipv4.FLAGS_FRAG_OFFSET, df ? Ipv4.FLAG_DF : 0);
            Wire.put8(s, Ipv4.TTL_OFFSET, ttl);
            Wire.put8(s, Ipv4.PROTOCOL_OFFSET, protocol);
            Wire.put32(s, Ipv4.SRC_ADDR_OFFSET, (int) srcLo);
            Wire.put32(s, Ipv4.DST_ADDR_OFFSET, (int) dstLo);
            System.arraycopy(ipOptions, 0, p, Ipv4.OPTIONS_OFFSET, ipOptions.length);
            System.arraycopy(l4, 0, p, hl, l4.length);
        } else {
            int ext = 0;
            for (byte[] b : extBodies) {
                ext += b.length + 2;
            }
            p = new byte[Ipv6.HEADER_LENGTH + ext + l4.length];
            MemorySegment s = MemorySegment.ofArray(p);
            Wire.put32(s, 0, 0x60000000 | ((tos & 0xff) << 20) | (flowLabel & 0xfffff));
            Wire.put16(s, Ipv6.PAYLOAD_LENGTH_OFFSET, p.length - Ipv6.HEADER_LENGTH);
            Wire.put8(s, Ipv6.HOP_LIMIT_OFFSET, ttl);
            Wire.put64(s, Ipv6.SRC_ADDR_OFFSET, srcHi);
            Wire.put64(s, Ipv6.SRC_ADDR_OFFSET + 8, srcLo);
            Wire.put64(s, Ipv6.DST_ADDR_OFFSET, dstHi);
            Wire.put64(s, Ipv6.DST_ADDR_OFFSET + 8, dstLo);
            int nextAt = Ipv6.NEXT_HEADER_OFFSET;
            int pos = Ipv6.HEADER_LENGTH;
            for (int i = 0; i < extBodies.size(); i++) {
                int kind = extKinds.get(i)[0];
                byte[] b = extBodies.get(i);
                p[nextAt] = (byte) kind;
                nextAt = pos;
                int total = b.length + 2;
                System.arraycopy(b, 0, p, pos + 2, b.length);
                p[pos + 1] = (byte) (kind == Ipv6ExtHeaders.NEXTHDR_AUTH ? total / 4 - 2 : total / 8 - 1);
                pos += total;
            }
            p[nextAt] = (byte) protocol;
            System.arraycopy(l4, 0, p, pos, l4.length);
        }
        PacketDescriptor pd = new PacketDescriptor();
        MemorySegment seg = MemorySegment.ofArray(p);
        if (new PacketParser().parse(pd, seg, 0, p.length) || pd.ipVersion != 0) {
            Checksum.fill(pd);
        } else if (version == 4) {
            new Ipv4().wrap(seg, 0, p.length).fillChecksum();
        }
        if (badChecksum && pd.l4Offset >= 0) {
            int field = switch (protocol) {
                case PacketParser.PROTO_TCP -> Tcp.CHECKSUM_OFFSET;
                case PacketParser.PROTO_UDP, PacketParser.PROTO_UDPLITE -> Udp.CHECKSUM_OFFSET;
                default -> Icmp.CHECKSUM_OFFSET;
            };
            Wire.put16(seg, pd.l4Offset + field, Wire.u16(seg, pd.l4Offset + field) ^ 0x5a5a);
        }
        return p;
    }

    private byte[] frame(byte[] ip) {
        if (!ethernet) {
            return ip;
        }
        int hl = 14 + (vlan >= 0 ? 4 : 0);
        byte[] f = new byte[hl + ip.length];
        MemorySegment s = MemorySegment.ofArray(f);
        Wire.put16(s, 0, (int) (dstMac >>> 32));
        Wire.put32(s, 2, (int) dstMac);
        Wire.put16(s, 6, (int) (srcMac >>> 32));
        Wire.put32(s, 8, (int) srcMac);
        int et = version == 4 ? LinkLayer.ETHERTYPE_IPV4 : LinkLayer.ETHERTYPE_IPV6;
        if (vlan >= 0) {
            Wire.put16(s, 12, LinkLayer.ETHERTYPE_VLAN);
            Wire.put16(s, 14, vlan & 0xfff);
            Wire.put16(s, 16, et);
        } else {
            Wire.put16(s, 12, et);
        }
        System.arraycopy(ip, 0, f, hl, ip.length);
        return f;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }
}
