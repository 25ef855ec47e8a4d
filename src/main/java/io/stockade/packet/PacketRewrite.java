package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * In-place header rewrites of a parsed packet with incremental checksum updates (RFC 1624), as
 * the kernel's NAT ({@code nf_nat_ipv4_manip_pkt}, {@code inet_proto_csum_replace4/16}) and the
 * TTL/HL/TOS/DSCP targets do: the bytes, the IPv4 header checksum, the transport checksum (its
 * pseudo-header covers the addresses) and the descriptor's fields change together. Allocation-free
 * and exception-free; the packet bytes must be writable (copy a read-only capture mapping first).
 *
 * <p>{@link #manipAddress} and {@link #manipTransport} are the same rewrites on raw bytes at given
 * offsets, for NAT ({@code io.stockade.nat.NatRewrite}), which also rewrites the header an ICMP
 * error quotes.
 *
 * <p>Transport checksums: TCP, UDP-Lite and ICMPv6 are always updated; UDP only when its checksum
 * is not 0 ("none"), and a result of 0 is written as 0xffff ({@code CSUM_MANGLED_0}); ICMPv4 has
 * no pseudo-header. A later fragment carries no transport header and has nothing to update; a
 * checksum field beyond the captured bytes is left alone.
 */
public final class PacketRewrite {
    private PacketRewrite() {
    }

    /** Offset of the transport checksum field, or -1 when there is none to update. */
    private static int l4ChecksumAt(PacketDescriptor pd, boolean pseudoOnly) {
        if (pd.l4Offset < 0 || pd.l4Problem == DropReason.SHORT_L4) {
            return -1;
        }
        int at;
        switch (pd.protocol) {
            case PacketParser.PROTO_TCP -> at = pd.l4Offset + Tcp.CHECKSUM_OFFSET;
            case PacketParser.PROTO_UDP, PacketParser.PROTO_UDPLITE -> at = pd.l4Offset + Udp.CHECKSUM_OFFSET;
            case PacketParser.PROTO_ICMPV6 -> at = pd.l4Offset + Icmp.CHECKSUM_OFFSET;
            case PacketParser.PROTO_ICMP -> {
                if (pseudoOnly) {
                    return -1;
                }
                at = pd.l4Offset + Icmp.CHECKSUM_OFFSET;
            }
            default -> {
                return -1;
            }
        }
        if (at + 2 > pd.length) {
            return -1;
        }
        if (pd.protocol == PacketParser.PROTO_UDP && Wire.u16(pd.data, at) == 0) {
            return -1;
        }
        return at;
    }

    private static void storeL4(PacketDescriptor pd, int at, int check) {
        if (check == 0 && pd.protocol == PacketParser.PROTO_UDP) {
            check = 0xffff;
        }
        Wire.put16(pd.data, at, check);
    }

    // ---------------------------------------------------------------- on raw bytes (NAT, quoted headers)

    /**
     * The kernel's l3proto {@code manip_pkt}: writes the source ({@code src}) or destination
     * address of the IP header at {@code l3}, updating the IPv4 header checksum. Call
     * {@link #manipTransport} first: its pseudo-header update reads the old address.
     */
    public static void manipAddress(MemorySegment s, int ver, int l3, boolean src, long hi, long lo) {
        if (ver == 4) {
            int at = l3 + (src ? Ipv4.SRC_ADDR_OFFSET : Ipv4.DST_ADDR_OFFSET);
            int old = Wire.i32(s, at);
            int now = (int) lo;
            Wire.put32(s, at, now);
            int ck = l3 + Ipv4.CHECKSUM_OFFSET;
            Wire.put16(s, ck, Checksum.update32(Wire.u16(s, ck), old, now));
        } else {
            int at = l3 + (src ? Ipv6.SRC_ADDR_OFFSET : Ipv6.DST_ADDR_OFFSET);
            Wire.put64(s, at, hi);
            Wire.put64(s, at + 8, lo);
        }
    }

    /** Updates the transport checksum at {@code ck} for the coming address change (pseudo-header). */
    private static void pseudo(MemorySegment s, int ver, int l3, boolean src, int ck, long hi, long lo) {
        int check = Wire.u16(s, ck);
        int now;
        if (ver == 4) {
            int old = Wire.i32(s, l3 + (src ? Ipv4.SRC_ADDR_OFFSET : Ipv4.DST_ADDR_OFFSET));
            now = Checksum.update32(check, old, (int) lo);
        } else {
            int a = l3 + (src ? Ipv6.SRC_ADDR_OFFSET : Ipv6.DST_ADDR_OFFSET);
            now = Checksum.update128(check, Wire.i64(s, a), Wire.i64(s, a + 8), hi, lo);
        }
        Wire.put16(s, ck, now);
    }

    /** Writes the 16-bit field at {@code at} and updates the checksum at {@code ck} (UDP: 0 is sent as 0xffff). */
    private static void replace16(MemorySegment s, int at, int ck, int value, boolean udp) {
        int old = Wire.u16(s, at);
        Wire.put16(s, at, value);
        int c = Checksum.update16(Wire.u16(s, ck), old, value);
        Wire.put16(s, ck, udp && c == 0 ? 0xffff : c);
    }

    /**
     * The kernel's l4proto {@code manip_pkt} for an address change to ({@code hi}, {@code lo}) of
     * the source ({@code src}) or destination: the port (TCP, UDP, UDP-Lite, DCCP, SCTP) or the
     * ICMP/ICMPv6 query id becomes {@code port}/{@code icmpId}, and the transport checksum follows
     * (pseudo-header and field; UDP without checksum stays without). {@code end} bounds the bytes
     * present: an ICMP error's quoted header may hold only 8, and then no checksum is touched.
     * Call before {@link #manipAddress}.
     */
    public static void manipTransport(MemorySegment s, int ver, int proto, int l3, int l4, int end, boolean src,
            long hi, long lo, int port, int icmpId) {
        int portAt = l4 + (src ? 0 : 2);
        switch (proto) {
            case PacketParser.PROTO_TCP -> {
                if (l4 + 8 > end) {
                    return;
                }
                int ck = l4 + Tcp.CHECKSUM_OFFSET;
                if (l4 + 20 > end) {
                    Wire.put16(s, portAt, port); // a quoted header: the checksum is beyond the 8 bytes we have
                    return;
                }
                pseudo(s, ver, l3, src, ck, hi, lo);
                replace16(s, portAt, ck, port, false);
            }
            case PacketParser.PROTO_UDP, PacketParser.PROTO_UDPLITE, PacketParser.PROTO_DCCP -> {
                if (l4 + 8 > end) {
                    return;
                }
                int ck = l4 + Udp.CHECKSUM_OFFSET; // DCCP's checksum is at the same offset
                if (proto == PacketParser.PROTO_UDP && Wire.u16(s, ck) == 0) {
                    Wire.put16(s, portAt, port);
                    return;
                }
                pseudo(s, ver, l3, src, ck, hi, lo);
                replace16(s, portAt, ck, port, proto == PacketParser.PROTO_UDP);
            }
            case PacketParser.PROTO_SCTP -> {
                if (l4 + 4 > end) {
                    return;
                }
                Wire.put16(s, portAt, port);
                // sctp_manip_pkt: the CRC32c is computed anew from the header to the end of the
                // buffer (for a quoted header that is the end of the ICMP error, as in Linux)
                if (l4 + 12 <= end) {
                    s.set(Wire.LE32, l4 + 8, Crc32c.sctp(s, l4, end));
                }
            }
            case PacketParser.PROTO_ICMP -> {
                if (l4 + 8 > end || !Icmp.hasId(Wire.u8(s, l4))) {
                    return;
                }
                replace16(s, l4 + Icmp.ID_OFFSET, l4 + Icmp.CHECKSUM_OFFSET, icmpId, false);
            }
            case PacketParser.PROTO_ICMPV6 -> {
                if (l4 + 8 > end) {
                    return;
                }
                pseudo(s, ver, l3, src, l4 + Icmp.CHECKSUM_OFFSET, hi, lo);
                if (Icmpv6.hasId(Wire.u8(s, l4))) {
                    replace16(s, l4 + Icmp.ID_OFFSET, l4 + Icmp.CHECKSUM_OFFSET, icmpId, false);
                }
            }
            default -> {
            }
        }
    }

    // ---------------------------------------------------------------- on a parsed packet

    private static void ipv4Address(PacketDescriptor pd, boolean src, long now) {
        int l4 = l4ChecksumAt(pd, true);
        if (l4 >= 0) {
            pseudo(pd.data, 4, (int) pd.base, src, l4, 0, now);
            storeL4(pd, l4, Wire.u16(pd.data, l4));
        }
        manipAddress(pd.data, 4, (int) pd.base, src, 0, now);
    }

    /** Rewrites the IPv4 source address (unsigned 32 bits). */
    public static void setIpv4Src(PacketDescriptor pd, long addr) {
        ipv4Address(pd, true, addr);
        pd.srcLo = addr & 0xffffffffL;
    }

    /** Rewrites the IPv4 destination address. */
    public static void setIpv4Dst(PacketDescriptor pd, long addr) {
        ipv4Address(pd, false, addr);
        pd.dstLo = addr & 0xffffffffL;
    }

    private static void ipv6Address(PacketDescriptor pd, boolean src, long hi, long lo) {
        int l4 = l4ChecksumAt(pd, true);
        if (l4 >= 0) {
            pseudo(pd.data, 6, (int) pd.base, src, l4, hi, lo);
            storeL4(pd, l4, Wire.u16(pd.data, l4));
        }
        manipAddress(pd.data, 6, (int) pd.base, src, hi, lo);
    }

    public static void setIpv6Src(PacketDescriptor pd, long hi, long lo) {
        ipv6Address(pd, true, hi, lo);
        pd.srcHi = hi;
        pd.srcLo = lo;
    }

    public static void setIpv6Dst(PacketDescriptor pd, long hi, long lo) {
        ipv6Address(pd, false, hi, lo);
        pd.dstHi = hi;
        pd.dstLo = lo;
    }

    private static boolean hasPorts(PacketDescriptor pd) {
        int p = pd.protocol;
        return pd.l4Offset >= 0 && pd.l4Problem != DropReason.SHORT_L4 && (p == PacketParser.PROTO_TCP
                || p == PacketParser.PROTO_UDP || p == PacketParser.PROTO_UDPLITE
                || p == PacketParser.PROTO_SCTP || p == PacketParser.PROTO_DCCP);
    }

    private static void port(PacketDescriptor pd, int fieldOffset, int port) {
        int at = pd.l4Offset + fieldOffset;
        // SCTP's CRC32c and DCCP's checksum are not updated here (no incremental form / not needed).
        int l4 = pd.protocol == PacketParser.PROTO_SCTP || pd.protocol == PacketParser.PROTO_DCCP
                ? -1 : l4ChecksumAt(pd, false);
        if (l4 >= 0) {
            replace16(pd.data, at, l4, port, pd.protocol == PacketParser.PROTO_UDP);
        } else {
            Wire.put16(pd.data, at, port);
        }
    }

    /** Rewrites the transport source port (TCP/UDP/UDP-Lite; SCTP/DCCP without checksum update). */
    public static boolean setSrcPort(PacketDescriptor pd, int port) {
        if (!hasPorts(pd)) {
            return false;
        }
        port(pd, 0, port);
        pd.srcPort = port;
        return true;
    }

    /** Rewrites the transport destination port; false when the packet has no ports to rewrite. */
    public static boolean setDstPort(PacketDescriptor pd, int port) {
        if (!hasPorts(pd)) {
            return false;
        }
        port(pd, 2, port);
        pd.dstPort = port;
        return true;
    }

    /** Rewrites the ICMP/ICMPv6 echo identifier (NAT of queries); false when not a query with an id. */
    public static boolean setIcmpId(PacketDescriptor pd, int id) {
        boolean v6 = pd.ipVersion == 6;
        if (pd.icmpType < 0 || !(v6 ? Icmpv6.hasId(pd.icmpType) : Icmp.hasId(pd.icmpType))) {
            return false;
        }
        replace16(pd.data, pd.l4Offset + Icmp.ID_OFFSET, pd.l4Offset + Icmp.CHECKSUM_OFFSET, id, false);
        pd.icmpId = id;
        return true;
    }

    /** Sets the IPv4 TTL (header checksum updated) or the IPv6 hop limit. */
    public static void setTtl(PacketDescriptor pd, int ttl) {
        if (pd.ipVersion == 6) {
            Wire.put8(pd.data, pd.base + Ipv6.HOP_LIMIT_OFFSET, ttl);
        } else {
            long word = pd.base + Ipv4.TTL_OFFSET;
            int old = Wire.u16(pd.data, word);
            Wire.put8(pd.data, word, ttl);
            long ck = pd.base + Ipv4.CHECKSUM_OFFSET;
            Wire.put16(pd.data, ck, Checksum.update16(Wire.u16(pd.data, ck), old, Wire.u16(pd.data, word)));
        }
        pd.ttl = ttl & 0xff;
    }

    /** Sets the IPv4 TOS byte (header checksum updated) or the IPv6 traffic class. */
    public static void setTos(PacketDescriptor pd, int tos) {
        if (pd.ipVersion == 6) {
            int w = Wire.i32(pd.data, pd.base);
            Wire.put32(pd.data, pd.base, (w & 0xf00fffff) | ((tos & 0xff) << 20));
        } else {
            long word = pd.base;
            int old = Wire.u16(pd.data, word);
            Wire.put8(pd.data, word + Ipv4.TOS_OFFSET, tos);
            long ck = pd.base + Ipv4.CHECKSUM_OFFSET;
            Wire.put16(pd.data, ck, Checksum.update16(Wire.u16(pd.data, ck), old, Wire.u16(pd.data, word)));
        }
        pd.tos = tos & 0xff;
    }
}
