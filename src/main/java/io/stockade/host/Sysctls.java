package io.stockade.host;

import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel settings that change the packet path's answers, with Linux's defaults. Names are
 * the {@code sysctl} names ({@code net.ipv4.ip_forward}); {@link #set} accepts them with dots
 * or slashes. Read on the packet path as plain fields.
 */
public final class Sysctls {
    /** net.ipv4.ip_forward (default 0): forward IPv4 packets not addressed to the host. */
    public int ipForward = 0;
    /** net.ipv6.conf.all.forwarding (default 0). */
    public int ip6Forward = 0;
    /** net.netfilter.nf_conntrack_tcp_loose (default 1): pick up established TCP mid-stream. */
    public int tcpLoose = 1;
    /** net.netfilter.nf_conntrack_tcp_be_liberal (default 0). */
    public int tcpBeLiberal = 0;
    /** net.netfilter.nf_conntrack_checksum (default 1): verify L4 checksums in PREROUTING. */
    public int conntrackChecksum = 1;
    /** net.ipv4.icmp_ratelimit in ms (default 1000) for the types in icmp_ratemask. */
    public int icmpRatelimit = 1000;
    /** net.ipv4.icmp_ratemask (default 6168: dest-unreachable, source-quench, time-exceeded, parameter-problem). */
    public int icmpRatemask = 6168;
    /** net.ipv4.icmp_msgs_per_sec (default 1000) and icmp_msgs_burst (default 50): the global ICMP budget. */
    public int icmpMsgsPerSec = 1000;
    public int icmpMsgsBurst = 50;
    /** net.ipv6.icmp.ratelimit in ms (default 1000). */
    public int icmp6Ratelimit = 1000;
    /** net.ipv4.conf.all.rp_filter (kernel default 0; 1 strict, 2 loose). */
    public int rpFilter = 0;
    /** net.ipv4.conf.all.accept_local (default 0): accept packets with a local source address. */
    public int acceptLocal = 0;
    /** net.ipv4.conf.all.route_localnet (default 0): 127/8 destinations arriving on a non-loopback interface are martians. */
    public int routeLocalnet = 0;
    /** net.ipv4.conf.all.src_valid_mark (default 0): fib_validate_source's reverse lookup uses the packet mark. */
    public int srcValidMark = 0;
    /** Every setting given explicitly, by canonical name. */
    private final Map<String, Long> given = new TreeMap<>();

    /**
     * Sets one setting by its sysctl name.
     *
     * @throws IllegalArgumentException naming the setting if unknown or the value is not a number
     */
    public void set(String name, String value) {
        String n = name.trim().replace('/', '.');
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sysctl " + n + ": expected a number, found '" + value.trim() + "'");
        }
        int i = (int) v;
        switch (n) {
            case "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding" -> ipForward = i;
            case "net.ipv6.conf.all.forwarding" -> ip6Forward = i;
            case "net.netfilter.nf_conntrack_tcp_loose" -> tcpLoose = i;
            case "net.netfilter.nf_conntrack_tcp_be_liberal" -> tcpBeLiberal = i;
            case "net.netfilter.nf_conntrack_checksum" -> conntrackChecksum = i;
            case "net.ipv4.icmp_ratelimit" -> icmpRatelimit = i;
            case "net.ipv4.icmp_ratemask" -> icmpRatemask = i;
            case "net.ipv4.icmp_msgs_per_sec" -> icmpMsgsPerSec = i;
            case "net.ipv4.icmp_msgs_burst" -> icmpMsgsBurst = i;
            case "net.ipv6.icmp.ratelimit" -> icmp6Ratelimit = i;
            case "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter" -> rpFilter = i;
            case "net.ipv4.conf.all.accept_local" -> acceptLocal = i;
            case "net.ipv4.conf.all.route_localnet" -> routeLocalnet = i;
            case "net.ipv4.conf.all.src_valid_mark" -> srcValidMark = i;
            default -> throw new IllegalArgumentException("sysctl " + n + ": not a setting Stockade models");
        }
        given.put(n, v);
    }

    /** The settings given explicitly (for printing the host model). */
    public Map<String, Long> given() {
        return given;
    }
}
