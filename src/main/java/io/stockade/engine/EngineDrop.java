package io.stockade.engine;

/**
 * Why the host (not a rule) dropped a well-formed packet on its way, each with a stable label
 * and a counter slot in {@link Netfilter}: the routing decisions of {@code ip_route_input},
 * {@code ip_forward} and friends, the ICMP rate limits of {@code icmp_send}, and NFQUEUE with no
 * listener.
 */
public enum EngineDrop {
    /** Addressed to another host's MAC (PACKET_OTHERHOST, seen in promiscuous mode): ip_rcv_core / ip6_rcv_core drop it before PREROUTING. */
    OTHER_HOST("otherhost"),
    /** Would be forwarded but arrived as link-layer broadcast or multicast: ip_forward / ip6_forward forward PACKET_HOST only. */
    FORWARD_NOT_HOST("forward-not-host"),
    /** Not for this host and forwarding is off (ip_forward=0): ip_error drops it silently. */
    NOT_FORWARDING("forwarding-disabled"),
    /** No route to the destination. */
    NO_ROUTE("no-route"),
    /** A blackhole, unreachable or prohibit route. */
    REJECT_ROUTE("reject-route"),
    /** TTL / hop limit would reach 0 on forwarding. */
    TTL_EXCEEDED("ttl-exceeded"),
    /** IPv6: a link-local source would leave its link (ip6_forward answers beyond scope of source address). */
    SOURCE_SCOPE("source-beyond-scope"),
    /** Source is multicast, limited broadcast, 0/8, loopback on a non-loopback interface, or one of our own addresses. */
    MARTIAN_SOURCE("martian-source"),
    /** Destination 0/8 or loopback arriving on a non-loopback interface (route_localnet=0). */
    MARTIAN_DESTINATION("martian-destination"),
    /** Reverse-path filter (rp_filter 1 or 2) failed. */
    RP_FILTER("rp-filter"),
    /** A kernel-generated ICMP error suppressed by icmp_ratelimit / icmp_msgs_per_sec. */
    ICMP_RATELIMIT("icmp-ratelimit"),
    /** NFQUEUE/QUEUE verdict and no program listens on the queue. */
    QUEUE_NO_LISTENER("queue-no-listener"),
    /** Conntrack said NF_DROP (table full and nothing to early-drop, helper refusal): {@code Skb.ctDrop}. */
    CONNTRACK("conntrack-drop"),
    /** NAT refused the packet (no free tuple for a new connection, an untranslatable ICMP error). */
    NAT("nat-drop"),
    /** Larger than the route MTU with DF set (the kernel answers with ICMP fragmentation-needed). */
    FRAG_NEEDED("frag-needed"),
    /** A locally generated DF (or IPv6) packet over the route MTU: the socket refuses it (EMSGSIZE) before any hook. */
    MESSAGE_TOO_LONG("message-too-long"),
    /** A malformed IPv4 option (ip_options_compile): answered with ICMP parameter problem pointing at the bad byte. */
    BAD_IP_OPTIONS("bad-ip-options"),
    /** A source-routed IPv4 packet (LSRR/SSRR) while accept_source_route is 0 (ip_rcv_options). */
    SOURCE_ROUTE("source-route"),
    /** Fragment reassembly before conntrack (nf_defrag) failed: overlap, duplicate, bad length, expiry or memory limit. */
    REASM_FAILED("reassembly-failed");

    /** Stable name for counters and JSON. */
    public final String label;

    EngineDrop(String label) {
        this.label = label;
    }
}
