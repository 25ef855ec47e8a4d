package io.stockade.engine;

/**
 * What the packet path needs to know about the host: the FIB (routing tables chosen by policy
 * rules; by default local, main and default), configured addresses, interface flags and the sysctls that change answers. Implemented by
 * {@code io.stockade.host.Host}; every method runs on the packet path (no allocation, no
 * exceptions). Route handles are small ints valid for this model's lifetime.
 */
public interface HostModel extends AddressTypes {
    /**
     * The route for {@code dst} as the host's own lookup without source, mark or uid sees it
     * ({@link #lookupFlow} with iif lo; by default tables local, main, default; longest prefix,
     * lowest metric), -1 if none.
     */
    int lookup(int version, long hi, long lo);

    /**
     * The policy-routed lookup for a flow (fib_lookup / fib6_rule_lookup): route handle, also for
     * unreachable/prohibit/blackhole results, or -1 when no rule produced a route.
     *
     * @param tos IPv4 TOS / IPv6 traffic class
     * @param iif input interface ("lo" for locally generated flows)
     * @param oif interface the flow is bound to, or ""
     * @param uid the flow's uid (0 for received packets)
     */
    @Override
    int lookupFlow(int version, long dstHi, long dstLo, long srcHi, long srcLo, int mark, int tos, String iif,
                   String oif, int uid);

    /**
     * The policy rule that decided {@link #lookupFlow}'s answer, as {@code ip rule} prints it, or
     * null; for traces only (may allocate).
     */
    default String decidingRule(int version, long dstHi, long dstLo, long srcHi, long srcLo, int mark, int tos,
                                String iif, String oif, int uid) {
        return null;
    }

    /**
     * True if the handle is the result of an unreachable/prohibit/blackhole policy rule rather than
     * a route of that type (IPv4 input then fails with ENETUNREACH, not EHOSTUNREACH: ip_error
     * answers net, not host, unreachable).
     */
    default boolean ruleResult(int route) {
        return false;
    }

    /** True when the policy rules of {@code version} are not Linux's defaults (fib4_has_custom_rules). */
    boolean customRules(int version);

    /** True if {@code dev} has an address of {@code version} (an in_device with an ifa_list). */
    boolean hasAddress(int version, String dev);

    /** net.ipv4.conf.all.src_valid_mark: the reverse-path lookup of fib_validate_source uses the mark. */
    boolean srcValidMark();

    /** Type bit of a route ({@link AddressTypes#UNICAST}, LOCAL, BROADCAST, MULTICAST, BLACKHOLE…). */
    @Override
    int type(int route);

    /** Output interface of a route ("" for routes without one). */
    @Override
    String device(int route);

    /** MTU of a route (its own metric, else its interface's). */
    int mtu(int route);

    /**
     * MTU of a route's output interface, whatever the route's own MTU metric says (IPv6
     * forwarding checks this one; a raw socket refuses anything larger). Defaults to {@link #mtu}.
     */
    default int deviceMtu(int route) {
        return mtu(route);
    }

    /** Prefix length of a route's destination. */
    int prefixLength(int route);

    /** True if the address is configured on {@code dev} (any interface when dev is ""). */
    boolean isLocalAddress(int version, long hi, long lo, String dev);

    /** True if {@code dev} is a loopback interface. */
    boolean isLoopback(String dev);

    /** net.ipv4.ip_forward / net.ipv6.conf.all.forwarding. */
    boolean forwarding(int version);

    /** net.ipv4.conf.all.rp_filter: 0 off, 1 strict, 2 loose. */
    int rpFilter();

    /** net.ipv4.conf.all.accept_local. */
    boolean acceptLocal();

    /** net.ipv4.conf.all.route_localnet. */
    boolean routeLocalnet();

    /** net.ipv4.icmp_ratelimit (ms), icmp_ratemask, icmp_msgs_per_sec, icmp_msgs_burst; net.ipv6.icmp.ratelimit (ms). */
    int icmpRatelimit();

    int icmpRatemask();

    int icmpMsgsPerSec();

    int icmpMsgsBurst();

    int icmp6Ratelimit();
}
