package io.stockade.host;

import io.stockade.engine.HostModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The host the rules run on: interfaces with their addresses and MTU, routing tables (any table
 * id), the policy routing rules that choose among them ({@link PolicyRule}; without any, Linux's
 * defaults: local, main, default) and the {@link Sysctls}. Answers the routing questions of the
 * packet path — local delivery, output interface and MTU, route type, reverse-path checks — and
 * the {@link io.stockade.engine.AddressTypes} view the addrtype/rpfilter matches read. Immutable once built (see
 * {@link HostLoader}); lookups scan flat arrays and allocate nothing.
 *
 * <p>A lookup ({@link #lookupFlow}) is {@code fib_rules_lookup}: rules in priority order, the
 * first whose selectors match the flow (source, destination, TOS, mark, input/output interface,
 * uid) acts — a table lookup that finds nothing or a {@code throw} route, or whose result is
 * suppressed, goes on with the next rule; {@code goto} continues at its target; unreachable,
 * prohibit and blackhole rules end the lookup with that route type.
 *
 * <p>LINUX-DIFF: multipath routes are not modelled, and a route's nexthop is not checked for
 * link state.
 */
public final class Host implements HostModel {
    public static final int TABLE_LOCAL = 255;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_DEFAULT = 253;
    /** Route handles past the configured routes: the results of unreachable, prohibit and blackhole rules. */
    private static final int[] REJECT_TYPES = {UNREACHABLE, PROHIBIT, BLACKHOLE};

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
    private final List<PolicyRule> rules;

    // Flat copies for the packet path.
    private final int[] rVersion, rTable, rType, rLen, rMetric, rMtu, rDevMtu;
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

    // Flat copies of the policy rules, both families, each family in priority order.
    private final int[] ruVersion, ruAction, ruTable, ruTos, ruMark, ruMask, ruSuppress, ruGoto, ruPrio;
    private final boolean[] ruNot, ruIifGone, ruOifGone;
    private final long[] ruSrcHi, ruSrcLo, ruSrcMaskHi, ruSrcMaskLo, ruDstHi, ruDstLo, ruDstMaskHi, ruDstMaskLo;
    private final long[] ruUidStart, ruUidEnd;
    private final boolean[] ruHasSrc;
    private final String[] ruIif, ruOif;
    private final boolean[] customRules = new boolean[7];

    /** A host with Linux's default policy rules. */
    public Host(List<Iface> ifaces, List<Route> routes, Sysctls sysctls) {
        this(ifaces, routes, List.of(), sysctls);
    }

    /**
     * @param rules policy rules of either family; a family without any gets Linux's defaults
     *              ({@link PolicyRule#defaults})
     */
    public Host(List<Iface> ifaces, List<Route> routes, List<PolicyRule> rules, Sysctls sysctls) {
        this.ifaces = List.copyOf(ifaces);
        this.routes = List.copyOf(routes);
        this.sysctls = sysctls;
        this.rules = orderedRules(rules);
        int n = routes.size() + REJECT_TYPES.length;
        rVersion = new int[n]; rTable = new int[n]; rType = new int[n]; rLen = new int[n]; rMetric = new int[n];
        rMtu = new int[n]; rDevMtu = new int[n]; rHi = new long[n]; rLo = new long[n]; rMaskHi = new long[n]; rMaskLo = new long[n];
        rDev = new String[n];
        rGwHi = new long[n]; rGwLo = new long[n]; rHasGw = new boolean[n];
        for (int i = 0; i < REJECT_TYPES.length; i++) {
            int k = routes.size() + i;
            rType[k] = REJECT_TYPES[i];
            rTable[k] = -1;
            rDev[k] = "";
        }
        for (int i = 0; i < routes.size(); i++) {
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
            Iface f = iface(r.dev());
            rDevMtu[i] = f == null ? 0 : f.mtu();
            rMtu[i] = r.mtu() != 0 ? r.mtu() : rDevMtu[i];
        }
        int nr = this.rules.size();
        ruVersion = new int[nr]; ruAction = new int[nr]; ruTable = new int[nr]; ruTos = new int[nr]; ruMark = new int[nr];
        ruMask = new int[nr]; ruSuppress = new int[nr]; ruGoto = new int[nr]; ruPrio = new int[nr];
        ruNot = new boolean[nr]; ruIifGone = new boolean[nr]; ruOifGone = new boolean[nr]; ruHasSrc = new boolean[nr];
        ruSrcHi = new long[nr]; ruSrcLo = new long[nr]; ruSrcMaskHi = new long[nr]; ruSrcMaskLo = new long[nr];
        ruDstHi = new long[nr]; ruDstLo = new long[nr]; ruDstMaskHi = new long[nr]; ruDstMaskLo = new long[nr];
        ruUidStart = new long[nr]; ruUidEnd = new long[nr];
        ruIif = new String[nr]; ruOif = new String[nr];
        for (int i = 0; i < nr; i++) {
            PolicyRule r = this.rules.get(i);
            int v = r.version();
            ruVersion[i] = v;
            ruPrio[i] = r.priority();
            ruAction[i] = r.action();
            ruTable[i] = r.table();
            ruTos[i] = r.tos();
            ruMark[i] = r.fwmark();
            ruMask[i] = r.fwmask();
            ruSuppress[i] = r.suppressPrefixLength();
            ruNot[i] = r.not();
            ruUidStart[i] = r.uidStart();
            ruUidEnd[i] = r.uidEnd();
            if (r.from() != null) {
                ruHasSrc[i] = r.from().length() > 0;
                ruSrcHi[i] = r.from().hi();
                ruSrcLo[i] = r.from().lo();
                ruSrcMaskHi[i] = Addresses.maskHi(v, r.from().length());
                ruSrcMaskLo[i] = Addresses.maskLo(v, r.from().length());
            }
            if (r.to() != null) {
                ruDstHi[i] = r.to().hi();
                ruDstLo[i] = r.to().lo();
                ruDstMaskHi[i] = Addresses.maskHi(v, r.to().length());
                ruDstMaskLo[i] = Addresses.maskLo(v, r.to().length());
            }
            // A rule naming a device that does not exist is "detached": it never matches.
            ruIif[i] = r.iif();
            ruIifGone[i] = r.iif() != null && !r.iif().equals("lo") && iface(r.iif()) == null;
            ruOif[i] = r.oif();
            ruOifGone[i] = r.oif() != null && !r.oif().equals("lo") && iface(r.oif()) == null;
            // The goto target is the first rule of that priority (fib_nl_newrule's ctarget); -1 unresolved.
            ruGoto[i] = -1;
            if (r.action() == PolicyRule.GOTO) {
                for (int k = i + 1; k < nr; k++) {
                    if (this.rules.get(k).version() == v && this.rules.get(k).priority() == r.gotoPriority()) {
                        ruGoto[i] = k;
                        break;
                    }
                }
            }
        }
        for (int v : new int[] {4, 6}) {
            customRules[v] = !this.rules.stream().filter(r -> r.version() == v).toList().equals(PolicyRule.defaults(v));
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
     * The FIB lookup for a packet the host itself sends to {@code dst} with no source chosen and
     * no mark ({@link #lookupFlow} with input interface {@code lo}); -1 if none.
     */
    @Override
    public int lookup(int version, long hi, long lo) {
        return lookupFlow(version, hi, lo, 0, 0, 0, 0, "lo", "", 0);
    }

    /**
     * fib_lookup / fib6_rule_lookup for a flow: the rules of {@code version} in priority order,
     * then the chosen table (longest prefix, then lowest metric; with {@code oif} only routes
     * through it, and routes without a device). Returns a route handle — also for the
     * unreachable/prohibit/blackhole routes and rules that end a lookup in error — or -1 when no
     * rule produced a route.
     *
     * @param tos  the IPv4 TOS byte / IPv6 traffic class (a rule's {@code tos} compares with its
     *             DSCP bits: IPv4 the legacy TOS bits 0x1c, IPv6 0xfc)
     * @param iif  the input interface; {@code lo} for locally generated packets (LOOPBACK_IFINDEX)
     * @param oif  the output interface the flow is bound to, or ""
     * @param uid  the flow's uid (the socket's; 0 for received packets)
     */
    @Override
    public int lookupFlow(int version, long dstHi, long dstLo, long srcHi, long srcLo, int mark, int tos,
                          String iif, String oif, int uid) {
        return (int) lookupPacked(version, dstHi, dstLo, srcHi, srcLo, mark, tos, iif, oif, uid);
    }

    /**
     * The policy rule that decided {@link #lookupFlow}'s answer for this flow, in {@code ip rule}
     * form ("100: fwmark 0x1 lookup 100"), or null when no rule produced a route. For traces: allocates.
     */
    @Override
    public String decidingRule(int version, long dstHi, long dstLo, long srcHi, long srcLo, int mark, int tos,
                               String iif, String oif, int uid) {
        int k = (int) (lookupPacked(version, dstHi, dstLo, srcHi, srcLo, mark, tos, iif, oif, uid) >> 32);
        if (k < 0) {
            return null;
        }
        PolicyRule r = rules.get(k);
        StringBuilder sb = new StringBuilder().append(r.priority()).append(':');
        if (r.not()) {
            sb.append(" not");
        }
        sb.append(" from ").append(r.from() == null ? "all"
                : Addresses.format(version, r.from().hi(), r.from().lo()) + "/" + r.from().length());
        if (r.to() != null) {
            sb.append(" to ").append(Addresses.format(version, r.to().hi(), r.to().lo())).append('/').append(r.to().length());
        }
        if (r.tos() != 0) {
            sb.append(" tos 0x").append(Integer.toHexString(r.tos()));
        }
        if (r.fwmask() != 0) {
            sb.append(" fwmark 0x").append(Integer.toHexString(r.fwmark()));
            if (r.fwmask() != -1) {
                sb.append("/0x").append(Integer.toHexString(r.fwmask()));
            }
        }
        if (r.iif() != null) {
            sb.append(" iif ").append(r.iif());
        }
        if (r.oif() != null) {
            sb.append(" oif ").append(r.oif());
        }
        if (r.uidStart() >= 0) {
            sb.append(" uidrange ").append(r.uidStart()).append('-').append(r.uidEnd());
        }
        switch (r.action()) {
            case PolicyRule.UNREACHABLE -> sb.append(" unreachable");
            case PolicyRule.PROHIBIT -> sb.append(" prohibit");
            case PolicyRule.BLACKHOLE -> sb.append(" blackhole");
            default -> sb.append(" lookup ").append(switch (r.table()) {
                case TABLE_LOCAL -> "local";
                case TABLE_MAIN -> "main";
                case TABLE_DEFAULT -> "default";
                default -> Integer.toString(r.table());
            });
        }
        return sb.toString();
    }

    /** The lookup: deciding rule index in the high 32 bits (-1 none), route handle in the low 32 (-1 none). */
    private long lookupPacked(int version, long dstHi, long dstLo, long srcHi, long srcLo, int mark, int tos,
                              String iif, String oif, int uid) {
        int dscp = version == 4 ? tos & 0x1c : tos & 0xfc;
        boolean hasSrc = version == 4 || srcHi != 0 || srcLo != 0;
        int n = ruVersion.length;
        for (int k = 0; k < n; k++) {
            if (ruVersion[k] != version) {
                continue;
            }
            boolean m = ruleMatches(k, dstHi, dstLo, srcHi, srcLo, hasSrc, mark, dscp, iif, oif, uid);
            if (m == ruNot[k]) {
                continue;
            }
            switch (ruAction[k]) {
                case PolicyRule.GOTO -> {
                    if (ruGoto[k] >= 0) {
                        k = ruGoto[k] - 1; // fib_rules_lookup's "goto jumped": test the target, go on from there
                    }
                }
                case PolicyRule.NOP -> {
                }
                case PolicyRule.UNREACHABLE -> {
                    return packed(k, routes.size());
                }
                case PolicyRule.PROHIBIT -> {
                    return packed(k, routes.size() + 1);
                }
                case PolicyRule.BLACKHOLE -> {
                    return packed(k, routes.size() + 2);
                }
                default -> {
                    int r = tableLookup(version, ruTable[k], dstHi, dstLo, oif);
                    if (r < 0 || rType[r] == THROW) {
                        continue; // -EAGAIN: the next rule
                    }
                    int t = rType[r];
                    boolean error = t == BLACKHOLE || t == UNREACHABLE || t == PROHIBIT;
                    if (!error && rLen[r] <= ruSuppress[k]) {
                        continue; // fib4_rule_suppress / fib6_rule_suppress
                    }
                    return packed(k, r);
                }
            }
        }
        return packed(-1, -1);
    }

    private static long packed(int rule, int route) {
        return ((long) rule << 32) | (route & 0xffffffffL);
    }

    private boolean ruleMatches(int k, long dstHi, long dstLo, long srcHi, long srcLo, boolean hasSrc, int mark,
                                int dscp, String iif, String oif, int uid) {
        if (ruIif[k] != null && (ruIifGone[k] || !ruIif[k].equals(iif))) {
            return false;
        }
        if (ruOif[k] != null && (ruOifGone[k] || !ruOif[k].equals(oif))) {
            return false;
        }
        if (((ruMark[k] ^ mark) & ruMask[k]) != 0) {
            return false;
        }
        if (ruUidStart[k] >= 0 && ((uid & 0xffffffffL) < ruUidStart[k] || (uid & 0xffffffffL) > ruUidEnd[k])) {
            return false;
        }
        if (ruHasSrc[k] && (!hasSrc || (srcHi & ruSrcMaskHi[k]) != ruSrcHi[k] || (srcLo & ruSrcMaskLo[k]) != ruSrcLo[k])) {
            return false;
        }
        if ((dstHi & ruDstMaskHi[k]) != ruDstHi[k] || (dstLo & ruDstMaskLo[k]) != ruDstLo[k]) {
            return false;
        }
        return ruTos[k] == 0 || ruTos[k] == dscp;
    }

    /** fib_table_lookup in one table: longest prefix, then lowest metric; -1 if nothing matches. */
    private int tableLookup(int version, int table, long hi, long lo, String oif) {
        int best = -1;
        for (int i = 0; i < rVersion.length; i++) {
            if (rVersion[i] != version || rTable[i] != table) {
                continue;
            }
            if ((hi & rMaskHi[i]) != rHi[i] || (lo & rMaskLo[i]) != rLo[i]) {
                continue;
            }
            if (!oif.isEmpty() && !rDev[i].isEmpty() && !rDev[i].equals(oif)) {
                continue;
            }
            if (best < 0 || rLen[i] > rLen[best] || (rLen[i] == rLen[best] && rMetric[i] < rMetric[best])) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public boolean ruleResult(int route) {
        return route >= routes.size();
    }

    /** True when {@code version}'s policy rules differ from Linux's defaults (fib4_has_custom_rules). */
    @Override
    public boolean customRules(int version) {
        return customRules[version];
    }

    /** The policy rules, both families, each in priority order. */
    public List<PolicyRule> rules() {
        return rules;
    }

    private static List<PolicyRule> orderedRules(List<PolicyRule> given) {
        List<PolicyRule> out = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            List<PolicyRule> fam = new ArrayList<>(given.stream().filter(r -> r.version() == v).toList());
            if (fam.isEmpty()) {
                fam.addAll(PolicyRule.defaults(v));
            }
            fam.sort(java.util.Comparator.comparingInt(PolicyRule::priority)); // stable: equal priorities keep their order
            out.addAll(fam);
        }
        return List.copyOf(out);
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

    /** MTU of route {@code i}'s interface (0 without one). */
    @Override
    public int deviceMtu(int route) {
        return rDevMtu[route];
    }

    /** Prefix length of route {@code i}. */
    @Override
    public int prefixLength(int route) {
        return rLen[route];
    }

    /** The route object (control plane / output); null for the result of an unreachable/prohibit/blackhole rule. */
    public Route route(int i) {
        return i < routes.size() ? routes.get(i) : null;
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
     * Without the packet's route ({@code route} -1) the next hop comes from {@link #lookup}.
     * LINUX-DIFF: IPv6 does not apply the rest of RFC 6724 (deprecated, temporary, labels).
     */
    @Override
    public boolean masqueradeSource(int ipVersion, String dev, long hi, long lo, long[] out) {
        return masqueradeSource(ipVersion, dev, -1, hi, lo, out);
    }

    @Override
    public boolean masqueradeSource(int ipVersion, String dev, int route, long hi, long lo, long[] out) {
        if (ipVersion == 6) {
            return devAddress6(dev, (hi >>> 54) == 0x3fa, out);
        }
        long nh = lo;
        int r = route >= 0 && route < routes.size() ? route : lookup(4, hi, lo);
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
    public boolean srcValidMark() {
        return sysctls.srcValidMark != 0;
    }

    @Override
    public boolean hasAddress(int version, String dev) {
        for (int i = 0; i < aVersion.length; i++) {
            if (aVersion[i] == version && aDev[i].equals(dev)) {
                return true;
            }
        }
        return false;
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
