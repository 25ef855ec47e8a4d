package io.stockade.conntrack;

import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import java.lang.foreign.MemorySegment;

/**
 * TCP sequence-number translation of a connection (net/netfilter/nf_conntrack_seqadj.c), used by
 * SYNPROXY: the proxy answered the client with its cookie as ISN while the server chose another,
 * so every later segment of the reply direction has its sequence number moved by the offset and
 * every segment of the original direction its acknowledgement (and SACK blocks) moved back.
 * {@link #adjust} runs where {@code nf_confirm} does (the last hook, not on loopback); conntrack's
 * window tracking reads the acknowledgement through {@link #offset}. Per packet: no allocation.
 */
public final class Seqadj {
    private Seqadj() {
    }

    private static boolean after(int a, int b) {
        return b - a < 0;
    }

    /** nf_ct_seqadj_init: both offsets of ctinfo's direction = {@code off}; nothing when off is 0. */
    public static void init(Conn ct, int ctinfo, int off) {
        if (off == 0 || !ct.hasSeqadj) {
            return;
        }
        ct.status |= Conn.IPS_SEQ_ADJUST;
        int dir = ctinfo >= Conn.IP_CT_IS_REPLY ? 1 : 0;
        ct.seqOffsetBefore[dir] = off;
        ct.seqOffsetAfter[dir] = off;
    }

    /** nf_ct_seq_offset: the offset for {@code seq} in direction {@code dir} (0 without the extension). */
    public static int offset(Conn ct, int dir, int seq) {
        if (!ct.hasSeqadj) {
            return 0;
        }
        return after(seq, ct.seqCorrectionPos[dir]) ? ct.seqOffsetAfter[dir] : ct.seqOffsetBefore[dir];
    }

    /**
     * nf_ct_seq_adjust on a TCP packet of {@code ct} (direction from {@code ctinfo}): sequence
     * number, acknowledgement and SACK blocks rewritten with incremental checksum updates, the
     * descriptor's tcpSeq/tcpAck kept in step. @return false where the kernel drops the packet
     * (a cut TCP header or a malformed option list).
     */
    public static boolean adjust(PacketDescriptor pd, Conn ct, int ctinfo) {
        int th = pd.l4Offset;
        MemorySegment s = pd.data;
        if (th < 0 || th + 20 > pd.length) {
            return false;
        }
        if (s.isReadOnly()) {
            return true; // a read-only capture buffer is left as it is (as other rewriting steps do)
        }
        int dir = ctinfo >= Conn.IP_CT_IS_REPLY ? 1 : 0;
        int o = 1 - dir;
        int seq = Wire.i32(s, th + 4);
        int ack = Wire.i32(s, th + 8);
        int seqoff = after(seq, ct.seqCorrectionPos[dir]) ? ct.seqOffsetAfter[dir] : ct.seqOffsetBefore[dir];
        int ackoff = after(ack - ct.seqOffsetBefore[o], ct.seqCorrectionPos[o])
                ? ct.seqOffsetAfter[o] : ct.seqOffsetBefore[o];
        int nseq = seq + seqoff;
        int nack = ack - ackoff;
        int check = Wire.u16(s, th + 16);
        check = Checksum.update32(check, seq, nseq);
        check = Checksum.update32(check, ack, nack);
        Wire.put32(s, th + 4, nseq);
        Wire.put32(s, th + 8, nack);
        Wire.put16(s, th + 16, check);
        pd.tcpSeq = nseq;
        pd.tcpAck = nack;
        return sackAdjust(s, th, pd.length, ct, dir);
    }

    /** nf_ct_sack_adjust: SACK blocks of this direction acknowledge the other direction's data. */
    private static boolean sackAdjust(MemorySegment s, int th, int end, Conn ct, int dir) {
        int optoff = th + 20;
        int optend = th + (Wire.u8(s, th + 12) >>> 4) * 4;
        if (optend > end) {
            return false;
        }
        int o = 1 - dir;
        while (optoff < optend) {
            int kind = Wire.u8(s, optoff);
            if (kind == 0) {
                return true;
            }
            if (kind == 1) {
                optoff++;
                continue;
            }
            if (optoff + 1 == optend) {
                return false;
            }
            int len = Wire.u8(s, optoff + 1);
            if (optoff + len > optend || len < 2) {
                return false;
            }
            if (kind == 5 && len >= 10 && (len - 2) % 8 == 0) {
                for (int p = optoff + 2; p < optoff + len; p += 8) {
                    blockEdge(s, th, p, ct, o);
                    blockEdge(s, th, p + 4, ct, o);
                }
            }
            optoff += len;
        }
        return true;
    }

    private static void blockEdge(MemorySegment s, int th, int p, Conn ct, int o) {
        int v = Wire.i32(s, p);
        int n = after(v - ct.seqOffsetBefore[o], ct.seqCorrectionPos[o]) ? v - ct.seqOffsetAfter[o] : v - ct.seqOffsetBefore[o];
        Wire.put16(s, th + 16, Checksum.update32(Wire.u16(s, th + 16), v, n));
        Wire.put32(s, p, n);
    }
}
