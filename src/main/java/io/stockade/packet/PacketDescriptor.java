package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * The parse-once result for one IP packet (pf's {@code pf_pdesc}, OVS's {@code conn_key}): where
 * each header is and the header facts every match, conntrack and NAT read. One instance per
 * worker, reused for every packet; {@link PacketParser} fills it. Not thread-safe. Fields are
 * public like a C struct because every per-packet stage reads them; only the parser writes the
 * header facts (NAT rewrites update both the bytes and the fields through its helpers).
 *
 * <p><b>Offsets are absolute.</b> Every offset field ({@link #base}, {@link #l4Offset},
 * {@link #payloadOffset}, {@link #tcpOptionsOffset}, the {@code *Offset} of extension headers and
 * ICMP quotes) is a position in {@link #data} itself, so {@code data.get(layout, pd.l4Offset + 2)}
 * reads the destination port whatever {@link #base} is. The IP header starts at {@link #base}; the
 * packet ends at {@link #end()} (exclusive), its captured bytes at {@link #length}. The parser requires the packet to end below 2 GiB in
 * {@code data} (offsets other than {@code base} are {@code int}); the replay path copies each packet
 * into a per-worker writable buffer anyway, because rewrites (NAT, TTL, TOS) write into the bytes.
 *
 * <p>Addresses are two longs each (high/low 64 bits, network order); IPv4 lives in the low 32 bits
 * of {@code *Lo} with {@code *Hi = 0}, the same layout as {@code io.stockade.rules.IpHeaderFilter}.
 *
 * <p>Validity: when {@link PacketParser#parse} returns {@code false}, only {@link #dropReason} is
 * meaningful. When it returns {@code true}, the IP layer is valid; a transport header that is
 * missing or malformed is reported in {@link #l4Problem} (Linux does not drop such packets before
 * netfilter: a {@code -p tcp} match "hotdrops" them, conntrack calls them invalid), and then
 * {@link #l4Offset} still points where the header would start but no L4 fact was filled.
 */
public final class PacketDescriptor {
    /** The bytes holding the packet; the IP header starts at {@link #base}. */
    public MemorySegment data;
    /** Offset of the IP header in {@link #data}. */
    public long base;
    /**
     * End (exclusive, absolute like every offset) of the valid packet bytes in {@link #data}:
     * {@code base +} the IP total length when the whole packet is present, less for a capture cut
     * by its snap length (see {@link #truncated}). So {@code off + n <= length} is the bounds test
     * for reading {@code n} bytes at {@code off}, and {@code length - l4Offset} the transport bytes
     * present. With {@code base == 0} it is the packet length.
     */
    public int length;
    /** True when the capture holds fewer bytes than the IP total length (pcap snap length). */
    public boolean truncated;

    /** 4 or 6. */
    public int ipVersion;
    /** Total length from the IP header (IPv4 total length / IPv6 40 + payload length). */
    public int ipTotalLength;
    /** IPv4 header length in bytes, or for IPv6 40 plus all extension headers walked. */
    public int l3HeaderLength;
    /**
     * Offset of the transport header in {@link #data}, -1 if there is none to read (a non-first
     * fragment, an IPv6 packet ending in ESP/no-next-header).
     */
    public int l4Offset;
    /** Transport protocol: IPv4 protocol field, or IPv6's final next-header after extension headers. */
    public int protocol;

    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;

    /** TOS / traffic class byte. */
    public int tos;
    /** IPv6 flow label (20 bits), 0 for IPv4. */
    public int flowLabel;
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
    /** IPv4 reserved ("evil") flag bit. */
    public boolean reservedFlag;
    /**
     * True if the packet is a fragment (first or later). A later fragment has {@code fragOffset > 0}
     * and carries no transport header: {@link #l4Offset} is -1 and ports/flags/ICMP facts are unset,
     * while {@link #protocol} is still known.
     */
    public boolean isFragment;
    /** IPv4 header has options (IHL &gt; 5); they span {@code base + 20 .. base + l3HeaderLength}. */
    public boolean hasIpOptions;
    /** Bit set of IPv6 extension headers seen (see {@link Ipv6ExtHeaders}). */
    public int ipv6ExtMask;
    /**
     * Offset in {@link #data} of the first extension header of each kind, indexed by the bit
     * number of its {@link Ipv6ExtHeaders} flag ({@link Ipv6ExtHeaders#index}); -1 when absent.
     */
    public final int[] ipv6ExtOffsets = new int[Ipv6ExtHeaders.COUNT];
    /** Number of IPv6 extension headers walked. */
    public int ipv6ExtCount;

    /** TCP/UDP/UDP-Lite/SCTP/DCCP ports, 0 if not applicable. */
    public int srcPort;
    public int dstPort;
    /** TCP flags byte (FIN=0x01 … CWR=0x80). */
    public int tcpFlags;
    /** TCP flags including the reserved/AE bits: the 12 low bits of bytes 12-13. */
    public int tcpFlagsWide;
    public int tcpSeq;
    public int tcpAck;
    public int tcpWindow;
    public int tcpUrgent;
    /** TCP header length in bytes (data offset × 4). */
    public int tcpHeaderLength;
    /** Offset and length of the TCP options in {@link #data} (length 0 when none). */
    public int tcpOptionsOffset;
    public int tcpOptionsLength;
    /** TCP MSS option value, -1 when absent. */
    public int tcpMss;
    /** TCP window-scale option shift, -1 when absent. */
    public int tcpWindowScale;
    /** TCP SACK-permitted option present. */
    public boolean tcpSackPermitted;
    /** Offset of the TCP SACK option (kind 5) in {@link #data}, -1 when absent. */
    public int tcpSackOffset;
    /** Offset of the TCP timestamp option (kind 8) in {@link #data}, -1 when absent. */
    public int tcpTimestampOffset;
    /** ICMP/ICMPv6 type and code, -1 if not ICMP. */
    public int icmpType;
    public int icmpCode;
    /** ICMP echo id and sequence (query messages), 0 otherwise. */
    public int icmpId;
    public int icmpSeq;
    /** True for ICMP/ICMPv6 error messages (they quote an offending packet). */
    public boolean icmpError;
    /**
     * Offset in {@link #data} of the IP header quoted by an ICMP/ICMPv6 error, -1 otherwise.
     * {@link PacketParser#parseInner} parses it into a second descriptor.
     */
    public int icmpInnerOffset;
    /**
     * Offset of the transport payload (after the TCP/UDP/ICMP/SCTP/DCCP header; for other protocols
     * the transport header itself; for a later fragment its data) in {@link #data}.
     */
    public int payloadOffset;
    /** Bytes of that payload according to the IP length (may exceed the captured bytes). */
    public int payloadLength;

    /** Why parsing gave up, or {@link DropReason#NONE}. */
    public DropReason dropReason = DropReason.NONE;
    /** A missing or malformed transport header in an otherwise valid packet, else NONE. */
    public DropReason l4Problem = DropReason.NONE;

    /** Offset just past the IP packet in {@link #data} (base + IP total length). */
    public long end() {
        return base + ipTotalLength;
    }

    /** Number of valid packet bytes from {@link #base} on. */
    public int validBytes() {
        return (int) (length - base);
    }

    /** True when the transport header is present and valid (ports/flags/ICMP facts are filled). */
    public boolean hasL4() {
        return l4Offset >= 0 && l4Problem == DropReason.NONE;
    }

    /** Resets every fact so the descriptor can be reused for the next packet. */
    public void reset() {
        data = null;
        base = 0;
        length = 0;
        truncated = false;
        ipVersion = 0;
        ipTotalLength = 0;
        l3HeaderLength = 0;
        l4Offset = -1;
        protocol = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        tos = flowLabel = ttl = ipId = fragOffset = 0;
        moreFragments = dontFragment = reservedFlag = isFragment = hasIpOptions = false;
        ipv6ExtMask = 0;
        ipv6ExtCount = 0;
        java.util.Arrays.fill(ipv6ExtOffsets, -1);
        srcPort = dstPort = tcpFlags = tcpFlagsWide = tcpSeq = tcpAck = tcpWindow = tcpUrgent = 0;
        tcpHeaderLength = tcpOptionsOffset = tcpOptionsLength = 0;
        tcpMss = tcpWindowScale = -1;
        tcpSackPermitted = false;
        tcpSackOffset = tcpTimestampOffset = -1;
        icmpType = icmpCode = -1;
        icmpId = icmpSeq = 0;
        icmpError = false;
        icmpInnerOffset = -1;
        payloadOffset = 0;
        payloadLength = 0;
        dropReason = DropReason.NONE;
        l4Problem = DropReason.NONE;
    }

    public PacketDescriptor() {
        reset();
    }
}
