package io.stockade.engine;

/**
 * What the packet path needs to know about the host: the FIB (local, main and default tables),
 * configured addresses, interface flags and the sysctls that change answers. Implemented by
 * {@code io.stockade.host.Host}; every method runs on the packet path (no allocation, no
 * exceptions). Route handles are small ints valid for this model's lifetime.
 */
public interface HostModel extends AddressTypes {
    /** The route for {@code dst} (local, main, default tables; longest prefix, lowest metric), -1 if none. */
    int lookup(int version, long hi, long lo);

    /** Type bit of a route ({@link AddressTypes#UNICAST}, LOCAL, BROADCAST, MULTICAST, BLACKHOLE…). */
    int type(int route);

    /** Output interface of a route ("" for routes without one). */
    String device(int route);

    /** MTU of a route (its own metric, else its interface's). */
    int mtu(int route);

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
