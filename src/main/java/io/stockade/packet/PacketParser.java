package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Parses one IP packet into a {@link PacketDescriptor} (pf's {@code pf_setup_pdesc}): the IP
 * header, IPv4 options flag, the IPv6 extension-header chain, fragments, and the transport header
 * (TCP with options, UDP/UDP-Lite, SCTP/DCCP ports, ICMP/ICMPv6 type/code/id and the offset of the
 * packet an ICMP error quotes). One parser per worker (it holds reusable header views); not
 * thread-safe; allocation-free and exception-free per packet.
 *
 * <p>Return value: {@code false} when the IP layer is unusable — Linux drops such a packet in
 * {@code ip_rcv_core()}/{@code ipv6_rcv()} before netfilter, or (IPv6) an extension header chain
 * {@code ipv6_find_hdr()} cannot walk — with {@link PacketDescriptor#dropReason} saying why.
 * {@code true} otherwise; then a missing or malformed transport header is
 * {@link PacketDescriptor#l4Problem}, not a drop: {@code SHORT_L4} (nothing of L4 filled),
 * {@code BAD_TCP_OFFSET} / {@code BAD_UDP_LENGTH} (ports and flags filled from the fixed header).
 *
 * <p>Checksums are not checked here: {@link Checksum#verifyIpv4Header} is what {@code ip_rcv}
 * does before PREROUTING, {@link Checksum#verifyL4} what conntrack does at PRE_ROUTING with
 * {@code nf_conntrack_checksum=1}; the caller decides where each applies.
 */
public final class PacketParser {
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_DCCP = 33;
    public static final int PROTO_ESP = 50;
    public static final int PROTO_AH = 51;
    public static final int PROTO_ICMPV6 = 58;
    public static final int PROTO_SCTP = 132;
    public static final int PROTO_UDPLITE = 136;

    private final Ipv4 ip4 = new Ipv4();
    private final Ipv6 ip6 = new Ipv6();
    private final Tcp tcp = new Tcp();
    private final Udp udp = new Udp();
    private final Icmp icmp = new Icmp();

    /**
     * Parses a whole packet: {@code length} bytes at {@code offset} in {@code data}, IP header
     * first (trailing link-layer padding beyond the IP total length is allowed and ignored).
     */
    public boolean parse(PacketDescriptor pd, MemorySegment data, long offset, int length) {
        return parse(pd, data, offset, length, length);
    }

    /**
     * Parses a captured packet of which only {@code captured} of {@code original} bytes are
     * present (pcap snap length). The IP total length is checked against {@code original}; when
     * the capture is shorter, {@link PacketDescriptor#truncated} is set and headers are read as
     * far as the captured bytes go (a transport header cut by the snap length is {@code SHORT_L4}).
     */
    public boolean parse(PacketDescriptor pd, MemorySegment data, long offset, int captured, int original) {
        // LINUX-DIFF: the kernel always holds whole packets; a capture cut by its snap length is
        // parsed as far as the bytes go (pd.truncated) instead of being dropped as too short.
        return parseAt(pd, data, offset, captured, original, false);
    }

    /**
     * Parses the packet quoted by the ICMP/ICMPv6 error in {@code outer} into {@code inner}, as
     * conntrack's {@code icmp_error_message()} does: the quote is usually truncated, so the IP total
     * length may exceed the bytes present ({@code truncated}), and ports are read from the first 4
     * transport bytes (ICMP type/code/id from the first 8). The inner IP version must be the
     * outer one. Returns false (with {@code inner.dropReason}) when there is no usable quote.
     */
    public boolean parseInner(PacketDescriptor outer, PacketDescriptor inner) {
        if (outer.icmpInnerOffset < 0) {
            inner.reset();
            inner.dropReason = DropReason.SHORT;
            return false;
        }
        int avail = outer.length - outer.icmpInnerOffset;
        if (!parseAt(inner, outer.data, outer.icmpInnerOffset, avail, Integer.MAX_VALUE, true)) {
            return false;
        }
        if (inner.ipVersion != outer.ipVersion) {
            inner.dropReason = DropReason.BAD_VERSION;
            return false;
        }
        return true;
    }

    private boolean parseAt(PacketDescriptor pd, MemorySegment data, long offset, int captured, int original,
            boolean quote) {
        pd.reset();
        pd.data = data;
        pd.base = offset;
        if (offset < 0 || captured < 0 || offset + captured > Integer.MAX_VALUE) {
            return drop(pd, DropReason.OUT_OF_RANGE);
        }
        if (captured == 0 || offset + captured > data.byteSize()) {
            return drop(pd, DropReason.SHORT);
        }
        int version = Wire.u8(data, offset) >>> 4;
        if (version == 4) {
            return ipv4(pd, data, offset, captured, original, quote);
        }
        if (version == 6) {
            return ipv6(pd, data, offset, captured, original, quote);
        }
        return drop(pd, DropReason.BAD_VERSION);
    }

    private static boolean drop(PacketDescriptor pd, DropReason r) {
        pd.dropReason = r;
        return false;
    }

    private boolean ipv4(PacketDescriptor pd, MemorySegment data, long off, int captured, int original,
            boolean quote) {
        Ipv4 h = ip4.wrap(data, off, captured);
        if (captured < Ipv4.MIN_HEADER_LENGTH) {
            return drop(pd, DropReason.SHORT);
        }
        int hl = h.headerLength();
        if (hl < Ipv4.MIN_HEADER_LENGTH) {
            return drop(pd, DropReason.BAD_HEADER_LENGTH);
        }
        if (captured < hl) {
            return drop(pd, DropReason.SHORT);
        }
        int tl = h.totalLength();
        if (tl < hl || (!quote && tl > original)) {
            return drop(pd, DropReason.BAD_TOTAL_LENGTH);
        }
        // Options are flagged (hasIpOptions) here and processed after PREROUTING and the input
        // route, as Linux's ip_rcv_options does (engine.Ipv4Options).
        pd.ipVersion = 4;
        pd.ipTotalLength = tl;
        pd.length = (int) (off + Math.min(tl, captured));
        pd.truncated = tl > captured;
        pd.l3HeaderLength = hl;
        pd.hasIpOptions = hl > Ipv4.MIN_HEADER_LENGTH;
        pd.tos = h.tos();
        pd.ttl = h.ttl();
        pd.ipId = h.id();
        int ff = h.flagsFrag();
        pd.dontFragment = (ff & Ipv4.FLAG_DF) != 0;
        pd.moreFragments = (ff & Ipv4.FLAG_MF) != 0;
        pd.reservedFlag = (ff & Ipv4.FLAG_RESERVED) != 0;
        pd.fragOffset = (ff & Ipv4.FRAG_OFFSET_MASK) << 3;
        pd.isFragment = pd.moreFragments || pd.fragOffset != 0;
        pd.protocol = h.protocol();
        pd.srcLo = h.src();
        pd.dstLo = h.dst();
        if (pd.fragOffset != 0) {
            pd.payloadOffset = (int) (off + hl);
            pd.payloadLength = tl - hl;
            return true;
        }
        pd.l4Offset = (int) (off + hl);
        transport(pd, data, tl - hl, quote);
        return true;
    }

    private boolean ipv6(PacketDescriptor pd, MemorySegment data, long off, int captured, int original,
            boolean quote) {
        Ipv6 h = ip6.wrap(data, off, captured);
        if (captured < Ipv6.HEADER_LENGTH) {
            return drop(pd, DropReason.SHORT);
        }
        int tl = Ipv6.HEADER_LENGTH + h.payloadLength();
        if (!quote && tl > original) {
            return drop(pd, DropReason.BAD_TOTAL_LENGTH);
        }
        pd.ipVersion = 6;
        pd.ipTotalLength = tl;
        pd.length = (int) (off + Math.min(tl, captured));
        pd.truncated = tl > captured;
        pd.tos = h.trafficClass();
        pd.flowLabel = h.flowLabel();
        pd.ttl = h.hopLimit();
        pd.srcHi = h.srcHi();
        pd.srcLo = h.srcLo();
        pd.dstHi = h.dstHi();
        pd.dstLo = h.dstLo();
        h.wrap(data, off, pd.validBytes());
        DropReason r = h.walkExtensions(pd);
        if (r != DropReason.NONE) {
            return drop(pd, r);
        }
        if (pd.l4Offset < 0) {
            pd.payloadOffset = (int) (off + pd.l3HeaderLength);
            pd.payloadLength = tl - pd.l3HeaderLength;
            return true;
        }
        transport(pd, data, tl - pd.l3HeaderLength, quote);
        return true;
    }

    /** Fills the transport facts; {@code ipPayload} is the L4 length by the IP header. */
    private void transport(PacketDescriptor pd, MemorySegment data, int ipPayload, boolean quote) {
        int l4 = pd.l4Offset;
        int avail = pd.length - l4;
        pd.payloadOffset = l4;
        pd.payloadLength = ipPayload;
        switch (pd.protocol) {
            case PROTO_TCP -> tcp(pd, data, l4, avail, ipPayload, quote);
            case PROTO_UDP, PROTO_UDPLITE -> {
                if (quote ? avail < 4 : udp.wrap(data, l4, avail).check() != DropReason.NONE) {
                    pd.l4Problem = DropReason.SHORT_L4;
                    return;
                }
                ports(pd, data, l4);
                if (quote) {
                    return;
                }
                pd.payloadOffset = l4 + Udp.HEADER_LENGTH;
                pd.payloadLength = ipPayload - Udp.HEADER_LENGTH;
                if (pd.protocol == PROTO_UDP) {
                    pd.l4Problem = udp.checkLength(ipPayload);
                }
            }
            case PROTO_SCTP, PROTO_DCCP -> {
                int need = quote ? 4 : 12;
                if (avail < need) {
                    pd.l4Problem = DropReason.SHORT_L4;
                    return;
                }
                ports(pd, data, l4);
                if (!quote) {
                    int hl = pd.protocol == PROTO_SCTP ? 12 : (Wire.u8(data, l4 + 4) << 2);
                    pd.payloadOffset = l4 + hl;
                    pd.payloadLength = ipPayload - hl;
                }
            }
            case PROTO_ICMP -> {
                if (pd.ipVersion == 4) {
                    icmp(pd, data, l4, avail, ipPayload, true);
                }
            }
            case PROTO_ICMPV6 -> {
                if (pd.ipVersion == 6) {
                    icmp(pd, data, l4, avail, ipPayload, false);
                }
            }
            default -> {
            }
        }
    }

    private static void ports(PacketDescriptor pd, MemorySegment data, int l4) {
        pd.srcPort = Wire.u16(data, l4);
        pd.dstPort = Wire.u16(data, l4 + 2);
    }

    private void tcp(PacketDescriptor pd, MemorySegment data, int l4, int avail, int ipPayload, boolean quote) {
        if (quote) {
            if (avail < 4) {
                pd.l4Problem = DropReason.SHORT_L4;
                return;
            }
            ports(pd, data, l4);
            if (avail >= 8) {
                pd.tcpSeq = Wire.i32(data, l4 + Tcp.SEQ_OFFSET);
            }
            return;
        }
        Tcp t = tcp.wrap(data, l4, avail);
        if (avail < Tcp.MIN_HEADER_LENGTH) {
            pd.l4Problem = DropReason.SHORT_L4;
            return;
        }
        pd.srcPort = t.srcPort();
        pd.dstPort = t.dstPort();
        pd.tcpSeq = t.seq();
        pd.tcpAck = t.ack();
        pd.tcpFlags = t.flags();
        pd.tcpFlagsWide = t.flagsWide();
        pd.tcpWindow = t.window();
        pd.tcpUrgent = t.urgent();
        int hl = t.headerLength();
        pd.tcpHeaderLength = hl;
        if (hl < Tcp.MIN_HEADER_LENGTH || hl > ipPayload) {
            pd.l4Problem = DropReason.BAD_TCP_OFFSET;
            return;
        }
        if (hl > avail) {
            // Options cut by the capture's snap length.
            pd.l4Problem = DropReason.SHORT_L4;
            return;
        }
        pd.payloadOffset = l4 + hl;
        pd.payloadLength = ipPayload - hl;
        pd.tcpOptionsOffset = l4 + Tcp.OPTIONS_OFFSET;
        pd.tcpOptionsLength = hl - Tcp.OPTIONS_OFFSET;
        if (pd.tcpOptionsLength > 0) {
            Tcp.parseOptions(data, pd);
        }
    }

    private void icmp(PacketDescriptor pd, MemorySegment data, int l4, int avail, int ipPayload, boolean v4) {
        Icmp c = icmp.wrap(data, l4, avail);
        if (c.check() != DropReason.NONE) {
            pd.l4Problem = DropReason.SHORT_L4;
            return;
        }
        int type = c.type();
        pd.icmpType = type;
        pd.icmpCode = c.code();
        if (v4 ? Icmp.hasId(type) : Icmpv6.hasId(type)) {
            pd.icmpId = c.id();
            pd.icmpSeq = c.seq();
        }
        pd.payloadOffset = l4 + Icmp.HEADER_LENGTH;
        pd.payloadLength = ipPayload - Icmp.HEADER_LENGTH;
        if (v4 ? Icmp.isError(type) : Icmpv6.isError(type)) {
            pd.icmpError = true;
            if (avail > Icmp.HEADER_LENGTH) {
                pd.icmpInnerOffset = l4 + Icmp.QUOTE_OFFSET;
            }
        }
    }
}
