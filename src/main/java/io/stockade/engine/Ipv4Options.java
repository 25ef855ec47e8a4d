package io.stockade.engine;

import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ip_rcv_options for a received IPv4 header with options, after PREROUTING and the input route
 * lookup: ip_options_compile's checks (a bad option is answered by the caller with ICMP parameter
 * problem pointing at the bad byte), the source-route refusal of accept_source_route=0, and the
 * rewrites Linux makes on the way: the bytes after an end-of-list option zeroed, a full
 * timestamp option's overflow counter incremented, the free record-route slot filled with our
 * address facing the sender (then, after FORWARD, with the outgoing address: {@link #forwarded},
 * ip_forward_options), the free timestamp slot with the packet time in milliseconds since
 * midnight (UTC), its address slot as record route's. The header checksum is recomputed when a
 * byte changed.
 *
 * <p>Per packet, no allocation; a read-only packet is checked but not rewritten.
 */
final class Ipv4Options {
    /** {@link #receive} result: the packet carries LSRR/SSRR and accept_source_route is 0. */
    static final int SOURCE_ROUTED = -1;

    private static final int LSRR = 131;
    private static final int SSRR = 137;
    private static final int RR = 7;
    private static final int TS = 68;
    private static final int RA = 148;
    private static final int CIPSO = 134;

    private Ipv4Options() {
    }

    /**
     * @param route the input route: -1 local delivery, else the route the packet is forwarded along
     * @return 0 to go on, {@link #SOURCE_ROUTED} to drop silently, else the offset of the bad byte
     *         from the start of the IP header (the parameter problem's pointer)
     */
    static int receive(HostModel host, Skb skb, int route) {
        PacketDescriptor pd = skb.pd;
        MemorySegment s = pd.data;
        long base = pd.base;
        int hl = pd.l3HeaderLength;
        boolean write = s != null && !s.isReadOnly();
        boolean changed = false;
        int srr = 0;
        int rr = 0;
        int ts = 0;
        int cipso = 0;
        int i = 20;
        while (i < hl) {
            int type = u8(s, base + i);
            if (type == 0) {
                for (int j = i + 1; j < hl; j++) {
                    if (u8(s, base + j) != 0 && write) {
                        s.set(ValueLayout.JAVA_BYTE, base + j, (byte) 0);
                        changed = true;
                    }
                }
                break;
            }
            if (type == 1) {
                i++;
                continue;
            }
            int l = hl - i;
            int optlen = l >= 2 ? u8(s, base + i + 1) : 0;
            if (optlen < 2 || optlen > l) {
                return i;
            }
            int ptr = optlen >= 3 ? u8(s, base + i + 2) : 0;
            switch (type) {
                case LSRR, SSRR -> {
                    if (optlen < 3) {
                        return i + 1;
                    }
                    if (ptr < 4) {
                        return i + 2;
                    }
                    if (srr != 0) {
                        return i;
                    }
                    srr = i;
                }
                case RR -> {
                    if (rr != 0) {
                        return i;
                    }
                    if (optlen < 3) {
                        return i + 1;
                    }
                    if (ptr < 4) {
                        return i + 2;
                    }
                    if (ptr <= optlen && ptr + 3 > optlen) {
                        return i + 2;
                    }
                    rr = ptr <= optlen ? i : -i;
                }
                case TS -> {
                    if (ts != 0) {
                        return i;
                    }
                    if (optlen < 4) {
                        return i + 1;
                    }
                    if (ptr < 5) {
                        return i + 2;
                    }
                    int flags = u8(s, base + i + 3);
                    if (ptr <= optlen) {
                        int kind = flags & 0xf;
                        if (ptr + 3 > optlen || ((kind == 1 || kind == 3) && ptr + 7 > optlen)) {
                            return i + 2;
                        }
                    } else if ((flags >>> 4) == 15) {
                        return i + 3;
                    }
                    ts = i;
                }
                case RA -> {
                    if (optlen < 4) {
                        return i + 1;
                    }
                }
                case CIPSO -> {
                    // LINUX-DIFF: cipso_v4_validate's checks of the CIPSO option's contents are not
                    // made; only a second CIPSO option is refused.
                    if (cipso != 0) {
                        return i;
                    }
                    cipso = i;
                }
                default -> {
                    // other options are accepted on receive (ip_options_compile with an skb)
                }
            }
            i += optlen;
        }
        if (srr != 0) {
            // IN_DEV_SOURCE_ROUTE: conf/all and the device's accept_source_route must both be set;
            // conf/all defaults to 0. LINUX-DIFF: the sysctl is not modelled; source-routed
            // packets are always dropped (ip_options_rcv_srr is never reached).
            return SOURCE_ROUTED;
        }
        if (write && ts != 0) {
            changed |= timestamp(host, skb, s, base + ts, route);
        }
        if (write && rr > 0) {
            // ip_options_compile with a route: our address facing the sender (spec_dst) in the
            // free slot; a forwarded packet gets the outgoing one later (forwarded()).
            int ptr = u8(s, base + rr + 2);
            put32(s, base + rr + ptr - 1, (int) specDst(host, skb, route));
            s.set(ValueLayout.JAVA_BYTE, base + rr + 2, (byte) (ptr + 4));
            skb.ipOptRecordRoute = rr;
            changed = true;
        }
        if (changed) {
            headerChecksum(s, base, hl);
        }
        return 0;
    }

    /**
     * ip_forward_options, after the FORWARD hook: the record-route slot filled on receive gets
     * the outgoing route's source address (ip_rt_get_source).
     */
    static void forwarded(HostModel host, Skb skb) {
        PacketDescriptor pd = skb.pd;
        MemorySegment s = pd.data;
        int rr = skb.ipOptRecordRoute;
        if (rr == 0 || s == null || s.isReadOnly() || !host.preferredSource(4, 0, pd.dstLo, skb.scratchAddr)) {
            return;
        }
        long o = pd.base + rr;
        put32(s, o + u8(s, o + 2) - 5, (int) skb.scratchAddr[1]);
        headerChecksum(s, pd.base, pd.l3HeaderLength);
    }

    /** fib_compute_spec_dst: the destination when delivered locally, else our address facing the sender. */
    private static long specDst(HostModel host, Skb skb, int route) {
        PacketDescriptor pd = skb.pd;
        return route < 0 ? pd.dstLo : host.preferredSource(4, 0, pd.srcLo, skb.scratchAddr) ? skb.scratchAddr[1] : 0;
    }

    private static void headerChecksum(MemorySegment s, long base, int hl) {
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, base + 10, (short) 0);
        int sum = ~Checksum.fold(Checksum.sum(s, base, hl, 0)) & 0xffff;
        s.set(ValueLayout.JAVA_BYTE, base + 10, (byte) (sum >>> 8));
        s.set(ValueLayout.JAVA_BYTE, base + 11, (byte) sum);
    }

    /** The timestamp option at {@code o}: a full one counts an overflow, else the slot is filled. */
    private static boolean timestamp(HostModel host, Skb skb, MemorySegment s, long o, int route) {
        int optlen = u8(s, o + 1);
        int ptr = u8(s, o + 2);
        int flags = u8(s, o + 3);
        if (ptr > optlen) {
            s.set(ValueLayout.JAVA_BYTE, o + 3, (byte) ((flags & 0xf) | (((flags >>> 4) + 1) << 4)));
            return true;
        }
        // LINUX-DIFF: the packet's time, where Linux reads the wall clock (ktime_get_real).
        long ms = Math.floorMod(skb.timeNanos / 1_000_000L, 86_400_000L);
        switch (flags & 0xf) {
            case 0 -> {
                put32(s, o + ptr - 1, (int) ms);
                s.set(ValueLayout.JAVA_BYTE, o + 2, (byte) (ptr + 4));
            }
            case 1 -> {
                put32(s, o + ptr - 1, (int) specDst(host, skb, route));
                put32(s, o + ptr + 3, (int) ms);
                s.set(ValueLayout.JAVA_BYTE, o + 2, (byte) (ptr + 8));
            }
            case 3 -> {
                long addr = u8(s, o + ptr - 1) << 24 | u8(s, o + ptr) << 16 | u8(s, o + ptr + 1) << 8 | u8(s, o + ptr + 2);
                // inet_addr_type(addr) == RTN_UNICAST: not one of ours, the slot is left for its owner.
                if (!host.isLocalAddress(4, 0, addr & 0xffffffffL, "")) {
                    return false;
                }
                put32(s, o + ptr + 3, (int) ms);
                s.set(ValueLayout.JAVA_BYTE, o + 2, (byte) (ptr + 8));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void put32(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) (v >>> 24));
        s.set(ValueLayout.JAVA_BYTE, off + 1, (byte) (v >>> 16));
        s.set(ValueLayout.JAVA_BYTE, off + 2, (byte) (v >>> 8));
        s.set(ValueLayout.JAVA_BYTE, off + 3, (byte) v);
    }

    private static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }
}
