package io.stockade.packet;

/**
 * In-place header rewrites of a parsed packet with incremental checksum updates (RFC 1624), as
 * the kernel's NAT ({@code nf_nat_ipv4_manip_pkt}, {@code inet_proto_csum_replace4/16}) and the
 * TTL/HL/TOS/DSCP targets do: the bytes, the IPv4 header checksum, the transport checksum (its
 * pseudo-header covers the addresses) and the descriptor's fields change together. Allocation-free
 * and exception-free; the packet bytes must be writable (copy a read-only capture mapping first).
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

    private static void ipv4Address(PacketDescriptor pd, int fieldOffset, long now) {
        long at = pd.base + fieldOffset;
        int old = Wire.i32(pd.data, at);
        int nv = (int) now;
        Wire.put32(pd.data, at, nv);
        long ck = pd.base + Ipv4.CHECKSUM_OFFSET;
        Wire.put16(pd.data, ck, Checksum.update32(Wire.u16(pd.data, ck), old, nv));
        int l4 = l4ChecksumAt(pd, true);
        if (l4 >= 0) {
            storeL4(pd, l4, Checksum.update32(Wire.u16(pd.data, l4), old, nv));
        }
    }

    /** Rewrites the IPv4 source address (unsigned 32 bits). */
    public static void setIpv4Src(PacketDescriptor pd, long addr) {
        ipv4Address(pd, Ipv4.SRC_ADDR_OFFSET, addr);
        pd.srcLo = addr & 0xffffffffL;
    }

    /** Rewrites the IPv4 destination address. */
    public static void setIpv4Dst(PacketDescriptor pd, long addr) {
        ipv4Address(pd, Ipv4.DST_ADDR_OFFSET, addr);
        pd.dstLo = addr & 0xffffffffL;
    }

    private static void ipv6Address(PacketDescriptor pd, int fieldOffset, long hi, long lo) {
        long at = pd.base + fieldOffset;
        long oh = Wire.i64(pd.data, at);
        long ol = Wire.i64(pd.data, at + 8);
        Wire.put64(pd.data, at, hi);
        Wire.put64(pd.data, at + 8, lo);
        int l4 = l4ChecksumAt(pd, true);
        if (l4 >= 0) {
            storeL4(pd, l4, Checksum.update128(Wire.u16(pd.data, l4), oh, ol, hi, lo));
        }
    }

    public static void setIpv6Src(PacketDescriptor pd, long hi, long lo) {
        ipv6Address(pd, Ipv6.SRC_ADDR_OFFSET, hi, lo);
        pd.srcHi = hi;
        pd.srcLo = lo;
    }

    public static void setIpv6Dst(PacketDescriptor pd, long hi, long lo) {
        ipv6Address(pd, Ipv6.DST_ADDR_OFFSET, hi, lo);
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
        long at = pd.l4Offset + fieldOffset;
        int old = Wire.u16(pd.data, at);
        Wire.put16(pd.data, at, port);
        // SCTP's CRC32c and DCCP's checksum are not updated here (no incremental form / not needed).
        int l4 = pd.protocol == PacketParser.PROTO_SCTP || pd.protocol == PacketParser.PROTO_DCCP
                ? -1 : l4ChecksumAt(pd, false);
        if (l4 >= 0) {
            storeL4(pd, l4, Checksum.update16(Wire.u16(pd.data, l4), old, port));
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
        long at = pd.l4Offset + Icmp.ID_OFFSET;
        int old = Wire.u16(pd.data, at);
        Wire.put16(pd.data, at, id);
        long ck = pd.l4Offset + Icmp.CHECKSUM_OFFSET;
        Wire.put16(pd.data, ck, Checksum.update16(Wire.u16(pd.data, ck), old, id));
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
