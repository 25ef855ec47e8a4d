package io.stockade.engine;

/**
 * What the host's routing tables say about an address — the view the {@code addrtype} and
 * {@code rpfilter} matches need (the kernel's {@code inet_dev_addr_type}, {@code ipv6_chk_addr},
 * and the FIB lookup of {@code xt_rpfilter}). The engine's host model
 * ({@code io.stockade.host.Host}) implements it and puts it in {@code Skb.addressTypes}; matches
 * read it there on the packet path (no allocation, no exceptions).
 *
 * <p>Type bits are {@code 1 << RTN_*} (include/uapi/linux/rtnetlink.h), the same values as
 * xt_addrtype's {@code XT_ADDRTYPE_*}: UNSPEC 1, UNICAST 2, LOCAL 4, BROADCAST 8, ANYCAST 16,
 * MULTICAST 32, BLACKHOLE 64, UNREACHABLE 128, PROHIBIT 256, THROW 512, NAT 1024, XRESOLVE 2048.
 */
public interface AddressTypes {
    int UNSPEC = 1;
    int UNICAST = 1 << 1;
    int LOCAL = 1 << 2;
    int BROADCAST = 1 << 3;
    int ANYCAST = 1 << 4;
    int MULTICAST = 1 << 5;
    int BLACKHOLE = 1 << 6;
    int UNREACHABLE = 1 << 7;
    int PROHIBIT = 1 << 8;
    int THROW = 1 << 9;

    /**
     * The types of an address.
     * <ul>
     * <li>IPv4: exactly one bit, {@code 1 << inet_dev_addr_type(net, dev, addr)}: LOCAL if the
     * address is configured (on {@code dev} when given, else anywhere, as the local table says),
     * BROADCAST for 255.255.255.255 and subnet broadcasts, MULTICAST for 224/4, UNSPEC for
     * 0.0.0.0, else the type of the route (UNICAST, BLACKHOLE, UNREACHABLE, PROHIBIT…).</li>
     * <li>IPv6: every bit the address qualifies for in xt_addrtype's {@code match_type6}:
     * MULTICAST / UNICAST / UNSPEC from the address class, LOCAL if configured (on {@code dev} if
     * given), and the route's BLACKHOLE / UNREACHABLE / PROHIBIT.</li>
     * </ul>
     *
     * @param ipVersion 4 or 6
     * @param hi        high 64 bits (0 for IPv4)
     * @param lo        low 64 bits (IPv4 in the low 32)
     * @param dev       interface to limit the lookup to ({@code --limit-iface-in/out}), or "" for any
     */
    int typeMask(int ipVersion, long hi, long lo, String dev);

    /**
     * The output interface of the best route to an address in the main/local tables (longest
     * prefix, then lowest metric), or null when no route (or an unreachable/blackhole/prohibit
     * route) applies. For local addresses: "lo".
     */
    String routeDevice(int ipVersion, long hi, long lo);

    /** The route type bit (as {@link #typeMask}: UNICAST, LOCAL, BLACKHOLE, …) of the best route, 0 if none. */
    int routeType(int ipVersion, long hi, long lo);

    /**
     * The source address the host would use for a packet it sends to {@code (hi, lo)} (the
     * route's preferred source, else the primary address of the output interface), written to
     * {@code out[0]} (hi) and {@code out[1]} (lo). Used by REJECT for ICMP errors about packets
     * that were not addressed to this host. Returns false when no address is known.
     */
    default boolean preferredSource(int ipVersion, long hi, long lo, long[] out) {
        return false;
    }

    /**
     * MASQUERADE's new source: IPv4 {@code inet_select_addr(dev, nexthop, RT_SCOPE_UNIVERSE)}
     * (the primary address of {@code dev} whose subnet holds the next hop towards {@code (hi, lo)},
     * else its first primary address of universe scope); IPv6 {@code ipv6_dev_get_saddr}
     * restricted to {@code dev}. Written to {@code out}; false when {@code dev} has none.
     */
    default boolean masqueradeSource(int ipVersion, String dev, long hi, long lo, long[] out) {
        return false;
    }

    /**
     * {@link #masqueradeSource(int, String, long, long, long[])} with the next hop taken from the
     * route the packet takes ({@code rt_nexthop(skb_rtable(skb), daddr)}; {@code route} is a
     * {@link #lookupFlow} handle, -1 when unknown).
     */
    default boolean masqueradeSource(int ipVersion, String dev, int route, long hi, long lo, long[] out) {
        return masqueradeSource(ipVersion, dev, hi, lo, out);
    }

    /**
     * REDIRECT's new destination in PREROUTING: the first primary IPv4 address of {@code dev};
     * IPv6: the first usable address of {@code dev} (of link scope when {@code (hi, lo)} is
     * link-local). Written to {@code out}; false when {@code dev} has none.
     */
    default boolean redirectDestination(int ipVersion, String dev, long hi, long lo, long[] out) {
        return false;
    }

    /**
     * The policy-routed FIB lookup for a flow (rules in priority order, then the table they
     * choose), as {@code fib_lookup} / {@code ip6_route_lookup}: a route handle for
     * {@link #type(int)} and {@link #device(int)}, or -1 when no route applies.
     *
     * @param tos IPv4 TOS byte / IPv6 traffic class of the flow
     * @param iif input interface of the flow ("lo" for LOOPBACK_IFINDEX)
     * @param oif interface the lookup is restricted to (RT6_LOOKUP_F_IFACE), or ""
     * @param uid the flow's uid
     */
    default int lookupFlow(int version, long dstHi, long dstLo, long srcHi, long srcLo, int mark, int tos, String iif,
                           String oif, int uid) {
        return -1;
    }

    /** Type bit of a route handle from {@link #lookupFlow}. */
    default int type(int route) {
        return 0;
    }

    /** Device of a route handle ("" for routes without one, e.g. blackhole). */
    default String device(int route) {
        return "";
    }

    /** Nothing is known: no local addresses, no routes. */
    AddressTypes NONE = new AddressTypes() {
        @Override
        public int typeMask(int ipVersion, long hi, long lo, String dev) {
            return UNICAST;
        }

        @Override
        public String routeDevice(int ipVersion, long hi, long lo) {
            return null;
        }

        @Override
        public int routeType(int ipVersion, long hi, long lo) {
            return 0;
        }
    };
}
