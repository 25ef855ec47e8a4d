package io.stockade.host;

import io.stockade.engine.HostModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The host the rules run on: interfaces with their addresses and MTU, the routing tables
 * {@code local} (255), {@code main} (254) and {@code default} (253) consulted in that order as
 * Linux's default policy rules do, and the {@link Sysctls}. Answers the routing questions of the
 * packet path — local delivery, output interface and MTU, route type, reverse-path checks — and
 * the {@link io.stockade.engine.AddressTypes} view the addrtype/rpfilter matches read. Immutable once built (see
 * {@link HostLoader}); lookups scan flat arrays and allocate nothing.
 *
 * <p>LINUX-DIFF: policy routing rules ({@code ip rule}) other than the three default ones, and
 * multipath routes, are not modelled; routes in other tables are ignored.
 */
public final class Host implements HostModel {
    public static final int TABLE_LOCAL = 255;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_DEFAULT = 253;
    private static final int[] TABLE_ORDER = {TABLE_LOCAL, TABLE_MAIN, TABLE_DEFAULT};

    /** An interface. */
    public record Iface(String name, int index, int mtu, boolean loopback, List<Addresses.Prefix> addresses) {
    }

    /**
     * A route. {@code type} is a type bit of {@link io.stockade.engine.AddressTypes} (UNICAST, LOCAL, BROADCAST,
     * MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW); {@code mtu} 0 means the interface's.
     */
    public record Route(int version, int table, int type, Addresses.Prefix dst, Addresses.Ip gateway,
                        String dev, int metric, int mtu) {
    }

    public final Sysctls sysctls;
    private final List<Iface> ifaces;
    private final List<Route> routes;

    // Flat copies for the packet path.
    private final int[] rVersion, rTable, rType, rLen, rMetric, rMtu;
    private final long[] rHi, rLo, rMaskHi, rMaskLo;
    private final String[] rDev;
    private final String[] aDev;
    private final int[] aVersion;
    private final long[] aHi, aLo;
    private final int[] aLen;
    /** IPv4 addresses the kernel would hold as IFA_F_SECONDARY (same subnet as an earlier primary on the device). */
    private final boolean[] aSecondary;
    /** Next hop of each route (its gateway), and whether it has one. */
    private final long[] rGwHi, rGwLo;
    private final boolean[] rHasGw;
    private final String[] ifName;
    private final boolean[] ifLoopback;

    public Host(List<Iface> ifaces, List<Route> routes, Sysctls sysctls) {
        this.ifaces = List.copyOf(ifaces);
        this.routes = List.copyOf(routes);
        this.sysctls = sysctls;
        int n = routes.size();
        rVersion = new int[n]; rTable = new int[n]; rType = new int[n]; rLen = new int[n]; rMetric = new int[n];
        rMtu = new int[n]; rHi = new long[n]; rLo = new long[n]; rMaskHi = new long[n]; rMaskLo = new long[n];
        rDev = new String[n];
        rGwHi = new long[n]; rGwLo = new long[n]; rHasGw = new boolean[n];
        for (int i = 0; i < n; i++) {
            Route r = routes.get(i);
            rVersion[i] = r.version();
            rTable[i] = r.table();
            rType[i] = r.type();
            rLen[i] = r.dst().length();
            rMetric[i] = r.metric();
            rHi[i] = r.dst().hi();
            rLo[i] = r.dst().lo();
            rMaskHi[i] = Addresses.maskHi(r.version(), r.dst().length());
            rMaskLo[i] = Addresses.maskLo(r.version(), r.dst().length());
            rDev[i] = r.dev() == null ? "" : r.dev();
            if (r.gateway() != null) {
                rHasGw[i] = true;
                rGwHi[i] = r.gateway().hi();
                rGwLo[i] = r.gateway().lo();
            }
            int mtu = r.mtu();
            if (mtu == 0) {
                Iface f = iface(r.dev());
                mtu = f == null ? 0 : f.mtu();
            }
            rMtu[i] = mtu;
        }
        ifName = new String[ifaces.size()];
        ifLoopback = new boolean[ifaces.size()];
        for (int i = 0; i < ifName.length; i++) {
            ifName[i] = ifaces.get(i).name();
            ifLoopback[i] = ifaces.get(i).loopback();
        }
        List<String> dev = new ArrayList<>();
        List<Addresses.Prefix> addrs = new ArrayList<>();
        for (Iface f : ifaces) {
            for (Addresses.Prefix p : f.addresses()) {
                dev.add(f.name());
                addrs.add(p);
            }
        }
        aDev = dev.toArray(new String[0]);
        aVersion = new int[addrs.size()];
        aHi = new long[addrs.size()];
        aLo = new long[addrs.size()];
        for (int i = 0; i < addrs.size(); i++) {
            aVersion[i] = addrs.get(i).version();
            aHi[i] = addrs.get(i).hi();
            aLo[i] = addrs.get(i).lo();
        }
        aLen = new int[addrs.size()];
        aSecondary = new boolean[addrs.size()];
        for (int i = 0; i < addrs.size(); i++) {
            aLen[i] = addrs.get(i).length();
            if (aVersion[i] != 4) {
                continue;
            }
            long mask = Addresses.maskLo(4, aLen[i]);
            for (int k = 0; k < i; k++) {
                if (aVersion[k] == 4 && !aSecondary[k] && aDev[k].equals(aDev[i]) && aLen[k] == aLen[i]
                        && (aLo[k] & mask) == (aLo[i] & mask)) {
                    aSecondary[i] = true;
                    break;
                }
            }
        }
    }

    public List<Iface> interfaces() {
        return ifaces;
    }

    public List<Route> routes() {
        return routes;
    }

    /** The interface with this name, or null. */
    public Iface iface(String name) {
        for (Iface f : ifaces) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** The interface with this ifindex, or null. */
    public Iface ifaceByIndex(int index) {
        for (Iface f : ifaces) {
            if (f.index() == index) {
                return f;
            }
        }
        return null;
    }

    /**
     * The FIB lookup: index of the route that applies to {@code dst} (tables local, main, default;
     * longest prefix, then lowest metric; a {@code throw} route continues with the next table),
     * or -1 if none.
     */
    @Override
    public int lookup(int version, long hi, long lo) {
        for (int table : TABLE_ORDER) {
            int best = -1;
            for (int i = 0; i < rVersion.length; i++) {
                if (rVersion[i] != version || rTable[i] != table) {
                    continue;
                }
                if ((hi & rMaskHi[i]) != rHi[i] || (lo & rMaskLo[i]) != rLo[i]) {
                    continue;
                }
                if (best < 0 || rLen[i] > rLen[best] || (rLen[i] == rLen[best] && rMetric[i] < rMetric[best])) {
                    best = i;
                }
            }
            if (best >= 0 && rType[best] != THROW) {
                return best;
            }
        }
        return -1;
    }

    /** Type bit of route {@code i}. */
    @Override
    public int type(int route) {
        return rType[route];
    }

    /** Output device of route {@code i} ("" for blackhole-like routes). */
    @Override
    public String device(int route) {
        return rDev[route];
    }

    /** MTU of route {@code i}: its own {@code mtu} metric, else its interface's. */
    @Override
    public int mtu(int route) {
        return rMtu[route];
    }

    /** Prefix length of route {@code i}. */
    @Override
    public int prefixLength(int route) {
        return rLen[route];
    }

    /** The route object (control plane / output). */
    public Route route(int i) {
        return routes.get(i);
    }

    /** True if the address is configured on an interface (on {@code dev} unless it is ""). */
    @Override
    public boolean isLocalAddress(int version, long hi, long lo, String dev) {
        for (int i = 0; i < aVersion.length; i++) {
            if (aVersion[i] == version && aHi[i] == hi && aLo[i] == lo && (dev.isEmpty() || aDev[i].equals(dev))) {
                return true;
            }
        }
        return false;
    }

    /** The first address of {@code version} configured on {@code dev} (for replies sent from it), or null. */
    public Addresses.Prefix primaryAddress(String dev, int version) {
        Iface f = iface(dev);
        if (f != null) {
            for (Addresses.Prefix p : f.addresses()) {
                if (p.version() == version) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * The source the host would give a packet to {@code (hi, lo)}: an address of the output
     * device of the route to it, preferring (IPv6) one of the destination's scope (link-local or
     * not), as REJECT needs for errors about forwarded packets. Allocation-free.
     * LINUX-DIFF: routes carry no {@code src} hint here and the rest of RFC 6724 is not applied.
     */
    @Override
    public boolean preferredSource(int ipVersion, long hi, long lo, long[] out) {
        int r = lookup(ipVersion, hi, lo);
        if (r < 0) {
            return false;
        }
        String dev = rDev[r];
        boolean dstLinkLocal = ipVersion == 6 && (hi >>> 54) == 0x3fa;
        int fallback = -1;
        for (int i = 0; i < aVersion.length; i++) {
            if (aVersion[i] != ipVersion || !aDev[i].equals(dev)) {
                continue;
            }
            boolean linkLocal = ipVersion == 6 && (aHi[i] >>> 54) == 0x3fa;
            if (linkLocal == dstLinkLocal) {
                out[0] = aHi[i];
                out[1] = aLo[i];
                return true;
            }
            if (fallback < 0) {
                fallback = i;
            }
        }
        if (fallback < 0) {
            return false;
        }
        out[0] = aHi[fallback];
        out[1] = aLo[fallback];
        return true;
    }

    /**
     * inet_select_addr(dev, rt_nexthop(route, dst), RT_SCOPE_UNIVERSE) for IPv4; for IPv6 an
     * address of {@code dev}, preferring the destination's scope (link-local or not).
     * LINUX-DIFF: IPv6 does not apply the rest of RFC 6724 (deprecated, temporary, labels).
     */
    @Override
    public boolean masqueradeSource(int ipVersion, String dev, long hi, long lo, long[] out) {
        if (ipVersion == 6) {
            return devAddress6(dev, (hi >>> 54) == 0x3fa, out);
        }
        long nh = lo;
        int r = lookup(4, hi, lo);
        if (r >= 0 && rHasGw[r]) {
            nh = rGwLo[r];
        }
        int first = -1;
        for (int i = 0; i < aVersion.length; i++) {
            if (aVersion[i] != 4 || aSecondary[i] || !aDev[i].equals(dev) || (aLo[i] >>> 24) == 127) {
                continue; // secondaries and host-scope (127/8) addresses are skipped
            }
            long mask = Addresses.maskLo(4, aLen[i]);
            if ((aLo[i] & mask) == (nh & mask)) {
                first = i;
                break;
            }
            if (first < 0) {
                first = i;
            }
        }
        if (first < 0) {
            return false;
        }
        out[0] = 0;
        out[1] = aLo[first];
        return true;
    }

    /**
     * nf_nat_redirect_ipv4: the input device's first primary address ({@code ifa_list}); IPv6:
     * its first global address, or (for a link-local destination) its first link-local one.
     */
    @Override
    public boolean redirectDestination(int ipVersion, String dev, long hi, long lo, long[] out) {
        if (ipVersion == 6) {
            return devAddress6(dev, (hi >>> 54) == 0x3fa, out);
        }
        for (int i = 0; i < aVersion.length; i++) {
            if (aVersion[i] == 4 && !aSecondary[i] && aDev[i].equals(dev)) {
                out[0] = 0;
                out[1] = aLo[i];
                return true;
            }
        }
        return false;
    }

    /** An IPv6 address of dev, of the wanted scope if it has one (link-local wanted or not), else any. */
    private boolean devAddress6(String dev, boolean linkLocal, long[] out) {
        int fallback = -1;
        for (int i = 0; i < aVersion.length; i++) {
            if (aVersion[i] != 6 || !aDev[i].equals(dev)) {
                continue;
            }
            if (((aHi[i] >>> 54) == 0x3fa) == linkLocal) {
                out[0] = aHi[i];
                out[1] = aLo[i];
                return true;
            }
            if (fallback < 0) {
                fallback = i;
            }
        }
        if (fallback < 0 || linkLocal) {
            return false;
        }
        out[0] = aHi[fallback];
        out[1] = aLo[fallback];
        return true;
    }

    @Override
    public int typeMask(int ipVersion, long hi, long lo, String dev) {
        if (ipVersion == 4) {
            return 1 << inetDevAddrType(lo & 0xffffffffL, dev);
        }
        int bits;
        if ((hi >>> 56) == 0xff) {
            bits = MULTICAST;
        } else if (hi == 0 && lo == 0) {
            bits = UNSPEC;
        } else {
            bits = UNICAST;
        }
        // match_lookup_rt6: no route or a reject route → UNREACHABLE; a local route → LOCAL.
        int r = lookup(6, hi, lo);
        if (r < 0) {
            bits |= UNREACHABLE;
        } else {
            int t = rType[r];
            if (t == BLACKHOLE || t == UNREACHABLE || t == PROHIBIT) {
                bits |= UNREACHABLE;
            } else if (t == LOCAL && (dev.isEmpty() || rDev[r].equals(dev) || isLocalAddress(6, hi, lo, dev))) {
                bits |= LOCAL;
            }
        }
        return bits;
    }

    /** __inet_dev_addr_type: the RTN_* number of an IPv4 address, looked up in the local table. */
    private int inetDevAddrType(long a, String dev) {
        if ((a >>> 24) == 0 || a == 0xffffffffL) {
            return 3; // RTN_BROADCAST (zeronet and limited broadcast)
        }
        if ((a >>> 28) == 0xe) {
            return 5; // RTN_MULTICAST
        }
        int best = -1;
        for (int i = 0; i < rVersion.length; i++) {
            if (rVersion[i] != 4 || rTable[i] != TABLE_LOCAL || (a & rMaskLo[i]) != rLo[i]) {
                continue;
            }
            if (best < 0 || rLen[i] > rLen[best] || (rLen[i] == rLen[best] && rMetric[i] < rMetric[best])) {
                best = i;
            }
        }
        if (best < 0 || (!dev.isEmpty() && !rDev[best].equals(dev))) {
            return 1; // RTN_UNICAST
        }
        return Integer.numberOfTrailingZeros(rType[best]);
    }

    @Override
    public String routeDevice(int ipVersion, long hi, long lo) {
        int r = lookup(ipVersion, hi, lo);
        if (r < 0) {
            return null;
        }
        int t = rType[r];
        if (t == BLACKHOLE || t == UNREACHABLE || t == PROHIBIT) {
            return null;
        }
        return t == LOCAL ? "lo" : rDev[r];
    }

    @Override
    public int routeType(int ipVersion, long hi, long lo) {
        int r = lookup(ipVersion, hi, lo);
        return r < 0 ? 0 : rType[r];
    }

    @Override
    public boolean isLoopback(String dev) {
        for (int i = 0; i < ifName.length; i++) {
            if (ifName[i].equals(dev)) {
                return ifLoopback[i];
            }
        }
        return false;
    }

    @Override
    public boolean forwarding(int version) {
        return (version == 6 ? sysctls.ip6Forward : sysctls.ipForward) != 0;
    }

    @Override
    public int rpFilter() {
        return sysctls.rpFilter;
    }

    @Override
    public boolean acceptLocal() {
        return sysctls.acceptLocal != 0;
    }

    @Override
    public boolean routeLocalnet() {
        return sysctls.routeLocalnet != 0;
    }

    @Override
    public int icmpRatelimit() {
        return sysctls.icmpRatelimit;
    }

    @Override
    public int icmpRatemask() {
        return sysctls.icmpRatemask;
    }

    @Override
    public int icmpMsgsPerSec() {
        return sysctls.icmpMsgsPerSec;
    }

    @Override
    public int icmpMsgsBurst() {
        return sysctls.icmpMsgsBurst;
    }

    @Override
    public int icmp6Ratelimit() {
        return sysctls.icmp6Ratelimit;
    }
}
