package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * The parse-once result for one IP packet (pf's {@code pf_pdesc}, OVS's {@code conn_key}): where
 * each header is and the header facts every match, conntrack and NAT read. One instance per
 * worker, reused for every packet; {@link PacketParser} fills it. Not thread-safe. Fields are
 * public like a C struct because every per-packet stage reads them; only the parser writes the
 * header facts (NAT rewrites update both the bytes and the fields through its helpers).
 *
 * <p>Addresses are two longs each (high/low 64 bits, network order); IPv4 lives in the low 32 bits
 * of {@code *Lo} with {@code *Hi = 0}, the same layout as {@code io.stockade.rules.IpHeaderFilter}.
 */
public final class PacketDescriptor {
    /** The packet bytes starting at the IP header; valid for {@code length} bytes. */
    public MemorySegment data;
    /** Number of valid bytes in {@link #data} (captured length, from the IP header on). */
    public int length;

    /** 4 or 6. */
    public int ipVersion;
    /** Total length from the IP header (IPv4 total length / IPv6 40 + payload length). */
    public int ipTotalLength;
    /** IPv4 header length in bytes, or for IPv6 40 plus all extension headers walked. */
    public int l3HeaderLength;
    /** Offset of the transport header in {@link #data}, -1 if none (non-first fragment, truncated). */
    public int l4Offset;
    /** Transport protocol: IPv4 protocol field, or IPv6's final next-header after extension headers. */
    public int protocol;

    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;

    /** TOS / traffic class byte. */
    public int tos;
    /** TTL / hop limit. */
    public int ttl;
    /** IPv4 identification (IPv6: fragment header identification, else 0). */
    public int ipId;
    /** Fragment offset in bytes (0 for first fragment or unfragmented). */
    public int fragOffset;
    /** More-fragments flag. */
    public boolean moreFragments;
    /** IPv4 DF flag. */
    public boolean dontFragment;
    /** True if the packet is a fragment (first or later). */
    public boolean isFragment;
    /** IPv4 header has options. */
    public boolean hasIpOptions;
    /** Bit set of IPv6 extension headers seen (see {@link Ipv6ExtHeaders}). */
    public int ipv6ExtMask;

    /** TCP/UDP/SCTP/DCCP ports, 0 if not applicable. */
    public int srcPort;
    public int dstPort;
    /** TCP flags byte (FIN=0x01 … CWR=0x80). */
    public int tcpFlags;
    public int tcpSeq;
    public int tcpAck;
    public int tcpWindow;
    /** TCP header length in bytes. */
    public int tcpHeaderLength;
    /** ICMP/ICMPv6 type and code, -1 if not ICMP. */
    public int icmpType;
    public int icmpCode;
    /** ICMP echo id (query messages), 0 otherwise. */
    public int icmpId;
    /** Offset of the transport payload (after TCP/UDP/ICMP header) in {@link #data}. */
    public int payloadOffset;

    /** Why parsing gave up, or {@link DropReason#NONE}. */
    public DropReason dropReason = DropReason.NONE;

    /** Resets every fact so the descriptor can be reused for the next packet. */
    public void reset() {
        data = null;
        length = 0;
        ipVersion = 0;
        ipTotalLength = 0;
        l3HeaderLength = 0;
        l4Offset = -1;
        protocol = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        tos = ttl = ipId = fragOffset = 0;
        moreFragments = dontFragment = isFragment = hasIpOptions = false;
        ipv6ExtMask = 0;
        srcPort = dstPort = tcpFlags = tcpSeq = tcpAck = tcpWindow = tcpHeaderLength = 0;
        icmpType = icmpCode = -1;
        icmpId = 0;
        payloadOffset = 0;
        dropReason = DropReason.NONE;
    }
}
