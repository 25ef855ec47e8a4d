package io.stockade.synproxy;

import io.stockade.packet.Checksum;
import io.stockade.packet.Wire;
import java.lang.foreign.MemorySegment;

/**
 * The segments SYNPROXY sends, as {@code synproxy_build_ip}/{@code synproxy_build_ip_ipv6} and the
 * {@code synproxy_send_*} functions lay them out: IPv4 with TOS 0, ID 0, DF, TTL 64
 * ({@code ip_default_ttl}), no options; IPv6 with traffic class and flow label 0, hop limit 64
 * ({@code conf.all.hop_limit}); a TCP header with the options of {@link SynproxyOptions#build},
 * urgent pointer 0 and the full checksum (the kernel sends CHECKSUM_PARTIAL and the device or
 * {@code skb_checksum_help} completes it to the same value).
 */
public final class SynproxyPackets {
    /** Linux's default net.ipv4.ip_default_ttl and net.ipv6.conf.all.hop_limit. */
    static final int DEFAULT_TTL = 64;
    /** Largest segment built: 40-byte IPv6 header, 20-byte TCP header, 20 bytes of options. */
    public static final int MAX_LENGTH = 40 + 20 + 20;

    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10, ECE = 0x40, CWR = 0x80;

    private SynproxyPackets() {
    }

    /**
     * Writes the packet at offset 0 of {@code b} (at least {@link #MAX_LENGTH} bytes).
     * Addresses use the descriptor's two-long layout (IPv4 in the low 32 bits of {@code lo}).
     * @return its length
     */
    public static int build(MemorySegment b, int family, long sHi, long sLo, long dHi, long dLo, int sport, int dport,
            int seq, int ack, int flags, int window, int[] opts) {
        int tcpLen = 20 + SynproxyOptions.size(opts);
        int th;
        long pseudo;
        if (family == 4) {
            th = 20;
            Wire.put8(b, 0, 0x45);
            Wire.put8(b, 1, 0);
            Wire.put16(b, 2, 20 + tcpLen);
            Wire.put16(b, 4, 0);
            Wire.put16(b, 6, 0x4000);
            Wire.put8(b, 8, DEFAULT_TTL);
            Wire.put8(b, 9, 6);
            Wire.put16(b, 10, 0);
            Wire.put32(b, 12, (int) sLo);
            Wire.put32(b, 16, (int) dLo);
            Wire.put16(b, 10, Checksum.finish(Checksum.sum(b, 0, 20, 0)));
            pseudo = Checksum.pseudoIpv4(sLo & 0xffffffffL, dLo & 0xffffffffL, 6, tcpLen);
        } else {
            th = 40;
            Wire.put32(b, 0, 0x60000000);
            Wire.put16(b, 4, tcpLen);
            Wire.put8(b, 6, 6);
            Wire.put8(b, 7, DEFAULT_TTL);
            Wire.put64(b, 8, sHi);
            Wire.put64(b, 16, sLo);
            Wire.put64(b, 24, dHi);
            Wire.put64(b, 32, dLo);
            pseudo = Checksum.pseudoIpv6(sHi, sLo, dHi, dLo, 6, tcpLen);
        }
        Wire.put16(b, th, sport);
        Wire.put16(b, th + 2, dport);
        Wire.put32(b, th + 4, seq);
        Wire.put32(b, th + 8, ack);
        Wire.put8(b, th + 12, (tcpLen / 4) << 4);
        Wire.put8(b, th + 13, flags);
        Wire.put16(b, th + 14, window & 0xffff);
        Wire.put16(b, th + 16, 0);
        Wire.put16(b, th + 18, 0);
        SynproxyOptions.build(opts, b, th + 20);
        Wire.put16(b, th + 16, Checksum.finish(Checksum.sum(b, th, tcpLen, pseudo)));
        return th + tcpLen;
    }
}
