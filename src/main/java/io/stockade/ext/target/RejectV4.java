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
 * The IPv4 replies of REJECT, byte for byte as net/ipv4/netfilter/nf_reject_ipv4.c and
 * net/ipv4/icmp.c build them. Allocation-free; the reply is built in {@link Skb#scratchBytes}.
 *
 * <ul>
 * <li>TCP reset ({@code nf_send_reset}): none for non-first fragments, non-TCP, truncated TCP,
 * RST segments, bad TCP checksums (not checked in OUTPUT, where Linux has CHECKSUM_PARTIAL), or
 * broadcast/multicast destinations. IP: no options, TOS 0,
 * ID 0, DF, TTL 64 (the default {@code ip_default_ttl}), addresses swapped. TCP: ports swapped,
 * 20-byte header, window 0; if the offending segment had ACK, {@code seq = its ack} and flags
 * RST; else {@code ack = seq + SYN + FIN + payload length} and flags RST|ACK.</li>
 * <li>ICMP destination unreachable ({@code nf_send_unreach}): none for non-first fragments or
 * a bad checksum (TCP/UDP with the pseudo header, other protocols without it, as nf_ip_checksum;
 * UDP without checksum, GRE, AH, ESP, SCTP and UDP-Lite are not verified; DCCP is since Linux 6.16
 * removed it from nf_reject_verify_csum, so an IPv4 DCCP packet gets no reply unless its sum without
 * pseudo-header is right); then {@code icmp_send} builds it ({@link IcmpSend#v4}).</li>
 * </ul>
 */
final class RejectV4 {
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    /** Linux's default net.ipv4.ip_default_ttl. */
    static final int DEFAULT_TTL = 64;

    private RejectV4() {
    }

    static void sendReset(Skb skb, Emitter emitter) {
        PacketDescriptor pd = skb.pd;
        MemorySegment in = pd.data;
        if (pd.fragOffset != 0 || pd.protocol != PROTO_TCP || pd.l4Offset < 0) {
            return;
        }
        int tcpOff = pd.l4Offset;
        int end = Math.min((int) pd.base + pd.ipTotalLength, pd.length);
        if (tcpOff + 20 > end) {
            return;
        }
        int flags = u8(in, tcpOff + 13);
        if ((flags & 0x04) != 0) {
            return;
        }
        int segLen = end - tcpOff;
        if (pd.truncated
                || checksums(skb) && Checksum.finish(Checksum.sum(in, tcpOff, segLen,
                        Checksum.pseudoIpv4(pd.srcLo, pd.dstLo, PROTO_TCP, segLen))) != 0) {
            return;
        }
        if (badDestination(skb)) {
            return;
        }
        byte[] b = skb.scratchBytes;
        ipHeader(b, 40, 0, 0, 0x4000, PROTO_TCP, pd.dstLo, pd.srcLo);
        int doff = (u8(in, tcpOff + 12) >>> 4) * 4;
        long seq = u32(in, tcpOff + 4);
        long ack = u32(in, tcpOff + 8);
        Put.put16(b, 20, u16(in, tcpOff + 2));
        Put.put16(b, 22, u16(in, tcpOff));
        if ((flags & 0x10) != 0) {
            Put.put32(b, 24, ack);
            Put.put32(b, 28, 0);
            b[33] = 0x04;
        } else {
            int plus = ((flags & 0x02) != 0 ? 1 : 0) + ((flags & 0x01) != 0 ? 1 : 0);
            Put.put32(b, 24, 0);
            Put.put32(b, 28, seq + plus + pd.ipTotalLength - pd.l3HeaderLength - doff);
            b[33] = 0x14;
        }
        b[32] = 0x50;
        Put.put16(b, 34, 0);
        Put.put16(b, 36, 0);
        Put.put16(b, 38, 0);
        Put.put16(b, 36, Checksum.finish(Checksum.sum(skb.scratch, 20, 20,
                Checksum.pseudoIpv4(pd.dstLo, pd.srcLo, PROTO_TCP, 20))));
        emitter.emitPacket(4, skb.scratch, 40, skb);
        emitter.resetSent(skb);
    }

    static void sendUnreach(Skb skb, int code, Emitter emitter) {
        PacketDescriptor pd = skb.pd;
        MemorySegment in = pd.data;
        int base = (int) pd.base;
        int ihl = pd.l3HeaderLength;
        int proto = pd.protocol;
        int total = Math.min(pd.ipTotalLength, pd.length - (int) pd.base);
        if (pd.fragOffset != 0) {
            return;
        }
        if (checksums(skb) && verifiesChecksum(in, base + ihl, base + total, proto)) {
            if (pd.truncated) {
                return;
            }
            long sum = proto == PROTO_TCP || proto == PROTO_UDP
                    ? Checksum.pseudoIpv4(pd.srcLo, pd.dstLo, proto, total - ihl) : 0;
            if (Checksum.finish(Checksum.sum(in, base + ihl, total - ihl, sum)) != 0) {
                return;
            }
        }
        // LINUX-DIFF: a locally generated TCP/UDP packet is still CHECKSUM_PARTIAL in OUTPUT on
        // Linux, so an ICMP error about it quotes the pseudo-header-only checksum; Stockade's
        // generated packets carry their full checksum, and the quote shows that one.
        IcmpSend.v4(skb, 3, code, 0, emitter);
    }

    /**
     * Whether nf_ip_checksum really checks: a packet in OUTPUT comes from a local socket with its
     * checksum left to the NIC (CHECKSUM_PARTIAL), which the kernel treats as valid; captures of
     * such packets show unfinished checksums.
     */
    static boolean checksums(Skb skb) {
        return skb.hook != io.stockade.rules.Hook.OUTPUT;
    }

    /** Replies never go to packets sent to a broadcast or multicast address (rt_flags). */
    private static boolean badDestination(Skb skb) {
        long dst = skb.pd.dstLo & 0xffffffffL;
        if (dst == 0xffffffffL || (dst >>> 28) == 0xe) {
            return true;
        }
        int t = skb.addressTypes.typeMask(4, 0, dst, "");
        return (t & (AddressTypes.BROADCAST | AddressTypes.MULTICAST)) != 0;
    }

    /**
     * nf_reject_verify_csum: whether the kernel checks this protocol's checksum before replying
     * ({@code l4} and {@code end} are offsets in {@code in}).
     */
    static boolean verifiesChecksum(MemorySegment in, int l4, int end, int proto) {
        return switch (proto) {
            case PROTO_UDP -> l4 + 8 > end || u16(in, l4 + 6) != 0;
            case 47, 51, 50, 132, 136 -> false;
            default -> true;
        };
    }

    private static void ipHeader(byte[] b, int totalLength, int tos, int id, int frag, int proto, long src, long dst) {
        b[0] = 0x45;
        b[1] = (byte) tos;
        Put.put16(b, 2, totalLength);
        Put.put16(b, 4, id);
        Put.put16(b, 6, frag);
        b[8] = (byte) DEFAULT_TTL;
        b[9] = (byte) proto;
        Put.put16(b, 10, 0);
        Put.put32(b, 12, src);
        Put.put32(b, 16, dst);
        Put.put16(b, 10, ipHeaderChecksum(b));
    }

    private static int ipHeaderChecksum(byte[] b) {
        long sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        return Checksum.finish(sum);
    }

    static int u8(MemorySegment s, int off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    static int u16(MemorySegment s, int off) {
        return (u8(s, off) << 8) | u8(s, off + 1);
    }

    static long u32(MemorySegment s, int off) {
        return ((long) u16(s, off) << 16) | u16(s, off + 2);
    }
}
