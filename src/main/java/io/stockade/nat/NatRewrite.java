package io.stockade.nat;

import io.stockade.conntrack.Conn;
import io.stockade.conntrack.IcmpTracker;
import io.stockade.engine.Skb;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import java.lang.foreign.MemorySegment;

/**
 * The per-packet half of NAT ({@code nf_nat_packet}, {@code nf_nat_manip_pkt},
 * {@code nf_nat_icmp_reply_translation}): a packet of a bound connection gets its source (SNAT
 * hooks) or destination (DNAT hooks) rewritten to the inverse of the other direction's tuple, with
 * incremental checksum updates (RFC 1624) of the IPv4 header and the TCP/UDP/UDP-Lite/DCCP/ICMP
 * checksums; an ICMP error RELATED to a NATed connection has its quoted packet translated back
 * and its checksum recomputed. The descriptor's address and port fields follow the bytes.
 *
 * <p>Call {@link #packet} at each NAT hook after the binding is settled (rules or
 * {@link NatBinding#nullBinding}). Per packet: no allocation; {@code pd.data} must be writable.
 */
public final class NatRewrite {
    private NatRewrite() {
    }

    private static boolean icmp(int proto) {
        return proto == 1 || proto == 58;
    }

    /** nf_nat_packet (or the ICMP error translation) for {@code skb} at its hook; false = drop. */
    public static boolean packet(Skb skb) {
        Conn ct = skb.conn;
        if (ct == null || ct.isTemplate()) {
            return true;
        }
        PacketDescriptor pd = skb.pd;
        int ctinfo = skb.ctinfo;
        int manip = NatBinding.manipOf(skb.hook);
        int dir = ctinfo >= Conn.IP_CT_IS_REPLY ? 1 : 0;
        if ((ctinfo == Conn.IP_CT_RELATED || ctinfo == Conn.IP_CT_RELATED_REPLY) && icmp(pd.protocol)
                && pd.l4Offset >= 0) {
            return icmpReplyTranslation(pd, ct, dir, manip);
        }
        int statusBit = manip == NatBinding.MANIP_SRC ? Conn.IPS_SRC_NAT : Conn.IPS_DST_NAT;
        if (dir == Conn.DIR_REPLY) {
            statusBit ^= Conn.IPS_NAT_MASK;
        }
        if ((ct.status & statusBit) != 0) {
            manipOuter(pd, ct, manip, dir);
        }
        return true;
    }

    /** nf_nat_manip_pkt: rewrite to the inverse of the other direction's tuple. */
    private static void manipOuter(PacketDescriptor pd, Conn ct, int manip, int dir) {
        int o = 1 - dir;
        long hi;
        long lo;
        int port;
        if (manip == NatBinding.MANIP_SRC) {
            hi = ct.dstHi(o);
            lo = ct.dstLo(o);
            port = icmp(ct.protocol) ? ct.srcPort(o) : ct.dstPort(o);
        } else {
            hi = ct.srcHi(o);
            lo = ct.srcLo(o);
            port = ct.srcPort(o);
        }
        int base = (int) pd.base;
        int end = (int) Math.min(pd.length, pd.base + pd.ipTotalLength);
        if (pd.l4Offset >= 0) {
            manipL4(pd.data, pd.ipVersion, pd.protocol, base, pd.l4Offset, end, manip, hi, lo, port,
                    icmp(ct.protocol) ? ct.srcPort(o) : port);
        }
        manipL3(pd.data, pd.ipVersion, base, manip, hi, lo);
        if (manip == NatBinding.MANIP_SRC) {
            pd.srcHi = hi;
            pd.srcLo = lo;
            if (!icmp(pd.protocol) && pd.l4Offset >= 0) {
                pd.srcPort = port;
            }
        } else {
            pd.dstHi = hi;
            pd.dstLo = lo;
            if (!icmp(pd.protocol) && pd.l4Offset >= 0) {
                pd.dstPort = port;
            }
        }
        if (icmp(pd.protocol) && pd.l4Offset >= 0 && isQuery(pd.protocol, pd.icmpType)) {
            pd.icmpId = icmp(ct.protocol) ? ct.srcPort(o) : pd.icmpId;
        }
    }

    private static boolean isQuery(int proto, int type) {
        if (proto == 1) {
            return type == 0 || type == 8 || (type >= 13 && type <= 18);
        }
        return type == 128 || type == 129;
    }

    /** Writes the new address into the IP header at {@code l3} (IPv4 header checksum updated). */
    private static void manipL3(MemorySegment s, int ver, int l3, int manip, long hi, long lo) {
        if (ver == 4) {
            int at = l3 + (manip == NatBinding.MANIP_SRC ? 12 : 16);
            int old = Wire.i32(s, at);
            int now = (int) lo;
            Wire.put32(s, at, now);
            int check = Wire.u16(s, l3 + 10);
            Wire.put16(s, l3 + 10, Checksum.update32(check, old, now));
        } else {
            int at = l3 + (manip == NatBinding.MANIP_SRC ? 8 : 24);
            Wire.put64(s, at, hi);
            Wire.put64(s, at + 8, lo);
        }
    }

    /** Updates a transport checksum at {@code at} for the address change (pseudo-header). */
    private static void pseudo(MemorySegment s, int ver, int l3, int manip, int at, long hi, long lo) {
        int check = Wire.u16(s, at);
        int now;
        if (ver == 4) {
            int old = Wire.i32(s, l3 + (manip == NatBinding.MANIP_SRC ? 12 : 16));
            now = Checksum.update32(check, old, (int) lo);
        } else {
            int a = l3 + (manip == NatBinding.MANIP_SRC ? 8 : 24);
            now = Checksum.update128(check, Wire.i64(s, a), Wire.i64(s, a + 8), hi, lo);
        }
        Wire.put16(s, at, now);
    }

    /**
     * The transport part of the manip (before the addresses change: the pseudo-header update reads
     * the old address). {@code end} bounds the bytes present (an ICMP quote holds only 8).
     */
    private static void manipL4(MemorySegment s, int ver, int proto, int l3, int l4, int end, int manip, long hi,
            long lo, int port, int icmpId) {
        switch (proto) {
            case 6 -> {
                if (l4 + 8 > end) {
                    return;
                }
                int at = l4 + (manip == NatBinding.MANIP_SRC ? 0 : 2);
                int old = Wire.u16(s, at);
                Wire.put16(s, at, port);
                if (l4 + 20 > end) {
                    return; // a quoted header: the checksum is beyond the 8 bytes we have
                }
                pseudo(s, ver, l3, manip, l4 + 16, hi, lo);
                Wire.put16(s, l4 + 16, Checksum.update16(Wire.u16(s, l4 + 16), old, port));
            }
            case 17, 136, 33 -> {
                if (l4 + 8 > end) {
                    return;
                }
                int at = l4 + (manip == NatBinding.MANIP_SRC ? 0 : 2);
                int old = Wire.u16(s, at);
                Wire.put16(s, at, port);
                int ck = l4 + 6;
                boolean doCsum = proto != 17 || Wire.u16(s, ck) != 0;
                if (doCsum) {
                    pseudo(s, ver, l3, manip, ck, hi, lo);
                    int c = Checksum.update16(Wire.u16(s, ck), old, port);
                    if (proto == 17 && c == 0) {
                        c = 0xffff;
                    }
                    Wire.put16(s, ck, c);
                }
            }
            case 132 -> {
                if (l4 + 4 > end) {
                    return;
                }
                // LINUX-DIFF: the SCTP CRC32c is not recomputed after the port change.
                Wire.put16(s, l4 + (manip == NatBinding.MANIP_SRC ? 0 : 2), port);
            }
            case 1 -> {
                if (l4 + 8 > end || !isQuery(1, Wire.u8(s, l4))) {
                    return;
                }
                int old = Wire.u16(s, l4 + 4);
                Wire.put16(s, l4 + 4, icmpId);
                Wire.put16(s, l4 + 2, Checksum.update16(Wire.u16(s, l4 + 2), old, icmpId));
            }
            case 58 -> {
                if (l4 + 8 > end) {
                    return;
                }
                pseudo(s, ver, l3, manip, l4 + 2, hi, lo);
                if (isQuery(58, Wire.u8(s, l4))) {
                    int old = Wire.u16(s, l4 + 4);
                    Wire.put16(s, l4 + 4, icmpId);
                    Wire.put16(s, l4 + 2, Checksum.update16(Wire.u16(s, l4 + 2), old, icmpId));
                }
            }
            default -> {
            }
        }
    }

    /** nf_nat_icmp_reply_translation / nf_nat_icmpv6_reply_translation; false = drop. */
    private static boolean icmpReplyTranslation(PacketDescriptor pd, Conn ct, int dir, int manip) {
        MemorySegment s = pd.data;
        int l4 = pd.l4Offset;
        int end = (int) Math.min(pd.length, pd.base + pd.ipTotalLength);
        if (pd.ipVersion == 4 && pd.icmpType == 5) {
            if ((ct.status & Conn.IPS_NAT_DONE_MASK) != Conn.IPS_NAT_DONE_MASK || (ct.status & Conn.IPS_NAT_MASK) != 0) {
                return false;
            }
        }
        int statusBit = manip == NatBinding.MANIP_SRC ? Conn.IPS_SRC_NAT : Conn.IPS_DST_NAT;
        if (dir == Conn.DIR_REPLY) {
            statusBit ^= Conn.IPS_NAT_MASK;
        }
        if ((ct.status & statusBit) == 0) {
            return true;
        }
        // The translation rewrites more than a field: the current checksum must be right first.
        if (!pd.truncated) {
            long acc = Checksum.sum(s, l4, end - l4, 0);
            if (pd.ipVersion == 6) {
                acc += Checksum.pseudoIpv6(pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, 58, end - l4);
            }
            if (Checksum.fold(acc) != 0xffff) {
                return false;
            }
        }
        int o = 1 - dir;
        int inner = l4 + 8;
        if (inner + (pd.ipVersion == 4 ? 20 : 40) > end) {
            return false;
        }
        // The quoted packet went the other way: apply the opposite manip with tuple[!dir] itself.
        int innerManip = 1 - manip;
        long ihi;
        long ilo;
        int iport;
        if (innerManip == NatBinding.MANIP_SRC) {
            ihi = ct.srcHi(o);
            ilo = ct.srcLo(o);
            iport = ct.srcPort(o);
        } else {
            ihi = ct.dstHi(o);
            ilo = ct.dstLo(o);
            iport = icmp(ct.protocol) ? ct.srcPort(o) : ct.dstPort(o);
        }
        int innerL4;
        int innerProto;
        if (pd.ipVersion == 4) {
            innerL4 = inner + (Wire.u8(s, inner) & 0x0f) * 4;
            innerProto = Wire.u8(s, inner + 9);
        } else {
            long r = IcmpTracker.skipIpv6Ext(s, inner + 40, Wire.u8(s, inner + 6), end);
            if (r < 0) {
                return false;
            }
            innerProto = (int) (r >>> 32);
            innerL4 = (int) r;
        }
        int innerId = icmp(ct.protocol) ? ct.srcPort(o) : iport;
        manipL4(s, pd.ipVersion, innerProto, inner, innerL4, end, innerManip, ihi, ilo, iport, innerId);
        manipL3(s, pd.ipVersion, inner, innerManip, ihi, ilo);
        // Outer: look like the reply to an incoming packet.
        long hi;
        long lo;
        if (manip == NatBinding.MANIP_SRC) {
            hi = ct.dstHi(o);
            lo = ct.dstLo(o);
        } else {
            hi = ct.srcHi(o);
            lo = ct.srcLo(o);
        }
        manipL3(s, pd.ipVersion, (int) pd.base, manip, hi, lo);
        if (manip == NatBinding.MANIP_SRC) {
            pd.srcHi = hi;
            pd.srcLo = lo;
        } else {
            pd.dstHi = hi;
            pd.dstLo = lo;
        }
        // Recompute the ICMP checksum over the whole message (the kernel does after the inner manip).
        if (!pd.truncated) {
            Wire.put16(s, l4 + 2, 0);
            long acc = Checksum.sum(s, l4, end - l4, 0);
            if (pd.ipVersion == 6) {
                acc += Checksum.pseudoIpv6(pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, 58, end - l4);
            }
            Wire.put16(s, l4 + 2, Checksum.finish(acc));
        }
        return true;
    }
}
