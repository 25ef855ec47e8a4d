package io.stockade.conntrack;

import io.stockade.packet.Wire;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * ICMP and ICMPv6 tracking ({@code nf_conntrack_proto_icmp.c}, {@code _icmpv6.c}). Queries (echo,
 * timestamp, info, address mask; ICMPv6 echo and node information) form entries keyed by id,
 * 30 s each. Errors (destination unreachable, source quench, redirect, time exceeded, parameter
 * problem; ICMPv6 types below 128) carry the offending packet: its tuple is inverted and looked
 * up, and the error is RELATED to that entry — or INVALID when there is none, or when the outer
 * destination is not the inner source. ICMPv6 MLD and neighbour discovery (130–136, 143) are
 * UNTRACKED. Per packet: no allocation.
 */
public final class IcmpTracker {
    static final int INVALID = 0, CONTINUE = 1, DONE = 2;

    private IcmpTracker() {
    }

    /** The reply type of a query type, or -1 (nf_ct_invert_tuple fails). */
    public static int invertType(int proto, int type) {
        if (proto == 1) {
            return switch (type) {
                case 8 -> 0;
                case 0 -> 8;
                case 13 -> 14;
                case 14 -> 13;
                case 15 -> 16;
                case 16 -> 15;
                case 17 -> 18;
                case 18 -> 17;
                default -> -1;
            };
        }
        return switch (type) {
            case 128 -> 129;
            case 129 -> 128;
            case 139 -> 140;
            case 140 -> 139;
            default -> -1;
        };
    }

    private static boolean isErrorV4(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    private static boolean untrackedV6(int type) {
        return (type >= 130 && type <= 136) || type == 143;
    }

    /** nf_conntrack_icmpv4_error / icmpv6_error: INVALID, CONTINUE (track normally) or DONE (skb set). */
    static int error(ConntrackTable t, Skb skb, int zone, boolean pre) {
        PacketDescriptor pd = skb.pd;
        int l4 = pd.l4Offset;
        if (l4 + 8 > pd.length) {
            t.stats.inc(CtStats.TRUNCATED);
            return INVALID;
        }
        if (pre && t.cfg.checksum && !L4Checksum.ok(pd)) {
            t.stats.inc(CtStats.BAD_CHECKSUM);
            return INVALID;
        }
        int type = Wire.u8(pd.data, l4);
        if (pd.protocol == 1) {
            if (type > 18) {
                t.stats.inc(CtStats.ICMP_TYPE);
                return INVALID;
            }
            if (!isErrorV4(type)) {
                return CONTINUE;
            }
        } else {
            if (untrackedV6(type)) {
                skb.conn = null;
                skb.ctinfo = Conn.IP_CT_UNTRACKED;
                skb.ctStateBits = Conn.STATE_UNTRACKED;
                return DONE;
            }
            if (type >= 128) {
                return CONTINUE;
            }
        }
        return inetError(t, skb, zone, l4 + 8);
    }

    /** nf_conntrack_inet_error: the quoted packet at {@code off}. */
    private static int inetError(ConntrackTable t, Skb skb, int zone, int off) {
        PacketDescriptor pd = skb.pd;
        MemorySegment s = pd.data;
        int limit = pd.length;
        int ver = pd.ipVersion;
        int proto;
        int l4;
        long sHi = 0, sLo, dHi = 0, dLo;
        if (ver == 4) {
            if (off + 20 > limit || Wire.u8(s, off) >>> 4 != 4) {
                t.stats.inc(CtStats.TRUNCATED);
                return INVALID;
            }
            int ihl = (Wire.u8(s, off) & 0x0f) * 4;
            if ((Wire.u16(s, off + 6) & 0x1fff) != 0) {
                t.stats.inc(CtStats.FRAGMENT);
                return INVALID;
            }
            proto = Wire.u8(s, off + 9);
            sLo = Wire.i32(s, off + 12) & 0xffffffffL;
            dLo = Wire.i32(s, off + 16) & 0xffffffffL;
            l4 = off + ihl;
        } else {
            if (off + 40 > limit || Wire.u8(s, off) >>> 4 != 6) {
                t.stats.inc(CtStats.TRUNCATED);
                return INVALID;
            }
            sHi = Wire.i64(s, off + 8);
            sLo = Wire.i64(s, off + 16);
            dHi = Wire.i64(s, off + 24);
            dLo = Wire.i64(s, off + 32);
            long r = skipIpv6Ext(s, off + 40, Wire.u8(s, off + 6), limit);
            if (r < 0) {
                t.stats.inc(CtStats.TRUNCATED);
                return INVALID;
            }
            proto = (int) (r >>> 32);
            l4 = (int) r;
        }
        int sp = 0, dp = 0;
        if (ConntrackTable.hasPorts(proto)) {
            if (l4 + 8 > limit) {
                t.stats.inc(CtStats.TRUNCATED);
                return INVALID;
            }
            sp = Wire.u16(s, l4);
            dp = Wire.u16(s, l4 + 2);
        } else if (proto == 1 || proto == 58) {
            if (l4 + 8 > limit) {
                t.stats.inc(CtStats.TRUNCATED);
                return INVALID;
            }
            sp = Wire.u16(s, l4 + 4);
            dp = Wire.u8(s, l4) << 8 | Wire.u8(s, l4 + 1);
        }
        // Invert the inner tuple: it describes a packet that went the other way.
        t.kVer = ver;
        t.kProto = proto;
        t.kZone = zone;
        t.kSrcHi = dHi;
        t.kSrcLo = dLo;
        t.kDstHi = sHi;
        t.kDstLo = sLo;
        if (proto == 1 || proto == 58) {
            int inv = invertType(proto, dp >>> 8);
            if (inv < 0) {
                t.stats.inc(CtStats.ICMP_CANT_INVERT);
                return INVALID;
            }
            t.kSp = sp;
            t.kDp = inv << 8 | (dp & 0xff);
        } else {
            t.kSp = dp;
            t.kDp = sp;
        }
        Conn ct = t.lookup(skb.timeNanos);
        if (ct == null) {
            t.stats.inc(CtStats.ICMP_ERROR_NO_CONN);
            return INVALID;
        }
        int dir = t.lookupDir();
        if (ct.dstHi(dir) != pd.dstHi || ct.dstLo(dir) != pd.dstLo) {
            t.stats.inc(CtStats.ICMP_ERROR_ADDRESS);
            return INVALID;
        }
        int ctinfo = Conn.IP_CT_RELATED + (dir == Conn.DIR_REPLY ? Conn.IP_CT_IS_REPLY : 0);
        skb.conn = ct;
        skb.ctinfo = ctinfo;
        skb.ctStateBits = Conn.stateBit(ctinfo);
        return DONE;
    }

    /** ipv6_skip_exthdr: (protocol << 32 | offset) of the transport header, or -1. */
    public static long skipIpv6Ext(MemorySegment s, int off, int next, int limit) {
        for (int n = 0; n < 16; n++) {
            switch (next) {
                case 0, 43, 60 -> {
                    if (off + 8 > limit) {
                        return -1;
                    }
                    int nh = Wire.u8(s, off);
                    off += (Wire.u8(s, off + 1) + 1) * 8;
                    next = nh;
                }
                case 51 -> {
                    if (off + 8 > limit) {
                        return -1;
                    }
                    int nh = Wire.u8(s, off);
                    off += (Wire.u8(s, off + 1) + 2) * 4;
                    next = nh;
                }
                case 44 -> {
                    if (off + 8 > limit) {
                        return -1;
                    }
                    if ((Wire.u16(s, off + 2) & 0xfff8) != 0) {
                        return -1;
                    }
                    next = Wire.u8(s, off);
                    off += 8;
                }
                default -> {
                    return (long) next << 32 | off;
                }
            }
        }
        return -1;
    }

    /** nf_conntrack_icmp_packet / icmpv6_packet. */
    static int packet(ConntrackTable t, Conn ct, PacketDescriptor pd, int ctinfo, long now) {
        int type = ct.origDstPort >>> 8;
        if (ct.protocol == 1) {
            if (!(type == 8 || type == 13 || type == 15 || type == 17)) {
                t.stats.inc(CtStats.ICMP_NOT_NEW);
                return TcpTracker.INVALID;
            }
            t.refresh(ct, ctinfo, pd, t.cfg.icmpTimeout, now);
        } else {
            if (!ct.isConfirmed() && !(type == 128 || type == 139)) {
                t.stats.inc(CtStats.ICMP_NOT_NEW);
                return TcpTracker.INVALID;
            }
            t.refresh(ct, ctinfo, pd, t.cfg.icmpv6Timeout, now);
        }
        return TcpTracker.ACCEPT;
    }
}
