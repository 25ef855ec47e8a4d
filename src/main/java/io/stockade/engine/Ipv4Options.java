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
 * midnight (UTC), its address slot as record route's. As in Linux, the header checksum is
 * recomputed only by {@link #forwarded} (a locally delivered packet, and the packet an ICMP error
 * quotes, keep the stale one), and the rewrites made before a bad option stay.
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
                    rr = i;
                    skb.ipOptRecordRoute = i;
                    if (ptr <= optlen && write) {
                        // ip_options_compile with a route: our address facing the sender
                        // (spec_dst) in the free slot; a forwarded packet gets the outgoing one
                        // after FORWARD (forwarded()).
                        put32(s, base + i + ptr - 1, (int) specDst(host, skb, route));
                        s.set(ValueLayout.JAVA_BYTE, base + i + 2, (byte) (ptr + 4));
                        skb.ipOptRecordRoute = i | 0x100;
                        changed = true;
                    }
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
                    int kind = flags & 0xf;
                    skb.ipOptTimestamp = i | (ptr > optlen ? 0 : kind == 0 ? 0x200 : kind == 1 ? 0x300
                            : kind == 3 && host.isLocalAddress(4, 0, u32(s, base + i + ptr - 1), "") ? 0x200 : 0);
                    if (write) {
                        changed |= timestamp(host, skb, s, base + i, route);
                    }
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
                    skb.ipOptCipso = i;
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
        // is_changed: the checksum is recomputed by ip_forward_options only; a packet delivered
        // locally keeps the stale one, as do the packets an ICMP error quotes.
        skb.ipOptChanged = changed;
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
        if (s == null || s.isReadOnly()) {
            return;
        }
        if (rr >= 0x100 && host.preferredSource(4, 0, pd.dstLo, skb.scratchAddr)) {
            long o = pd.base + (rr & 0xff);
            put32(s, o + u8(s, o + 2) - 5, (int) skb.scratchAddr[1]);
            skb.ipOptChanged = true;
        }
        if (skb.ipOptChanged) {
            skb.ipOptChanged = false;
            headerChecksum(s, pd.base, pd.l3HeaderLength);
        }
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
                // inet_addr_type(addr) == RTN_UNICAST: not one of ours, the slot is left for its owner.
                if (!host.isLocalAddress(4, 0, u32(s, o + ptr - 1), "")) {
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

    /**
     * __ip_options_echo + ip_options_build for an ICMP error about {@code skb}: the record-route,
     * timestamp and CIPSO options as compiled on receive, copied to {@code b} from {@code off}
     * with their pointers advanced past one more slot, filled with {@code src} (the error's
     * source) and the packet time, padded with end-of-list.
     *
     * @return the options' length (0 none), or -1 when they cannot be echoed (no error is sent)
     */
    static int echo(Skb skb, byte[] b, int off, long src) {
        int rr = skb.ipOptRecordRoute;
        int ts = skb.ipOptTimestamp;
        int cipso = skb.ipOptCipso;
        if (rr == 0 && ts == 0 && cipso == 0) {
            return 0;
        }
        MemorySegment s = skb.pd.data;
        long base = skb.pd.base;
        int n = off;
        if (rr != 0) {
            long o = base + (rr & 0xff);
            int optlen = u8(s, o + 1);
            int p = u8(s, o + 2);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, o, b, n, optlen);
            if ((rr & 0x100) != 0 && p <= optlen) {
                if (p + 3 > optlen) {
                    return -1;
                }
                b[n + 2] = (byte) (p + 4);
                putBytes(b, n + p + 4 - 5, (int) src);
            }
            n += optlen;
        }
        if (ts != 0) {
            long o = base + (ts & 0xff);
            int optlen = u8(s, o + 1);
            int p = u8(s, o + 2);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, o, b, n, optlen);
            if (p <= optlen) {
                boolean addr = false;
                boolean time = false;
                if ((ts & 0x100) != 0) {
                    if (p + 3 > optlen) {
                        return -1;
                    }
                    addr = true;
                    p += 4;
                }
                if ((ts & 0x200) != 0) {
                    if (p + 3 > optlen) {
                        return -1;
                    }
                    if ((b[n + 3] & 0xf) != 3) {
                        time = true;
                        p += 4;
                    } else if (p + 7 <= optlen && (skb.addressTypes.typeMask(4, 0, u32(s, o + p - 1), "") & AddressTypes.LOCAL) != 0) {
                        time = true;
                        p += 8;
                    }
                }
                b[n + 2] = (byte) p;
                if (addr) {
                    putBytes(b, n + p - 9, (int) src);
                }
                if (time) {
                    putBytes(b, n + p - 5, (int) Math.floorMod(skb.timeNanos / 1_000_000L, 86_400_000L));
                }
            }
            n += optlen;
        }
        if (cipso != 0) {
            long o = base + cipso;
            int optlen = u8(s, o + 1);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, o, b, n, optlen);
            n += optlen;
        }
        while (((n - off) & 3) != 0) {
            b[n++] = 0;
        }
        return n - off;
    }

    private static void putBytes(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static long u32(MemorySegment s, long off) {
        return ((long) u8(s, off) << 24) | (u8(s, off + 1) << 16) | (u8(s, off + 2) << 8) | u8(s, off + 3);
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
