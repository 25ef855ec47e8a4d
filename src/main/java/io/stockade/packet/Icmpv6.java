package io.stockade.packet;

/**
 * ICMPv6 (RFC 4443) type numbers and classification. The header layout is the ICMP one
 * ({@link Icmp} is the view for both); the checksum covers the IPv6 pseudo-header.
 */
public final class Icmpv6 {
    public static final int DEST_UNREACH = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAM_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int MLD_QUERY = 130;
    public static final int MLD_REPORT = 131;
    public static final int MLD_DONE = 132;
    public static final int ROUTER_SOLICIT = 133;
    public static final int ROUTER_ADVERT = 134;
    public static final int NEIGHBOUR_SOLICIT = 135;
    public static final int NEIGHBOUR_ADVERT = 136;
    public static final int REDIRECT = 137;

    private Icmpv6() {
    }

    /** Error messages: types 0..127 (RFC 4443 §2.1). */
    public static boolean isError(int type) {
        return type < 128;
    }

    /** Echo request/reply carry an identifier and sequence number. */
    public static boolean hasId(int type) {
        return type == ECHO_REQUEST || type == ECHO_REPLY;
    }
}
