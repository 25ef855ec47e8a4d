package io.stockade.conntrack;

/**
 * One connection-tracking entry (the kernel's {@code struct nf_conn}): the original and reply
 * tuples, status bits, mark, timeout and per-direction counters. Fields are public for the
 * packet path (matches read them, the tracker writes them); {@link ConntrackTable} owns the
 * instances. A match may keep nothing from a {@code Conn} past the packet.
 *
 * <p>Tuples: addresses use the flat two-long layout of {@code PacketDescriptor} (IPv4 in the low
 * 32 bits of {@code *Lo}). TCP/UDP/UDP-Lite carry ports. ICMP/ICMPv6 carry what the kernel's tuple
 * holds: the echo id in the source-port slot and {@code type << 8 | code} in the destination-port
 * slot ({@link #icmpType}/{@link #icmpCode} decode it). Other protocols carry zeros. Without NAT
 * the reply tuple is the inverted original.
 *
 * <p>What the packet path sees (agreed with the engine and the match modules):
 * <ul>
 *   <li>{@code Skb.ctinfo}: {@link #IP_CT_ESTABLISHED} 0, {@link #IP_CT_RELATED} 1,
 *       {@link #IP_CT_NEW} 2, plus {@link #IP_CT_IS_REPLY} 3 in the reply direction
 *       (4 = RELATED_REPLY), {@link #IP_CT_UNTRACKED} 7. Meaningless when {@code Skb.conn} is
 *       null and ctinfo is not 7 (INVALID).</li>
 *   <li>{@code Skb.ctStateBits}: the kernel's {@code NF_CT_STATE_*} bits as xt_state reads them:
 *       {@link #STATE_INVALID} 1, {@code 1 << (ctinfo % 3 + 1)} = {@link #STATE_ESTABLISHED} 2,
 *       {@link #STATE_RELATED} 4, {@link #STATE_NEW} 8, and {@link #STATE_UNTRACKED} 64
 *       ({@code NF_CT_STATE_UNTRACKED_BIT = 1 << 6}). xt_conntrack numbers UNTRACKED (1 << 8),
 *       SNAT (1 << 6) and DNAT (1 << 7) differently; the conntrack match maps them itself.</li>
 *   <li>A CT target in raw ({@code -j CT --zone/--helper}) leaves its template in
 *       {@code Skb.ctZone}/{@code Skb.ctHelper} (a {@code Conn} with {@link #IPS_TEMPLATE} in
 *       {@code Skb.conn}, built by {@link #template}, is accepted too); the tracker uses them for
 *       a new entry. {@code --notrack} sets {@code Skb.conn = null}, {@code Skb.ctinfo = 7}.</li>
 * </ul>
 */
public final class Conn {
    // Status bits: include/uapi/linux/netfilter/nf_conntrack_common.h (enum ip_conntrack_status).
    public static final int IPS_EXPECTED = 1;
    public static final int IPS_SEEN_REPLY = 1 << 1;
    public static final int IPS_ASSURED = 1 << 2;
    public static final int IPS_CONFIRMED = 1 << 3;
    public static final int IPS_SRC_NAT = 1 << 4;
    public static final int IPS_DST_NAT = 1 << 5;
    public static final int IPS_SEQ_ADJUST = 1 << 6;
    public static final int IPS_SRC_NAT_DONE = 1 << 7;
    public static final int IPS_DST_NAT_DONE = 1 << 8;
    public static final int IPS_DYING = 1 << 9;
    public static final int IPS_FIXED_TIMEOUT = 1 << 10;
    public static final int IPS_TEMPLATE = 1 << 11;
    public static final int IPS_UNTRACKED = 1 << 12;
    public static final int IPS_HELPER = 1 << 13;
    public static final int IPS_OFFLOAD = 1 << 14;
    /** IPS_SRC_NAT | IPS_DST_NAT. */
    public static final int IPS_NAT_MASK = IPS_SRC_NAT | IPS_DST_NAT;
    /** IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE. */
    public static final int IPS_NAT_DONE_MASK = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;

    // enum ip_conntrack_info.
    public static final int IP_CT_ESTABLISHED = 0;
    public static final int IP_CT_RELATED = 1;
    public static final int IP_CT_NEW = 2;
    public static final int IP_CT_IS_REPLY = 3;
    public static final int IP_CT_ESTABLISHED_REPLY = 3;
    public static final int IP_CT_RELATED_REPLY = 4;
    public static final int IP_CT_UNTRACKED = 7;

    // NF_CT_STATE_* bits (Skb.ctStateBits).
    public static final int STATE_INVALID = 1;
    public static final int STATE_ESTABLISHED = 1 << 1;
    public static final int STATE_RELATED = 1 << 2;
    public static final int STATE_NEW = 1 << 3;
    public static final int STATE_UNTRACKED = 1 << 6;

    /** Direction indices for per-direction arrays. */
    public static final int DIR_ORIGINAL = 0;
    public static final int DIR_REPLY = 1;

    /** NF_CT_STATE_BIT(ctinfo) for a packet with an entry. */
    public static int stateBit(int ctinfo) {
        return 1 << (ctinfo % IP_CT_IS_REPLY + 1);
    }

    /** 4 or 6. */
    public int ipVersion;
    /** Layer-4 protocol number. */
    public int protocol;

    public long origSrcHi, origSrcLo, origDstHi, origDstLo;
    public int origSrcPort, origDstPort;
    public long replySrcHi, replySrcLo, replyDstHi, replyDstLo;
    public int replySrcPort, replyDstPort;

    /** ip_conntrack_status bits. */
    public int status;
    /** ctmark. */
    public int mark;
    /** Absolute expiry time in packet-time nanoseconds. */
    public long expiresNanos;
    /** Helper name ("ftp") or null. */
    public String helper;
    /** Conntrack zone. */
    public int zone;
    /** Protocol state for the tracker (TCP: {@link TcpTracker} state index 0..9). */
    public int l4State;
    /** Packets and bytes seen in the original [0] and reply [1] direction. */
    public final long[] packets = new long[2];
    public final long[] bytes = new long[2];
    /** The connection this one is RELATED to (expected by a helper), or null. */
    public Conn master;
    /** 128 bits of connlabels. */
    public long labelsHi, labelsLo;
    /** secmark (CONNSECMARK / SECMARK), 0 if unset. */
    public int secmark;
    /** Creation order; a stable tie-break for listings. */
    public long id;
    /** The table that created this entry (NAT asks it whether a tuple is taken); null for templates. */
    ConntrackTable table;

    // ---- TCP window tracking (struct ip_ct_tcp), per direction [0] original, [1] reply ----
    public final int[] tdEnd = new int[2];
    public final int[] tdMaxEnd = new int[2];
    public final int[] tdMaxWin = new int[2];
    public final int[] tdMaxAck = new int[2];
    public final int[] tdScale = new int[2];
    /** IP_CT_TCP_FLAG_* per direction (see {@link TcpTracker}). */
    public final int[] tcpFlags = new int[2];
    public int lastDir, lastIndex, lastSeq, lastAck, lastEnd, lastWin, lastWscale, lastFlags;
    /** Retransmissions counted by tcp_in_window. */
    public int retrans;

    // ---- nf_conn_seqadj: sequence-number translation per direction (SYNPROXY; see Seqadj) ----
    /** The entry has the seqadj extension (created from SYNPROXY's template). */
    public boolean hasSeqadj;
    public final int[] seqCorrectionPos = new int[2];
    public final int[] seqOffsetBefore = new int[2];
    public final int[] seqOffsetAfter = new int[2];

    // ---- nf_conn_synproxy: SYNPROXY's extension (its ISN towards the client, timestamp offset) ----
    /** The entry has the synproxy extension: the SYNPROXY hooks act on its packets. */
    public boolean synproxy;
    /** Our ISN (the cookie) towards the client, the TSval we sent the client, and TSval offset server − ours. */
    public int synproxyIsn, synproxyIts, synproxyTsoff;

    // ---- UDP (struct nf_ct_udp): time after which a replied flow becomes a stream ----
    public long udpStreamNanos;

    // ---- SCTP (struct ip_ct_sctp): verification tags and INIT seen, per direction ----
    public final int[] sctpVtag = new int[2];
    public final boolean[] sctpInit = new boolean[2];
    /** SCTP_FLAG_HEARTBEAT_VTAG_FAILED and the direction of that heartbeat. */
    public int sctpFlags, sctpLastDir;

    // ---- FTP helper state (struct nf_ct_ftp_master): sequence numbers just after a newline ----
    public final int[] ftpSeqAftNl = new int[4];
    public final int[] ftpSeqAftNlNum = new int[2];

    /** Reset state of a recycled or fresh entry. */
    void clear() {
        ipVersion = protocol = 0;
        origSrcHi = origSrcLo = origDstHi = origDstLo = 0;
        origSrcPort = origDstPort = 0;
        replySrcHi = replySrcLo = replyDstHi = replyDstLo = 0;
        replySrcPort = replyDstPort = 0;
        status = mark = zone = l4State = secmark = 0;
        expiresNanos = 0;
        helper = null;
        master = null;
        labelsHi = labelsLo = 0;
        packets[0] = packets[1] = bytes[0] = bytes[1] = 0;
        clearTcp();
        udpStreamNanos = 0;
        hasSeqadj = synproxy = false;
        for (int d = 0; d < 2; d++) {
            seqCorrectionPos[d] = seqOffsetBefore[d] = seqOffsetAfter[d] = 0;
        }
        synproxyIsn = synproxyIts = synproxyTsoff = 0;
        sctpVtag[0] = sctpVtag[1] = 0;
        sctpInit[0] = sctpInit[1] = false;
        sctpFlags = sctpLastDir = 0;
        ftpSeqAftNlNum[0] = ftpSeqAftNlNum[1] = 0;
    }

    void clearTcp() {
        for (int d = 0; d < 2; d++) {
            tdEnd[d] = tdMaxEnd[d] = tdMaxWin[d] = tdMaxAck[d] = tdScale[d] = tcpFlags[d] = 0;
        }
        lastDir = lastIndex = lastSeq = lastAck = lastEnd = lastWin = lastWscale = lastFlags = 0;
        retrans = 0;
    }

    /** A CT template (what {@code -j CT --zone Z --helper H} attaches in raw). */
    public static Conn template(int zone, String helper) {
        Conn t = new Conn();
        t.status = IPS_TEMPLATE | IPS_CONFIRMED;
        t.zone = zone;
        t.helper = helper;
        return t;
    }

    /**
     * SYNPROXY's per-namespace template ({@code snet->tmpl}): attached to the SYN it sends to the
     * server, so the entry conntrack creates for that SYN gets the seqadj and synproxy extensions.
     */
    public static Conn synproxyTemplate() {
        Conn t = template(0, null);
        t.hasSeqadj = true;
        t.synproxy = true;
        return t;
    }

    /** The table owning this entry, or null for a template. */
    public ConntrackTable table() {
        return table;
    }

    /** True for a template attached by the CT target, not a real entry. */
    public boolean isTemplate() {
        return (status & IPS_TEMPLATE) != 0;
    }

    public boolean isConfirmed() {
        return (status & IPS_CONFIRMED) != 0;
    }

    /** ICMP type of a tuple's destination-port slot. */
    public static int icmpType(int dstPortSlot) {
        return dstPortSlot >>> 8;
    }

    /** ICMP code of a tuple's destination-port slot. */
    public static int icmpCode(int dstPortSlot) {
        return dstPortSlot & 0xff;
    }

    /** Source address high half of the tuple in direction {@code dir}. */
    public long srcHi(int dir) {
        return dir == 0 ? origSrcHi : replySrcHi;
    }

    public long srcLo(int dir) {
        return dir == 0 ? origSrcLo : replySrcLo;
    }

    public long dstHi(int dir) {
        return dir == 0 ? origDstHi : replyDstHi;
    }

    public long dstLo(int dir) {
        return dir == 0 ? origDstLo : replyDstLo;
    }

    public int srcPort(int dir) {
        return dir == 0 ? origSrcPort : replySrcPort;
    }

    public int dstPort(int dir) {
        return dir == 0 ? origDstPort : replyDstPort;
    }

    /** Seconds until expiry at {@code nowNanos}, as /proc and ctnetlink print it (never negative). */
    public long secondsLeft(long nowNanos) {
        long left = expiresNanos - nowNanos;
        return left <= 0 ? 0 : left / 1_000_000_000L;
    }

    @Override
    public String toString() {
        return ConntrackFormat.line(this, expiresNanos, false);
    }
}
