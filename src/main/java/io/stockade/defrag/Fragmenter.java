package io.stockade.defrag;

import io.stockade.packet.Checksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Cuts a datagram into fragments the way ip_do_fragment / ip6_fragment's slow path does, for a
 * reassembled packet leaving the host: the effective MTU is the smaller of the route MTU and the
 * largest fragment received ({@code frag_max_size}), every piece but the last carries a multiple
 * of 8 data bytes. IPv4 fragments keep the identification and DF bit; fragments after the first
 * carry the header with non-copied options turned into NOPs (ip_options_fragment). IPv6
 * fragments repeat the unfragmentable part and insert a fragment header after it.
 *
 * <p>Contract: {@link #start} returns the number of pieces; {@link #build} writes piece {@code i}
 * into {@link #out()} (offset 0) and returns its length. One buffer, reused, allocated on first
 * use; nothing is allocated per piece.
 *
 * <p>LINUX-DIFF: IPv6 fragments reuse the identification of the fragments received; Linux's
 * ip6_fragment picks a fresh one (ipv6_select_ident).
 */
public final class Fragmenter {
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private byte[] outBytes;
    private MemorySegment out;
    private MemorySegment src;
    private int version;
    private int hlen;
    private int dataLen;
    private int step;
    private int nhPos;
    private int nextHeader;
    private int id;
    private boolean df;

    public MemorySegment out() {
        return out;
    }

    /**
     * @param pkt       the datagram, IP header at offset 0
     * @param length    its IP length
     * @param version   4 or 6
     * @param mtu       effective MTU (min of route MTU and frag_max_size)
     * @param unfragLen IPv6: bytes of IPv6 header plus extension headers that every fragment repeats (IPv4: ignored)
     * @param v6Id      IPv6 fragment identification
     * @return pieces to build (1 when it fits), 0 when the MTU leaves no room for data
     */
    public int start(MemorySegment pkt, int length, int version, int mtu, int unfragLen, int v6Id) {
        if (outBytes == null) {
            outBytes = new byte[65536];
            out = MemorySegment.ofArray(outBytes);
        }
        this.src = pkt;
        this.version = version;
        if (version == 4) {
            hlen = (pkt.get(U8, 0) & 0xf) * 4;
            df = (pkt.get(U8, 6) & 0x40) != 0;
            step = (mtu - hlen) & ~7;
        } else {
            hlen = unfragLen;
            id = v6Id;
            nhPos = 6;
            int nh = pkt.get(U8, 6) & 0xff;
            int off = 40;
            for (int i = 0; i < 16 && off < hlen; i++) {
                nhPos = off;
                int l = pkt.get(U8, off + 1) & 0xff;
                off += nh == 51 ? (l + 2) * 4 : (l + 1) * 8;
                nh = pkt.get(U8, nhPos) & 0xff;
            }
            nextHeader = pkt.get(U8, nhPos) & 0xff;
            step = (mtu - hlen - 8) & ~7;
        }
        dataLen = length - hlen;
        if (version == 4 && length <= mtu) {
            step = dataLen;
            return 1;
        }
        if (step <= 0) {
            return 0;
        }
        return (dataLen + step - 1) / step;
    }

    /** Writes piece {@code i} into {@link #out()}; returns its IP length. */
    public int build(int i) {
        int off = i * step;
        int plen = Math.min(step, dataLen - off);
        boolean last = off + plen >= dataLen;
        MemorySegment.copy(src, U8, 0, outBytes, 0, hlen);
        if (version == 4) {
            if (i > 0) {
                nopNonCopiedOptions();
            }
            MemorySegment.copy(src, U8, hlen + off, outBytes, hlen, plen);
            int total = hlen + plen;
            int frag = (off >>> 3) | (last ? 0 : 0x2000) | (df ? 0x4000 : 0);
            outBytes[2] = (byte) (total >>> 8);
            outBytes[3] = (byte) total;
            outBytes[6] = (byte) (frag >>> 8);
            outBytes[7] = (byte) frag;
            outBytes[10] = 0;
            outBytes[11] = 0;
            int sum = Checksum.finish(Checksum.sum(out, 0, hlen, 0));
            outBytes[10] = (byte) (sum >>> 8);
            outBytes[11] = (byte) sum;
            return total;
        }
        outBytes[nhPos] = 44;
        outBytes[hlen] = (byte) nextHeader;
        outBytes[hlen + 1] = 0;
        int fo = off | (last ? 0 : 1);
        outBytes[hlen + 2] = (byte) (fo >>> 8);
        outBytes[hlen + 3] = (byte) fo;
        outBytes[hlen + 4] = (byte) (id >>> 24);
        outBytes[hlen + 5] = (byte) (id >>> 16);
        outBytes[hlen + 6] = (byte) (id >>> 8);
        outBytes[hlen + 7] = (byte) id;
        MemorySegment.copy(src, U8, hlen + off, outBytes, hlen + 8, plen);
        int total = hlen + 8 + plen;
        outBytes[4] = (byte) ((total - 40) >>> 8);
        outBytes[5] = (byte) (total - 40);
        return total;
    }

    /** ip_options_fragment: options without the copied flag become NOPs in later fragments. */
    private void nopNonCopiedOptions() {
        int p = 20;
        while (p < hlen) {
            int type = outBytes[p] & 0xff;
            if (type == 0) {
                return;
            }
            if (type == 1) {
                p++;
                continue;
            }
            int l = p + 1 < hlen ? outBytes[p + 1] & 0xff : 0;
            if (l < 2 || p + l > hlen) {
                return;
            }
            if ((type & 0x80) == 0) {
                for (int k = 0; k < l; k++) {
                    outBytes[p + k] = 1;
                }
            }
            p += l;
        }
    }
}
