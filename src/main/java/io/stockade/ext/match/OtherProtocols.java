package io.stockade.ext.match;

/**
 * The common /etc/protocols names (Debian netbase) that matches resolving protocol names with
 * getprotobyname may meet, built in so that rules never depend on the host's files.
 */
final class OtherProtocols {
    private static final String[] NAMES = {
        "icmp", "igmp", "tcp", "udp", "ipv6", "gre", "ipv6-icmp", "sctp", "dccp", "udplite",
        "mobility-header", "ipip", "egp", "pim", "vrrp", "l2tp", "ospf", "rsvp", "ipcomp", "mpls-in-ip"};
    private static final int[] NUMBERS = {
        1, 2, 6, 17, 41, 47, 58, 132, 33, 136, 135, 94, 8, 103, 112, 115, 89, 46, 108, 137};

    private OtherProtocols() {
    }

    /** The protocol number of a lowercase name, or -1. */
    static int number(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return NUMBERS[i];
            }
        }
        return -1;
    }
}
