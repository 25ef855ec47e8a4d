package io.stockade.engine;

import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The ICMP and ICMPv6 errors the host sends about a packet it holds, byte for byte as
 * {@code __icmp_send} (net/ipv4/icmp.c) and {@code icmp6_send} (net/ipv6/icmp.c) build them: the
 * routing code's time exceeded, fragmentation needed / packet too big and destination unreachable,
 * and REJECT's unreachables. The error is written to {@link Skb#scratch} and handed to the
 * {@link Emitter}; the engine then sends it through routing, OUTPUT and POSTROUTING and applies
 * the ICMP rate limits ({@link IcmpRateLimiter}). Allocation-free.
 *
 * <p>IPv4 ({@link #v4}): nothing about a packet that was not addressed to this host at the link
 * layer ({@code Skb.pktType}), sent to a broadcast or multicast address, a non-first fragment,
 * or an ICMP error (or an ICMP type above 18), nor when there is no route back to its source.
 * Header: TOS {@code (tos & 0x1e) | 0xc0}, no DF, TTL 64, source = the offending packet's
 * destination if that is a local address, else the host's preferred source towards the offending
 * packet's source. The ICMP data quotes the offending datagram from its IP header on, so that the
 * error is at most 576 bytes (or the MTU of the route back, if smaller); the header's second word
 * is {@code info} (the next-hop MTU for fragmentation needed). Without a host model (unit tests
 * of a target alone) the packet's own route MTU stands in for the route back, and its
 * destination for the preferred source.
 *
 * <p>IPv6 ({@link #v6}): nothing when the offending packet went to a multicast address or was
 * not for this host at the link layer (except packet too big, which is then sent from the
 * preferred source), came from the unspecified or a multicast address, or is an ICMPv6 error;
 * nothing without a route back. Traffic class 0, hop limit 64, source = the offending packet's
 * destination if local, else the sender's own address if that is local (RFC 6724 rule 1: an
 * error about a packet masqueraded on the way out), else an address of the interface it came in
 * on (of the sender's scope), else the preferred source towards the sender; the data quotes the offending packet up to 1280
 * bytes in all.
 *
 * <p>LINUX-DIFF: the IPv4 ID and the IPv6 flow label are hashes of the addresses and the time,
 * not Linux's salted counters; IP options of the offending packet are not echoed in the
 * error's own header (Linux: {@code __ip_options_echo}).
 */
public final class IcmpSend {
    /** Linux's default net.ipv4.ip_default_ttl and IPv6 hop_limit. */
    public static final int DEFAULT_TTL = 64;
    /** RFC 1812 limit icmp_send applies to the whole IPv4 error. */
    public static final int MAX_ICMP_ERROR = 576;
    /** IPV6_MIN_MTU: icmp6_send's limit for the whole IPv6 error. */
    public static final int IPV6_MIN_MTU = 1280;

    private static final int PROTO_ICMP = 1;
    private static final int PROTO_ICMPV6 = 58;
    private static final int NO_ROUTE_BACK = AddressTypes.BLACKHOLE | AddressTypes.UNREACHABLE | AddressTypes.PROHIBIT;

    private IcmpSend() {
    }

    /**
     * icmp_send(skb, type, code, info) for the IPv4 packet in {@code skb}.
     *
     * @return true if an error was handed to the emitter
     */
    public static boolean v4(Skb skb, int type, int code, int info, Emitter emitter) {
        PacketDescriptor pd = skb.pd;
        MemorySegment in = pd.data;
        if (pd.fragOffset != 0 || skb.pktType != 0 || broadcastDestination(skb)) {
            return false;
        }
        int base = (int) pd.base;
        int ihl = pd.l3HeaderLength;
        int total = Math.min(pd.ipTotalLength, pd.length - base);
        if (pd.protocol == PROTO_ICMP) {
            if (ihl >= total) {
                return false;
            }
            int inner = u8(in, base + ihl);
            if (inner > 18 || isIcmpError(inner)) {
                return false;
            }
        }
        AddressTypes at = skb.addressTypes;
        int room = MAX_ICMP_ERROR;
        if (skb.routeMtu > 0 && !(at instanceof HostModel)) {
            room = Math.min(room, skb.routeMtu);
        }
        if (at instanceof HostModel host) {
            int r = host.lookup(4, 0, pd.srcLo);
            if (r < 0 || (host.type(r) & NO_ROUTE_BACK) != 0) {
                return false;
            }
            int mtu = host.mtu(r);
            if (mtu > 0 && mtu < room) {
                room = mtu;
            }
        }
        long src = pd.dstLo;
        if ((at.typeMask(4, 0, pd.dstLo, "") & AddressTypes.LOCAL) == 0) {
            if (at.preferredSource(4, 0, pd.srcLo, skb.scratchAddr)) {
                src = skb.scratchAddr[1];
            }
        }
        byte[] b = skb.scratchBytes;
        // __ip_options_echo: the offending packet's record route, timestamp and CIPSO come back.
        int opt = Ipv4Options.echo(skb, b, 20, src);
        if (opt < 0) {
            return false;
        }
        if (room - 28 - opt <= 20) {
            return false;
        }
        int quote = Math.min(total, room - 28 - opt);
        int h = 20 + opt;
        int len = h + 8 + quote;
        int id = mix(pd.srcLo ^ (pd.dstLo << 32) ^ skb.timeNanos) & 0xffff;
        b[0] = (byte) (0x40 | (h >>> 2));
        b[1] = (byte) ((pd.tos & 0x1e) | 0xc0);
        put16(b, 2, len);
        put16(b, 4, id);
        put16(b, 6, 0);
        b[8] = (byte) DEFAULT_TTL;
        b[9] = (byte) PROTO_ICMP;
        put16(b, 10, 0);
        put32(b, 12, src);
        put32(b, 16, pd.srcLo);
        put16(b, 10, Checksum.finish(Checksum.sum(skb.scratch, 0, h, 0)));
        b[h] = (byte) type;
        b[h + 1] = (byte) code;
        put16(b, h + 2, 0);
        put32(b, h + 4, info & 0xffffffffL);
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, base, b, h + 8, quote);
        put16(b, h + 2, Checksum.finish(Checksum.sum(skb.scratch, h, len - h, 0)));
        emitter.emitPacket(4, skb.scratch, len, skb);
        return true;
    }

    /**
     * icmp6_send(skb, type, code, info) for the IPv6 packet in {@code skb}.
     *
     * @return true if an error was handed to the emitter
     */
    public static boolean v6(Skb skb, int type, int code, int info, Emitter emitter) {
        PacketDescriptor pd = skb.pd;
        MemorySegment in = pd.data;
        int base = (int) pd.base;
        int total = Math.min(pd.ipTotalLength, pd.length - base);
        int end = base + total;
        AddressTypes at = skb.addressTypes;
        boolean local = (at.typeMask(6, pd.dstHi, pd.dstLo, "") & AddressTypes.LOCAL) != 0;
        if (multicast(pd.dstHi) || skb.pktType != 0) {
            if (type != 2) {
                return false;
            }
            local = false;
        }
        if ((pd.srcHi == 0 && pd.srcLo == 0) || multicast(pd.srcHi)) {
            return false;
        }
        // is_ineligible: never about an ICMPv6 error (a fragment without the ICMPv6 header is eligible).
        if (pd.protocol == PROTO_ICMPV6 && pd.fragOffset == 0) {
            int l4 = pd.l4Offset;
            if (l4 < 0 || l4 >= end || (u8(in, l4) & 0x80) == 0) {
                return false;
            }
        }
        if (at instanceof HostModel host) {
            int r = host.lookup(6, pd.srcHi, pd.srcLo);
            if (r < 0 || (host.type(r) & NO_ROUTE_BACK) != 0) {
                return false;
            }
        }
        long srcHi = pd.dstHi;
        long srcLo = pd.dstLo;
        if (!local && (at.typeMask(6, pd.srcHi, pd.srcLo, "") & AddressTypes.LOCAL) != 0) {
            // ipv6_dev_get_saddr, rule 1: to one of our own addresses (a masqueraded sender), from it.
            srcHi = pd.srcHi;
            srcLo = pd.srcLo;
        } else if (!local) {
            // icmp6_send: ipv6_dev_get_saddr on the input interface (parm->iif) towards the sender.
            String inDev = skb.inIface;
            boolean got = inDev != null && !inDev.isEmpty() && at instanceof HostModel host && !host.isLoopback(inDev)
                    && at.masqueradeSource(6, inDev, pd.srcHi, pd.srcLo, skb.scratchAddr);
            if (got || at.preferredSource(6, pd.srcHi, pd.srcLo, skb.scratchAddr)) {
                srcHi = skb.scratchAddr[0];
                srcLo = skb.scratchAddr[1];
            }
        }
        int quote = Math.min(total, IPV6_MIN_MTU - 48);
        int len = 48 + quote;
        byte[] b = skb.scratchBytes;
        int flow = mix(srcHi ^ srcLo ^ pd.srcHi ^ (pd.srcLo << 1)) & 0xfffff;
        put32(b, 0, 0x60000000L | flow);
        put16(b, 4, len - 40);
        b[6] = (byte) PROTO_ICMPV6;
        b[7] = (byte) DEFAULT_TTL;
        put64(b, 8, srcHi);
        put64(b, 16, srcLo);
        put64(b, 24, pd.srcHi);
        put64(b, 32, pd.srcLo);
        b[40] = (byte) type;
        b[41] = (byte) code;
        put16(b, 42, 0);
        put32(b, 44, info & 0xffffffffL);
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, base, b, 48, quote);
        put16(b, 42, Checksum.finish(Checksum.sum(skb.scratch, 40, len - 40,
                Checksum.pseudoIpv6(srcHi, srcLo, pd.srcHi, pd.srcLo, PROTO_ICMPV6, len - 40))));
        emitter.emitPacket(6, skb.scratch, len, skb);
        return true;
    }

    /** A 64-bit mixer (murmur3 finaliser) for the fields Linux fills from salted hashes. */
    public static int mix(long v) {
        v ^= v >>> 33;
        v *= 0xff51afd7ed558ccdL;
        v ^= v >>> 33;
        return (int) v;
    }

    /** Errors never go about packets sent to a broadcast or multicast address (rt_flags). */
    private static boolean broadcastDestination(Skb skb) {
        long dst = skb.pd.dstLo & 0xffffffffL;
        if (dst == 0xffffffffL || (dst >>> 28) == 0xe) {
            return true;
        }
        int t = skb.addressTypes.typeMask(4, 0, dst, "");
        return (t & (AddressTypes.BROADCAST | AddressTypes.MULTICAST)) != 0;
    }

    /** icmp_pointers[type].error: destination unreachable, source quench, redirect, time exceeded, parameter problem. */
    private static boolean isIcmpError(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    private static boolean multicast(long hi) {
        return (hi >>> 56) == 0xff;
    }

    private static int u8(MemorySegment s, int off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 16));
        put16(b, off + 2, (int) v);
    }

    private static void put64(byte[] b, int off, long v) {
        put32(b, off, v >>> 32);
        put32(b, off + 4, v);
    }
}
