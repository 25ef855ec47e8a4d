package io.stockade.nat;

import io.stockade.conntrack.Conn;
import io.stockade.conntrack.IcmpTracker;
import io.stockade.engine.Skb;
import io.stockade.packet.Checksum;
import io.stockade.packet.Icmp;
import io.stockade.packet.Icmpv6;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.PacketRewrite;
import io.stockade.packet.Wire;
import java.lang.foreign.MemorySegment;

/**
 * The per-packet half of NAT ({@code nf_nat_packet}, {@code nf_nat_manip_pkt},
 * {@code nf_nat_icmp_reply_translation}): a packet of a bound connection gets its source (SNAT
 * hooks) or destination (DNAT hooks) rewritten to the inverse of the other direction's tuple
 * (the byte rewrites and their incremental checksum updates are {@code packet.PacketRewrite}'s); an ICMP error RELATED to a NATed connection has its quoted packet translated back
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

    /**
     * Whether nf_nat_l4proto_manip_pkt has a case for {@code proto}: not DCCP, whose NAT (and
     * tracker) Linux 6.16 removed, so a NATed DCCP packet keeps its ports and checksum (its
     * conntrack tuple has no ports).
     */
    static boolean hasL4Manip(int proto) {
        return proto != 33;
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
        boolean src = manip == NatBinding.MANIP_SRC;
        boolean l4 = pd.l4Offset >= 0 && hasL4Manip(pd.protocol);
        if (l4) {
            PacketRewrite.manipTransport(pd.data, pd.ipVersion, pd.protocol, base, pd.l4Offset, end, src, hi, lo,
                    port, icmp(ct.protocol) ? ct.srcPort(o) : port);
        }
        PacketRewrite.manipAddress(pd.data, pd.ipVersion, base, src, hi, lo);
        if (manip == NatBinding.MANIP_SRC) {
            pd.srcHi = hi;
            pd.srcLo = lo;
            if (!icmp(pd.protocol) && l4) {
                pd.srcPort = port;
            }
        } else {
            pd.dstHi = hi;
            pd.dstLo = lo;
            if (!icmp(pd.protocol) && l4) {
                pd.dstPort = port;
            }
        }
        if (icmp(pd.protocol) && pd.l4Offset >= 0 && (pd.ipVersion == 6 ? Icmpv6.hasId(pd.icmpType) : Icmp.hasId(pd.icmpType))) {
            pd.icmpId = icmp(ct.protocol) ? ct.srcPort(o) : pd.icmpId;
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
        boolean innerSrc = innerManip == NatBinding.MANIP_SRC;
        if (hasL4Manip(innerProto)) {
            PacketRewrite.manipTransport(s, pd.ipVersion, innerProto, inner, innerL4, end, innerSrc, ihi, ilo, iport,
                    innerId);
        }
        PacketRewrite.manipAddress(s, pd.ipVersion, inner, innerSrc, ihi, ilo);
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
        PacketRewrite.manipAddress(s, pd.ipVersion, (int) pd.base, manip == NatBinding.MANIP_SRC, hi, lo);
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
