package io.stockade.conntrack;

/**
 * One connection-tracking entry (the kernel's {@code struct nf_conn}): the original and reply
 * tuples, status bits, mark, timeout and per-direction counters. Fields are public for the
 * packet path (matches read them, the tracker writes them); the table owns the instances.
 *
 * <p>Addresses use the flat two-long layout of {@code PacketDescriptor}. For ICMP/ICMPv6 the
 * "ports" are the echo id (source) and type/code as the kernel's tuple holds them.
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
    /** Protocol state for the tracker (e.g. TCP conntrack state index). */
    public int l4State;
    /** Packets and bytes seen in the original [0] and reply [1] direction. */
    public final long[] packets = new long[2];
    public final long[] bytes = new long[2];
    /** The connection this one is RELATED to (expected by a helper), or null. */
    public Conn master;
    /** 128 bits of connlabels. */
    public long labelsHi, labelsLo;
}
