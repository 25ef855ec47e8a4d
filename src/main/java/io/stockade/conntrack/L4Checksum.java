package io.stockade.conntrack;

import io.stockade.packet.Wire;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * Verifies a TCP/UDP/ICMP/ICMPv6 checksum the way {@code nf_checksum} does for conntrack in
 * PREROUTING: the one's-complement sum over the pseudo-header (not for ICMPv4) and the whole
 * transport segment must be 0xffff. Packets whose capture is shorter than the IP total length
 * cannot be verified and pass.
 */
final class L4Checksum {
    private L4Checksum() {
    }

    // LINUX-DIFF: a truncated capture (snaplen) cannot be summed; the kernel always has the whole packet.
    static boolean ok(PacketDescriptor pd) {
        int l4 = pd.l4Offset;
        int end = ConntrackTable.ipEnd(pd);
        if (l4 < 0 || end > pd.length || end < l4) {
            return true;
        }
        MemorySegment s = pd.data;
        long sum = 0;
        int len = end - l4;
        if (!(pd.ipVersion == 4 && pd.protocol == 1)) {
            sum += fold64(pd.srcHi) + fold64(pd.srcLo) + fold64(pd.dstHi) + fold64(pd.dstLo);
            sum += pd.protocol;
            sum += len;
        }
        int i = l4;
        for (; i + 1 < end; i += 2) {
            sum += Wire.u16(s, i);
        }
        if (i < end) {
            sum += Wire.u8(s, i) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum == 0xffff;
    }

    /**
     * nf_checksum_partial as udplite_error calls it: the pseudo-header carries protocol
     * {@code pseudoProto} and the whole transport length, the sum covers the first {@code cover}
     * bytes of the transport segment only.
     */
    static boolean partialOk(PacketDescriptor pd, int pseudoProto, int cover) {
        int l4 = pd.l4Offset;
        int end = ConntrackTable.ipEnd(pd);
        if (l4 < 0 || end > pd.length || end < l4 || cover > end - l4) {
            return true;
        }
        MemorySegment s = pd.data;
        long sum = fold64(pd.srcHi) + fold64(pd.srcLo) + fold64(pd.dstHi) + fold64(pd.dstLo) + pseudoProto + (end - l4);
        int stop = l4 + cover;
        int i = l4;
        for (; i + 1 < stop; i += 2) {
            sum += Wire.u16(s, i);
        }
        if (i < stop) {
            sum += Wire.u8(s, i) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum == 0xffff;
    }

    private static long fold64(long v) {
        return ((v >>> 48) & 0xffff) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }
}
