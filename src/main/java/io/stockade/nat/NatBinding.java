package io.stockade.nat;

import io.stockade.conntrack.Conn;
import io.stockade.conntrack.ConntrackTable;
import io.stockade.conntrack.IcmpTracker;
import io.stockade.packet.Jhash;
import io.stockade.rules.Hook;
import java.util.concurrent.ThreadLocalRandom;

/**
 * NAT bindings ({@code nf_nat_core.c}): {@link #setup} is {@code nf_nat_setup_info}, which the
 * SNAT/DNAT/MASQUERADE/REDIRECT/NETMAP targets call with their range on the first packet of a
 * connection. It picks a new tuple for the connection — keep the original if it is in range and
 * free, else the address {@code find_best_ips_proto} hashes to, then a free port
 * ({@code nf_nat_l4proto_unique_tuple}) — and rewrites the entry's reply tuple, so that replies
 * find the entry. {@link #nullBinding} is what a NAT hook does when no rule bound the connection.
 * The packet rewrite itself is {@link NatRewrite}.
 *
 * <p>Runs once per new connection (it may allocate a little then); never on established packets.
 */
public final class NatBinding {
    /** enum nf_nat_manip_type. */
    public static final int MANIP_SRC = 0;
    public static final int MANIP_DST = 1;

    // NF_NAT_RANGE_* flags (include/uapi/linux/netfilter/nf_nat.h).
    public static final int RANGE_MAP_IPS = 1;
    public static final int RANGE_PROTO_SPECIFIED = 2;
    public static final int RANGE_PROTO_RANDOM = 4;
    public static final int RANGE_PERSISTENT = 8;
    public static final int RANGE_PROTO_RANDOM_FULLY = 16;
    public static final int RANGE_PROTO_OFFSET = 32;
    public static final int RANGE_NETMAP = 64;
    public static final int RANGE_PROTO_RANDOM_ALL = RANGE_PROTO_RANDOM | RANGE_PROTO_RANDOM_FULLY;

    /** NF_NAT_MAX_ATTEMPTS. */
    private static final int MAX_ATTEMPTS = 128;

    private NatBinding() {
    }

    /** HOOK2MANIP: source NAT in POSTROUTING and INPUT, destination NAT in PREROUTING and OUTPUT. */
    public static int manipOf(Hook hook) {
        return hook == Hook.POSTROUTING || hook == Hook.INPUT ? MANIP_SRC : MANIP_DST;
    }

    /** nf_nat_initialized: the binding for {@code manip} is settled. */
    public static boolean initialized(Conn ct, int manip) {
        return (ct.status & (manip == MANIP_SRC ? Conn.IPS_SRC_NAT_DONE : Conn.IPS_DST_NAT_DONE)) != 0;
    }

    /** A tuple being chosen (only while binding a new connection). */
    private static final class T {
        int ver, proto, zone;
        long sHi, sLo, dHi, dLo;
        int sp, dp;

        T copy() {
            T t = new T();
            t.ver = ver;
            t.proto = proto;
            t.zone = zone;
            t.sHi = sHi;
            t.sLo = sLo;
            t.dHi = dHi;
            t.dLo = dLo;
            t.sp = sp;
            t.dp = dp;
            return t;
        }

        boolean same(T o) {
            return sHi == o.sHi && sLo == o.sLo && dHi == o.dHi && dLo == o.dLo && sp == o.sp && dp == o.dp;
        }
    }

    private static boolean icmp(int proto) {
        return proto == 1 || proto == 58;
    }

    /** The inverse of the entry's reply tuple: the original tuple as earlier manips left it. */
    private static T current(Conn ct) {
        T t = new T();
        t.ver = ct.ipVersion;
        t.proto = ct.protocol;
        t.zone = ct.zone;
        t.sHi = ct.replyDstHi;
        t.sLo = ct.replyDstLo;
        t.dHi = ct.replySrcHi;
        t.dLo = ct.replySrcLo;
        if (icmp(t.proto)) {
            t.sp = ct.replySrcPort;
            int inv = IcmpTracker.invertType(t.proto, ct.replyDstPort >>> 8);
            t.dp = (inv < 0 ? ct.replyDstPort >>> 8 : inv) << 8 | (ct.replyDstPort & 0xff);
        } else {
            t.sp = ct.replyDstPort;
            t.dp = ct.replySrcPort;
        }
        return t;
    }

    /** nf_nat_used_tuple: would the reply of {@code t} collide with another entry? */
    private static boolean used(ConntrackTable table, Conn ct, T t) {
        if (table == null) {
            return false;
        }
        int rsp;
        int rdp;
        if (icmp(t.proto)) {
            int inv = IcmpTracker.invertType(t.proto, t.dp >>> 8);
            if (inv < 0) {
                return false;
            }
            rsp = t.sp;
            rdp = inv << 8 | (t.dp & 0xff);
        } else {
            rsp = t.dp;
            rdp = t.sp;
        }
        return table.tupleTaken(ct, t.ver, t.proto, t.zone, t.dHi, t.dLo, t.sHi, t.sLo, rsp, rdp);
    }

    private static int cmpAddr(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /** Protocols with ports in the conntrack tuple (DCCP has none since Linux 6.16, see ConntrackTable). */
    private static boolean hasPorts(int proto) {
        return proto == 6 || proto == 17 || proto == 132 || proto == 136;
    }

    /** l4proto_in_range. */
    private static boolean l4InRange(T t, int manip, int minPort, int maxPort) {
        int key;
        if (icmp(t.proto)) {
            key = t.sp;
        } else if (hasPorts(t.proto)) {
            key = manip == MANIP_SRC ? t.sp : t.dp;
        } else {
            return true;
        }
        return key >= minPort && key <= maxPort;
    }

    /**
     * nf_nat_setup_info: binds {@code ct} (not yet confirmed) for {@code manip} within the range;
     * returns false where the kernel answers NF_DROP. Addresses use the two-long layout.
     */
    public static boolean setup(Conn ct, int manip, int flags, long minHi, long minLo, long maxHi, long maxLo,
            int minPort, int maxPort, int basePort) {
        if (ct.isConfirmed() || ct.isTemplate()) {
            return true;
        }
        ConntrackTable table = ct.table();
        T curr = current(ct);
        T tuple = uniqueTuple(table, ct, curr, manip, flags, minHi, minLo, maxHi, maxLo, minPort, maxPort, basePort);
        if (!tuple.same(curr)) {
            // nf_conntrack_alter_reply: replies are the inverse of the new tuple.
            ct.replySrcHi = tuple.dHi;
            ct.replySrcLo = tuple.dLo;
            ct.replyDstHi = tuple.sHi;
            ct.replyDstLo = tuple.sLo;
            if (icmp(tuple.proto)) {
                int inv = IcmpTracker.invertType(tuple.proto, tuple.dp >>> 8);
                ct.replySrcPort = tuple.sp;
                ct.replyDstPort = (inv < 0 ? tuple.dp >>> 8 : inv) << 8 | (tuple.dp & 0xff);
            } else {
                ct.replySrcPort = tuple.dp;
                ct.replyDstPort = tuple.sp;
            }
            ct.status |= manip == MANIP_SRC ? Conn.IPS_SRC_NAT : Conn.IPS_DST_NAT;
        }
        if (manip == MANIP_SRC && table != null) {
            table.addBySource(ct);
        }
        ct.status |= manip == MANIP_SRC ? Conn.IPS_SRC_NAT_DONE : Conn.IPS_DST_NAT_DONE;
        return true;
    }

    /**
     * nf_nat_alloc_null_binding: the hook's NAT table did not bind the connection; bind it to its
     * own address (which may still move the port when the tuple is taken).
     */
    public static boolean nullBinding(Conn ct, Hook hook) {
        int manip = manipOf(hook);
        long hi = manip == MANIP_SRC ? ct.replyDstHi : ct.replySrcHi;
        long lo = manip == MANIP_SRC ? ct.replyDstLo : ct.replySrcLo;
        return setup(ct, manip, RANGE_MAP_IPS, hi, lo, hi, lo, 0, 0, 0);
    }

    /**
     * find_appropriate_src: another connection from the same source address and port already has
     * a source mapping; reuse it (with this connection's destination) if it lies in the range.
     */
    private static T appropriateSrc(ConntrackTable table, T orig, int flags, long minHi, long minLo, long maxHi,
            long maxLo, int minPort, int maxPort) {
        if (table == null) {
            return null;
        }
        for (Conn other : table.bySource(orig.ver, orig.proto, orig.zone, orig.sHi, orig.sLo, orig.sp)) {
            T r = current(other); // the inverse of its reply tuple: its mapped source
            r.dHi = orig.dHi;
            r.dLo = orig.dLo;
            r.dp = orig.dp;
            boolean in = (flags & RANGE_MAP_IPS) == 0
                    || (cmpAddr(r.sHi, r.sLo, minHi, minLo) >= 0 && cmpAddr(r.sHi, r.sLo, maxHi, maxLo) <= 0);
            if (in && ((flags & RANGE_PROTO_SPECIFIED) == 0 || l4InRange(r, MANIP_SRC, minPort, maxPort))) {
                return r;
            }
        }
        return null;
    }

    /** get_unique_tuple. */
    private static T uniqueTuple(ConntrackTable table, Conn ct, T orig, int manip, int flags, long minHi,
            long minLo, long maxHi, long maxLo, int minPort, int maxPort, int basePort) {
        if (manip == MANIP_SRC && (flags & RANGE_PROTO_RANDOM_ALL) == 0) {
            boolean inRange = (flags & RANGE_MAP_IPS) == 0
                    || (cmpAddr(orig.sHi, orig.sLo, minHi, minLo) >= 0 && cmpAddr(orig.sHi, orig.sLo, maxHi, maxLo) <= 0);
            if (inRange && (flags & RANGE_PROTO_SPECIFIED) != 0) {
                inRange = l4InRange(orig, MANIP_SRC, minPort, maxPort);
            }
            if (inRange) {
                if (!used(table, ct, orig)) {
                    return orig.copy();
                }
            } else {
                T found = appropriateSrc(table, orig, flags, minHi, minLo, maxHi, maxLo, minPort, maxPort);
                if (found != null && !used(table, ct, found)) {
                    return found;
                }
            }
        }
        T tuple = orig.copy();
        bestIps(tuple, manip, flags, minHi, minLo, maxHi, maxLo);
        if ((flags & RANGE_PROTO_RANDOM_ALL) == 0) {
            if ((flags & RANGE_PROTO_SPECIFIED) != 0) {
                if ((flags & RANGE_PROTO_OFFSET) == 0 && l4InRange(tuple, manip, minPort, maxPort)
                        && (minPort == maxPort || !used(table, ct, tuple))) {
                    return tuple;
                }
            } else if (!used(table, ct, tuple)) {
                return tuple;
            }
        }
        uniqueL4(table, ct, tuple, manip, flags, minPort, maxPort, basePort);
        return tuple;
    }

    private static int word(long hi, long lo, int i) {
        return switch (i) {
            case 0 -> (int) (hi >>> 32);
            case 1 -> (int) hi;
            case 2 -> (int) (lo >>> 32);
            default -> (int) lo;
        };
    }

    /** find_best_ips_proto: hash the source (and destination) onto the address range. */
    private static void bestIps(T t, int manip, int flags, long minHi, long minLo, long maxHi, long maxLo) {
        if ((flags & RANGE_MAP_IPS) == 0) {
            return;
        }
        boolean src = manip == MANIP_SRC;
        if (minHi == maxHi && minLo == maxLo) {
            if (src) {
                t.sHi = minHi;
                t.sLo = minLo;
            } else {
                t.dHi = minHi;
                t.dLo = minLo;
            }
            return;
        }
        boolean v4 = t.ver == 4;
        int max = v4 ? 0 : 3;
        // Addresses as the kernel's u32 words: IPv4 in word 0, IPv6 in words 0..3.
        int[] sw = v4 ? new int[] {(int) t.sLo, 0, 0, 0}
                : new int[] {word(t.sHi, t.sLo, 0), word(t.sHi, t.sLo, 1), word(t.sHi, t.sLo, 2), word(t.sHi, t.sLo, 3)};
        int[] dw = v4 ? new int[] {(int) t.dLo, 0, 0, 0}
                : new int[] {word(t.dHi, t.dLo, 0), word(t.dHi, t.dLo, 1), word(t.dHi, t.dLo, 2), word(t.dHi, t.dLo, 3)};
        int[] minw = v4 ? new int[] {(int) minLo} : new int[] {word(minHi, minLo, 0), word(minHi, minLo, 1),
            word(minHi, minLo, 2), word(minHi, minLo, 3)};
        int[] maxw = v4 ? new int[] {(int) maxLo} : new int[] {word(maxHi, maxLo, 0), word(maxHi, maxLo, 1),
            word(maxHi, maxLo, 2), word(maxHi, maxLo, 3)};
        boolean persistent = (flags & RANGE_PERSISTENT) != 0;
        int j = Jhash.fourWords(Jhash.le(sw[0]), Jhash.le(sw[1]), Jhash.le(sw[2]), Jhash.le(sw[3]),
                persistent ? 0 : Jhash.le(dw[max]) ^ t.zone);
        int[] var = src ? sw : dw;
        boolean full = false;
        for (int i = 0; i <= max; i++) {
            int minip;
            int dist;
            if (!full) {
                minip = minw[i];
                dist = maxw[i] - minip + 1;
            } else {
                minip = 0;
                dist = ~0;
            }
            var[i] = minip + Jhash.scale(j, dist);
            if (var[i] != maxw[i]) {
                full = true;
            }
            if (!persistent) {
                j ^= Jhash.le(dw[i]);
            }
        }
        long hi = v4 ? 0 : ((long) var[0] << 32) | (var[1] & 0xffffffffL);
        long lo = v4 ? var[0] & 0xffffffffL : ((long) var[2] << 32) | (var[3] & 0xffffffffL);
        if (src) {
            t.sHi = hi;
            t.sLo = lo;
        } else {
            t.dHi = hi;
            t.dLo = lo;
        }
    }

    /** nf_nat_l4proto_unique_tuple: move the port (or ICMP id) until the tuple is free. */
    // LINUX-DIFF: get_random_u16() comes from ThreadLocalRandom.
    private static void uniqueL4(ConntrackTable table, Conn ct, T t, int manip, int flags, int minPort,
            int maxPort, int basePort) {
        boolean useSrc;
        int min;
        int rangeSize;
        boolean specified = (flags & RANGE_PROTO_SPECIFIED) != 0;
        if (icmp(t.proto)) {
            useSrc = true;
            if (!specified) {
                min = 0;
                rangeSize = 65536;
            } else {
                min = minPort;
                rangeSize = maxPort - minPort + 1;
            }
        } else if (hasPorts(t.proto)) {
            useSrc = manip == MANIP_SRC;
            int key = useSrc ? t.sp : t.dp;
            if (!specified) {
                if (manip == MANIP_DST) {
                    return;
                }
                if (key < 1024) {
                    if (key < 512) {
                        min = 1;
                        rangeSize = 511;
                    } else {
                        min = 600;
                        rangeSize = 1023 - 600 + 1;
                    }
                } else {
                    min = 1024;
                    rangeSize = 65535 - 1024 + 1;
                }
            } else {
                min = minPort;
                rangeSize = maxPort - minPort + 1;
            }
        } else {
            return;
        }
        if (rangeSize <= 0) {
            return;
        }
        int key = useSrc ? t.sp : t.dp;
        int off;
        if ((flags & RANGE_PROTO_OFFSET) != 0) {
            off = (key - basePort) & 0xffff;
        } else if ((flags & RANGE_PROTO_RANDOM_ALL) != 0 || manip != MANIP_DST) {
            off = ThreadLocalRandom.current().nextInt(65536);
        } else {
            off = 0;
        }
        int attempts = Math.min(rangeSize, MAX_ATTEMPTS);
        while (true) {
            for (int i = 0; i < attempts; i++, off = (off + 1) & 0xffff) {
                int v = min + off % rangeSize;
                if (useSrc) {
                    t.sp = v;
                } else {
                    t.dp = v;
                }
                if (!used(table, ct, t)) {
                    return;
                }
            }
            if (attempts >= rangeSize || attempts < 16) {
                return;
            }
            attempts /= 2;
            off = ThreadLocalRandom.current().nextInt(65536);
        }
    }
}
