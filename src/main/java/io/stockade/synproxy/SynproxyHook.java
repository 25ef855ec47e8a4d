package io.stockade.synproxy;

import io.stockade.conntrack.Conn;
import io.stockade.conntrack.Seqadj;
import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.Verdict;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import java.lang.foreign.MemorySegment;

/**
 * SYNPROXY's connection half ({@code ipv4_synproxy_hook}/{@code ipv6_synproxy_hook}, registered at
 * LOCAL_IN and POST_ROUTING with priority {@code NF_IP_PRI_CONNTRACK_CONFIRM - 1}) for packets of
 * entries that carry the synproxy extension (created from the SYN {@link #recvClientAck} sent):
 * <ul>
 *   <li>SYN_SENT: the SYN to the server records our ISN (its acknowledgement field) and the TSval
 *       we gave the client; a retransmitted client ACK is checked and answered again.</li>
 *   <li>SYN_RECV, the server's SYN-ACK: the timestamp offset is set, the ACK to the server is sent,
 *       the sequence translation is initialised (ISN − server ISN, reply direction), then the
 *       client gets an ACK carrying the server's window; the SYN-ACK itself is stolen.</li>
 *   <li>CLOSE: a server RST is translated to the client's numbering; a new client SYN resets the
 *       timestamp offset.</li>
 *   <li>otherwise the timestamp option is translated (TSval − offset towards the client, TSecr +
 *       offset towards the server).</li>
 * </ul>
 * Packets it sends go out through the engine at once ({@code ip_local_out} inside the hook), so
 * the ACK to the server passes conntrack and confirm before the translation exists, as in Linux.
 * One instance per engine; per packet: no allocation.
 */
public final class SynproxyHook {
    private static final int SYN_SENT = 1, SYN_RECV = 2, CLOSE = 8;
    private static final int FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10, ECE = 0x40, CWR = 0x80;
    /** SYNPROXY's conntrack template ({@code snet->tmpl}), attached to the SYN sent to the server. */
    static final Conn TEMPLATE = Conn.synproxyTemplate();

    /**
     * Runs the hook for {@code skb} at LOCAL_IN or POST_ROUTING.
     * @param loopback the packet's device is a loopback device ({@code nf_is_loopback_packet})
     * @param now      sends packets synchronously through the rest of the host path
     * @return {@link Verdict#ACCEPT}, {@link Verdict#DROP} or {@link Verdict#STOLEN}
     */
    public int run(Skb skb, boolean loopback, Emitter now) {
        Conn ct = skb.conn;
        if (ct == null || !ct.synproxy || ct.isTemplate()) {
            return Verdict.ACCEPT;
        }
        PacketDescriptor pd = skb.pd;
        if (loopback || pd.protocol != 6 || pd.fragOffset != 0) {
            return Verdict.ACCEPT;
        }
        int th = pd.l4Offset;
        MemorySegment s = pd.data;
        if (th < 0 || th + 20 > pd.length) {
            return Verdict.DROP;
        }
        int flags = Wire.u8(s, th + 13);
        boolean syn = (flags & SYN) != 0;
        boolean ackf = (flags & ACK) != 0;
        int seq = Wire.i32(s, th + 4);
        int ack = Wire.i32(s, th + 8);
        int doff = (Wire.u8(s, th + 12) >>> 4) * 4;
        boolean original = skb.ctinfo < Conn.IP_CT_IS_REPLY;
        int[] o = skb.scratchInts;
        SynproxyOptions.clear(o);
        int state = ct.l4State;
        if (state == CLOSE) {
            if ((flags & RST) != 0 && !original) {
                Seqadj.init(ct, skb.ctinfo, ct.synproxyIsn - seq + 1);
                state = -1;
            } else if (!syn || ackf || !original) {
                state = -1;
            } else {
                // Reopened connection: the translations start again once it is re-established.
                Seqadj.init(ct, skb.ctinfo, 0);
                ct.synproxyTsoff = 0;
                state = SYN_SENT;
            }
        }
        if (state == SYN_SENT) {
            if (!SynproxyOptions.parse(o, s, th, doff, pd.length)) {
                return Verdict.DROP;
            }
            if (!syn && ackf && original) {
                // Keep-alives use SEG.SEQ = SND.NXT − 1: +1 gives the first SYN's number back.
                return recvClientAck(skb, o, seq + 1, now) ? Verdict.STOLEN : Verdict.DROP;
            }
            ct.synproxyIsn = ack;
            if ((o[SynproxyOptions.OPTIONS] & SynproxyOptions.TIMESTAMP) != 0) {
                ct.synproxyIts = o[SynproxyOptions.TSECR];
            }
        } else if (state == SYN_RECV && syn && ackf) {
            if (!SynproxyOptions.parse(o, s, th, doff, pd.length)) {
                return Verdict.DROP;
            }
            if ((o[SynproxyOptions.OPTIONS] & SynproxyOptions.TIMESTAMP) != 0) {
                ct.synproxyTsoff = o[SynproxyOptions.TSVAL] - ct.synproxyIts;
            }
            o[SynproxyOptions.OPTIONS] &= ~(SynproxyOptions.MSS | SynproxyOptions.WSCALE_BIT | SynproxyOptions.SACK_PERM);
            int sport = Wire.u16(s, th);
            int dport = Wire.u16(s, th + 2);
            int window = Wire.u16(s, th + 14);
            int family = pd.ipVersion;
            long sHi = pd.srcHi, sLo = pd.srcLo, dHi = pd.dstHi, dLo = pd.dstLo;
            int ctinfo = skb.ctinfo;
            swapTimestamps(o);
            // synproxy_send_server_ack: from the client's address, window = the client's largest.
            int len = SynproxyPackets.build(skb.scratch, family, dHi, dLo, sHi, sLo, dport, sport, ack, seq + 1, ACK,
                    ct.tdMaxWin[Conn.DIR_ORIGINAL], o);
            now.emitTracked(family, skb.scratch, len, null, 0);
            Seqadj.init(ct, ctinfo, ct.synproxyIsn - seq);
            swapTimestamps(o);
            // synproxy_send_client_ack: the server's window in its own scale.
            len = SynproxyPackets.build(skb.scratch, family, sHi, sLo, dHi, dLo, sport, dport, seq + 1, ack, ACK,
                    window >>> o[SynproxyOptions.WSCALE], o);
            now.emitTracked(family, skb.scratch, len, ct, Conn.IP_CT_ESTABLISHED_REPLY);
            return Verdict.STOLEN;
        }
        tstampAdjust(pd, th, doff, ct, original);
        return Verdict.ACCEPT;
    }

    private static void swapTimestamps(int[] o) {
        int t = o[SynproxyOptions.TSVAL];
        o[SynproxyOptions.TSVAL] = o[SynproxyOptions.TSECR];
        o[SynproxyOptions.TSECR] = t;
    }

    /**
     * synproxy_recv_client_ack: checks the cookie in the client's ACK ({@code o} holds the ACK's
     * parsed options) and sends the server the SYN the client sent us, with the options the cookie
     * and timestamp carry, attached to the synproxy template. @return false for an invalid cookie
     */
    public static boolean recvClientAck(Skb skb, int[] o, int recvSeq, Emitter out) {
        PacketDescriptor pd = skb.pd;
        MemorySegment s = pd.data;
        int th = pd.l4Offset;
        int sport = Wire.u16(s, th);
        int dport = Wire.u16(s, th + 2);
        int seq = Wire.i32(s, th + 4);
        int ack = Wire.i32(s, th + 8);
        int window = Wire.u16(s, th + 14);
        int mss = pd.ipVersion == 4
                ? SynCookie.checkV4(ack - 1, pd.srcLo, pd.dstLo, sport, dport, seq - 1, skb.timeNanos)
                : SynCookie.checkV6(ack - 1, pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, sport, dport, seq - 1, skb.timeNanos);
        if (mss == 0) {
            return false;
        }
        o[SynproxyOptions.MSS_OPTION] = mss;
        o[SynproxyOptions.OPTIONS] |= SynproxyOptions.MSS;
        if ((o[SynproxyOptions.OPTIONS] & SynproxyOptions.TIMESTAMP) != 0) {
            SynproxyOptions.checkTimestampCookie(o);
        }
        int flags = SYN;
        if ((o[SynproxyOptions.OPTIONS] & SynproxyOptions.ECN) != 0) {
            flags |= ECE | CWR;
        }
        int len = SynproxyPackets.build(skb.scratch, pd.ipVersion, pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, sport, dport,
                recvSeq - 1, ack - 1, flags, window, o);
        out.emitTracked(pd.ipVersion, skb.scratch, len, TEMPLATE, Conn.IP_CT_NEW);
        return true;
    }

    /**
     * synproxy_send_client_synack: the SYN-ACK with the cookie as ISN (encoding the client's MSS,
     * {@code o[MSS_ENCODE]}), window 0, ECE when ECN was negotiated, carrying the SYN's entry (none
     * for an untracked SYN).
     */
    public static void sendClientSynack(Skb skb, int[] o, Emitter out) {
        PacketDescriptor pd = skb.pd;
        MemorySegment s = pd.data;
        int th = pd.l4Offset;
        int sport = Wire.u16(s, th);
        int dport = Wire.u16(s, th + 2);
        int seq = Wire.i32(s, th + 4);
        int mss = o[SynproxyOptions.MSS_ENCODE];
        int cookie = pd.ipVersion == 4
                ? SynCookie.initV4(pd.srcLo, pd.dstLo, sport, dport, seq, mss, skb.timeNanos)
                : SynCookie.initV6(pd.srcHi, pd.srcLo, pd.dstHi, pd.dstLo, sport, dport, seq, mss, skb.timeNanos);
        int flags = SYN | ACK;
        if ((o[SynproxyOptions.OPTIONS] & SynproxyOptions.ECN) != 0) {
            flags |= ECE;
        }
        int len = SynproxyPackets.build(skb.scratch, pd.ipVersion, pd.dstHi, pd.dstLo, pd.srcHi, pd.srcLo, dport, sport,
                cookie, seq + 1, flags, 0, o);
        out.emitTracked(pd.ipVersion, skb.scratch, len, skb.conn, Conn.IP_CT_ESTABLISHED_REPLY);
    }

    /** synproxy_tstamp_adjust: the timestamp option moved by the entry's offset, checksum updated. */
    private static void tstampAdjust(PacketDescriptor pd, int th, int doff, Conn ct, boolean original) {
        int tsoff = ct.synproxyTsoff;
        if (tsoff == 0) {
            return;
        }
        MemorySegment s = pd.data;
        int optoff = th + 20;
        int optend = th + doff;
        if (optend > pd.length || s.isReadOnly()) {
            return;
        }
        while (optoff < optend) {
            int kind = Wire.u8(s, optoff);
            if (kind == 0) {
                return;
            }
            if (kind == 1) {
                optoff++;
                continue;
            }
            if (optoff + 1 == optend) {
                return;
            }
            int len = Wire.u8(s, optoff + 1);
            if (optoff + len > optend || len < 2) {
                return;
            }
            if (kind == 8 && len == 10) {
                int p = original ? optoff + 6 : optoff + 2;
                int old = Wire.i32(s, p);
                int now = original ? old + tsoff : old - tsoff;
                Wire.put32(s, p, now);
                Wire.put16(s, th + 16, Checksum.update32(Wire.u16(s, th + 16), old, now));
                return;
            }
            optoff += len;
        }
    }
}
