package io.stockade.ext.target;

import io.stockade.engine.AddressTypes;
import io.stockade.engine.Emitter;
import io.stockade.engine.IcmpSend;
import io.stockade.engine.Skb;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The IPv6 replies of REJECT, as net/ipv6/netfilter/nf_reject_ipv6.c and net/ipv6/icmp.c build
 * them. Allocation-free; the reply is built in {@link Skb#scratchBytes}.
 *
 * <ul>
 * <li>TCP reset ({@code nf_send_reset6}): none unless both addresses are unicast, for
 * non-first fragments, non-TCP, truncated TCP, RST segments or bad checksums. IPv6: traffic
 * class 0, flow label 0, hop limit 64; TCP as for IPv4 (seq = their ack with RST, else
 * RST|ACK with ack = seq + SYN + FIN + payload), window 0.</li>
 * <li>ICMPv6 destination unreachable ({@code nf_send_unreach6}): none for non-first fragments
 * or bad checksums (pseudo header for every protocol; the same exemptions as IPv4); then
 * {@code icmp6_send} builds it ({@link IcmpSend#v6}).</li>
 * </ul>
 */
final class RejectV6 {
    private static final int PROTO_TCP = 6;
    private static final int PROTO_ICMPV6 = 58;
    /** Linux's default net.ipv6.conf.*.hop_limit. */
    static final int DEFAULT_HOP_LIMIT = 64;

    private RejectV6() {
    }

    static void sendReset(Skb skb, Emitter emitter) {
        PacketDescriptor pd = skb.pd;
        MemorySegment in = pd.data;
        if (!unicast(pd.srcHi, pd.srcLo) || !unicast(pd.dstHi, pd.dstLo)) {
            return;
        }
        if (pd.fragOffset != 0 || pd.protocol != PROTO_TCP || pd.l4Offset < 0) {
            return;
        }
        int tcpOff = pd.l4Offset;
        int end = Math.min((int) pd.base + pd.ipTotalLength, pd.length);
        if (tcpOff + 20 > end || pd.truncated) {
            return;
        }
        int flags = RejectV4.u8(in, tcpOff + 13);
        if ((flags & 0x04) != 0) {
            return;
        }
        int segLen = end - tcpOff;
        if (RejectV4.checksums(skb) && Checksum.finish(Checksum.sum(in, tcpOff, segLen,
                Checksum.pseudoIpv6(pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, PROTO_TCP, segLen))) != 0) {
            return;
        }
        byte[] b = skb.scratchBytes;
        ipv6Header(b, 0, 20, PROTO_TCP, pd.dstHi, pd.dstLo, pd.srcHi, pd.srcLo);
        int doff = (RejectV4.u8(in, tcpOff + 12) >>> 4) * 4;
        Put.put16(b, 40, RejectV4.u16(in, tcpOff + 2));
        Put.put16(b, 42, RejectV4.u16(in, tcpOff));
        if ((flags & 0x10) != 0) {
            Put.put32(b, 44, RejectV4.u32(in, tcpOff + 8));
            Put.put32(b, 48, 0);
            b[53] = 0x04;
        } else {
            int plus = ((flags & 0x02) != 0 ? 1 : 0) + ((flags & 0x01) != 0 ? 1 : 0);
            Put.put32(b, 44, 0);
            Put.put32(b, 48, RejectV4.u32(in, tcpOff + 4) + plus + segLen - doff);
            b[53] = 0x14;
        }
        b[52] = 0x50;
        Put.put16(b, 54, 0);
        Put.put16(b, 56, 0);
        Put.put16(b, 58, 0);
        Put.put16(b, 56, Checksum.finish(Checksum.sum(skb.scratch, 40, 20,
                Checksum.pseudoIpv6(pd.dstHi, pd.dstLo, pd.srcHi, pd.srcLo, PROTO_TCP, 20))));
        emitter.emitPacket(6, skb.scratch, 60, skb);
        emitter.resetSent(skb);
    }

    static void sendUnreach(Skb skb, int code, Emitter emitter) {
        PacketDescriptor pd = skb.pd;
        MemorySegment in = pd.data;
        int base = (int) pd.base;
        int total = Math.min(pd.ipTotalLength, pd.length - (int) pd.base);
        int end = base + total;
        if (pd.fragOffset != 0 || pd.l4Offset < 0 || pd.l4Offset >= end) {
            return;
        }
        int l4 = pd.l4Offset;
        int proto = pd.protocol;
        if (RejectV4.checksums(skb) && RejectV4.verifiesChecksum(in, l4, end, proto)) {
            if (pd.truncated || Checksum.finish(Checksum.sum(in, l4, end - l4,
                    Checksum.pseudoIpv6(pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, proto, end - l4))) != 0) {
                return;
            }
        }
        IcmpSend.v6(skb, 1, code, 0, emitter);
    }

    private static boolean multicast(long hi) {
        return (hi >>> 56) == 0xff;
    }

    /** ipv6_addr_type(..) & IPV6_ADDR_UNICAST: neither unspecified nor multicast. */
    private static boolean unicast(long hi, long lo) {
        return !(hi == 0 && lo == 0) && !multicast(hi);
    }

    private static void ipv6Header(byte[] b, int flow, int payloadLength, int next,
                                   long srcHi, long srcLo, long dstHi, long dstLo) {
        Put.put32(b, 0, 0x60000000L | flow);
        Put.put16(b, 4, payloadLength);
        b[6] = (byte) next;
        b[7] = (byte) DEFAULT_HOP_LIMIT;
        Put.put64(b, 8, srcHi);
        Put.put64(b, 16, srcLo);
        Put.put64(b, 24, dstHi);
        Put.put64(b, 32, dstLo);
    }
}
