package io.stockade.conntrack;

/**
 * Why conntrack classified a packet INVALID or dropped it (the kernel logs these with
 * {@code nf_conntrack_log_invalid}), plus the table statistics {@code conntrack -S} shows.
 * Counters only; indexes are stable, labels are lowercase names for listings.
 */
public final class CtStats {
    public static final int NO_L4 = 0;
    public static final int FRAGMENT = 1;
    public static final int TRUNCATED = 2;
    public static final int BAD_CHECKSUM = 3;
    public static final int TCP_FLAGS = 4;
    public static final int TCP_INVALID_NEW = 5;
    public static final int TCP_INVALID_RST = 6;
    public static final int TCP_WINDOW = 7;
    public static final int TCP_STATE = 8;
    public static final int UDP_MALFORMED = 9;
    public static final int ICMP_TYPE = 10;
    public static final int ICMP_CANT_INVERT = 11;
    public static final int ICMP_NOT_NEW = 12;
    public static final int ICMP_ERROR_NO_CONN = 13;
    public static final int ICMP_ERROR_ADDRESS = 14;
    public static final int TABLE_FULL = 15;
    public static final int HELPER_DROP = 16;
    public static final int EARLY_DROP = 17;
    public static final int INSERT = 18;
    public static final int FOUND = 19;
    public static final int NEW = 20;
    public static final int INVALID = 21;
    public static final int DROP = 22;
    public static final int EXPECT_NEW = 23;
    public static final int BAD_PACKET = 24;
    public static final int INSERT_FAILED = 25;
    /** SCTP: no chunk, a zero-length chunk, or chunks bundled where they may not be. */
    public static final int SCTP_CHUNKS = 26;
    /** SCTP: verification tag check failed. */
    public static final int SCTP_VTAG = 27;
    /** SCTP: a chunk the state machine refuses (or a new flow that cannot start with it). */
    public static final int SCTP_STATE = 28;

    static final String[] LABELS = {
        "no-l4", "fragment", "truncated", "bad-checksum", "tcp-flags", "tcp-invalid-new", "tcp-invalid-rst",
        "tcp-window", "tcp-state", "udp-malformed", "icmp-type", "icmp-cant-invert", "icmp-not-new",
        "icmp-error-no-conn", "icmp-error-address", "table-full", "helper-drop", "early-drop", "insert",
        "found", "new", "invalid", "drop", "expect-new", "bad-packet", "insert-failed", "sctp-chunks",
        "sctp-vtag", "sctp-state",
    };

    private final long[] counts = new long[LABELS.length];

    void inc(int which) {
        counts[which]++;
    }

    /** The counter at {@code which}. */
    public long get(int which) {
        return counts[which];
    }

    /** The label of counter {@code which}. */
    public static String label(int which) {
        return LABELS[which];
    }

    /** Number of counters. */
    public static int size() {
        return LABELS.length;
    }
}
