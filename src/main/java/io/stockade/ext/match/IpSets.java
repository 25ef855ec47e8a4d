package io.stockade.ext.match;

import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Family;
import io.stockade.rules.ParameterProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ipsets the {@code set} match and the {@code SET} target name: a registry filled from
 * {@code ipset save} text ({@link #load}). Types: {@code hash:ip}, {@code hash:net}, {@code hash:ip,port},
 * {@code hash:net,port}, {@code hash:ip,port,ip}, {@code hash:ip,port,net}, {@code hash:net,port,net},
 * {@code hash:net,net}, {@code bitmap:ip}, {@code bitmap:port} and {@code list:set}. Entries are kept
 * as flat ranges (an address or CIDR is a range; a port carries its protocol, default tcp) and tested
 * by a linear scan without allocation.
 *
 * <p>Sets are writable from the packet path (the SET target, {@link IpSet#addFromPacket} and
 * {@link IpSet#delFromPacket}): per-entry timeouts on packet time when the set was created with
 * {@code timeout} (entries past their time neither match nor count as present; {@code --exist}
 * re-adding refreshes them), {@code maxelem}, bitmap ranges, and the {@code skbinfo} extension
 * ({@code skbmark}/{@code skbprio}/{@code skbqueue}) that {@code --map-set} reads. Loading again
 * replaces sets of the same name. Packet-path methods are not synchronized: one packet path.
 */
public final class IpSets {
    private static final Map<String, IpSet> SETS = new ConcurrentHashMap<>();

    private IpSets() {
    }

    /** The set named {@code name}, or null. */
    public static IpSet get(String name) {
        return SETS.get(name);
    }

    /**
     * The SET target's {@code --map-set} (match_set with the MAP flags): when the packet's values
     * are in {@code set}, the element's skbinfo goes into the packet: {@code mark = (mark & ~skbmarkmask)
     * ^ skbmark} and {@code priority = skbprio} (zeros for a set without skbinfo, as the kernel's
     * options start zeroed). Returns whether the packet was in the set.
     */
    public static boolean map(IpSet set, io.stockade.engine.Skb skb, int dim, int srcBits, boolean mark,
                              boolean prio) {
        IpSet in = set.find(skb.pd, dim, srcBits, 0, skb.timeNanos);
        if (in == null) {
            return false;
        }
        int e = in.lastFound;
        boolean info = in.skbinfo;
        if (mark) {
            skb.mark = (skb.mark & ~(info ? in.skbMask[e] : 0)) ^ (info ? in.skbMark[e] : 0);
        }
        if (prio) {
            skb.priority = info ? in.skbPrio[e] : 0;
        }
        return true;
    }

    /** Removes every set. */
    public static void clear() {
        SETS.clear();
    }

    /** Dimension kinds. */
    static final int IP = 0;
    static final int PORT = 1;

    /** One set: its kind of each dimension and the entries, dimension-major in flat arrays. */
    public static final class IpSet {
        /** IPSET_MAX_TIMEOUT: the kernel caps element timeouts at this many seconds. */
        static final long MAX_TIMEOUT = 2147483;
        private static final long SEC = 1_000_000_000L;

        final String name;
        final String type;
        final Family family;
        final int[] kinds;
        final boolean list;
        final boolean bitmap;
        final List<String> members = new ArrayList<>();
        IpSet[] memberSets = new IpSet[0];
        /** Per entry and dimension: address range [loHi, loLo, hiHi, hiLo] or port [proto, lo, hi]. */
        long[] data = new long[0];
        /** Per entry: absolute expiry in packet-time nanoseconds, 0 = permanent. */
        long[] expires = new long[0];
        /** Per entry: timeout in seconds of an entry loaded from save text, not yet anchored to packet time. */
        long[] loadedTimeout = new long[0];
        /** Per entry skbinfo: mark, mark mask, priority, queue (-1 = none). */
        int[] skbMark = new int[0];
        int[] skbMask = new int[0];
        int[] skbPrio = new int[0];
        int[] skbQueue = new int[0];
        int count;
        final int stride;
        /** Created with {@code timeout}: default element timeout in seconds, -1 without timeout support. */
        long timeout = -1;
        boolean skbinfo;
        int maxelem = 65536;
        /** bitmap:ip / bitmap:port range as one entry's worth of data (null: unknown, no limit). */
        long[] range;
        private boolean anchored = true;

        IpSet(String name, String type, Family family) throws ParameterProblem {
            this.name = name;
            this.type = type;
            this.family = family;
            this.list = type.equals("list:set");
            this.bitmap = type.startsWith("bitmap:");
            if (list) {
                kinds = new int[0];
                netDims = new boolean[0];
            } else {
                String[] parts = type.substring(type.indexOf(':') + 1).split(",");
                kinds = new int[parts.length];
                netDims = new boolean[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    netDims[i] = parts[i].equals("net") && !bitmap;
                    kinds[i] = switch (parts[i]) {
                        case "ip", "net" -> IP;
                        case "port" -> PORT;
                        default -> throw new ParameterProblem("ipset type " + type + " is not supported");
                    };
                }
            }
            stride = kinds.length * 4;
            anyFamily = type.equals("bitmap:port");
        }

        /** Which dimensions are {@code net} (hash types): the kernel side adds them with a prefix. */
        final boolean[] netDims;
        /** Per dimension, the prefix length the packet's address is masked to for add/del (scratch). */
        private final int[] kadtPrefix = new int[6];

        /** bitmap:port is NFPROTO_UNSPEC: it takes packets of both families. */
        final boolean anyFamily;

        private boolean familyOk(PacketDescriptor pd) {
            return anyFamily || pd.ipVersion == family.version;
        }

        public String name() {
            return name;
        }

        /** Number of dimensions (1 for list:set, whose members bring their own). */
        public int dimension() {
            return list ? 1 : kinds.length;
        }

        /** The set's family. */
        public Family family() {
            return family;
        }

        /** Whether the set was created with the skbinfo extension. */
        public boolean hasSkbinfo() {
            return skbinfo;
        }

        private void ensureCapacity() {
            if (count < expires.length) {
                return;
            }
            int n = Math.max(16, expires.length * 2);
            data = java.util.Arrays.copyOf(data, n * stride);
            expires = java.util.Arrays.copyOf(expires, n);
            loadedTimeout = java.util.Arrays.copyOf(loadedTimeout, n);
            skbMark = java.util.Arrays.copyOf(skbMark, n);
            skbMask = java.util.Arrays.copyOf(skbMask, n);
            skbPrio = java.util.Arrays.copyOf(skbPrio, n);
            skbQueue = java.util.Arrays.copyOf(skbQueue, n);
        }

        /** One {@code add NAME ELEMENT [timeout N] [skbmark M[/MASK]] [skbprio A:B] [skbqueue Q]} line's fields. */
        void add(String[] f) throws ParameterProblem {
            String entry = f[2];
            if (list) {
                members.add(entry);
                return;
            }
            String[] parts = entry.split(",");
            if (parts.length != kinds.length) {
                throw new ParameterProblem("ipset: bad element `" + entry + "' for " + type);
            }
            ensureCapacity();
            int o = count * stride;
            for (int d = 0; d < kinds.length; d++) {
                long[] c = kinds[d] == IP ? range(parts[d]) : port(parts[d]);
                System.arraycopy(c, 0, data, o + d * 4, 4);
            }
            expires[count] = 0;
            loadedTimeout[count] = 0;
            skbMark[count] = 0;
            skbMask[count] = 0;
            skbPrio[count] = 0;
            skbQueue[count] = -1;
            for (int i = 3; i + 1 < f.length; i += 2) {
                switch (f[i]) {
                    case "timeout" -> {
                        long t = Long.parseLong(f[i + 1]);
                        if (timeout >= 0 && t > 0) {
                            loadedTimeout[count] = t;
                            anchored = false;
                        }
                    }
                    case "skbmark" -> {
                        String[] mm = f[i + 1].split("/");
                        skbMark[count] = (int) Long.decode(mm[0]).longValue();
                        skbMask[count] = mm.length > 1 ? (int) Long.decode(mm[1]).longValue() : -1;
                    }
                    case "skbprio" -> {
                        String[] ab = f[i + 1].split(":");
                        skbPrio[count] = (Integer.parseInt(ab[0], 16) << 16) | Integer.parseInt(ab[1], 16);
                    }
                    case "skbqueue" -> skbQueue[count] = Integer.parseInt(f[i + 1]);
                    default -> {
                        // packets/bytes counters, comment, nomatch: not kept
                    }
                }
            }
            count++;
        }

        private long[] range(String s) throws ParameterProblem {
            int dash = s.indexOf('-');
            if (dash > 0) {
                long[] a = addr(s.substring(0, dash));
                long[] b = addr(s.substring(dash + 1));
                return new long[] {a[0], a[1], b[0], b[1]};
            }
            int slash = s.indexOf('/');
            long[] a = addr(slash < 0 ? s : s.substring(0, slash));
            int bits = slash < 0 ? family.addressBits : Integer.parseInt(s.substring(slash + 1));
            long[] m = Xt.prefixMask(bits, family);
            long full = family == Family.IPV4 ? 0xffffffffL : -1L;
            long fullHi = family == Family.IPV4 ? 0 : -1L;
            return new long[] {a[0] & m[0], a[1] & m[1], (a[0] & m[0]) | (~m[0] & fullHi), (a[1] & m[1]) | (~m[1] & full)};
        }

        private long[] addr(String s) throws ParameterProblem {
            long[] a = family == Family.IPV4 ? Xt.ipv4(s) : Xt.ipv6(s);
            if (a == null) {
                throw new ParameterProblem("ipset: bad address `" + s + "' in set " + name);
            }
            return a;
        }

        private static long[] port(String s) throws ParameterProblem {
            int colon = s.indexOf(':');
            int proto = colon < 0 ? 6 : Xt.protocol(s.substring(0, colon));
            String p = colon < 0 ? s : s.substring(colon + 1);
            int dash = p.indexOf('-');
            int lo = Xt.port(dash < 0 ? p : p.substring(0, dash), "tcp");
            int hi = dash < 0 ? lo : Xt.port(p.substring(dash + 1), "tcp");
            return new long[] {proto, lo, hi, 0};
        }

        /** Loaded entries' timeouts start at the first packet that touches the set. */
        private void anchor(long now) {
            if (anchored) {
                return;
            }
            anchored = true;
            for (int e = 0; e < count; e++) {
                if (loadedTimeout[e] > 0) {
                    expires[e] = expiry(now, loadedTimeout[e]);
                    loadedTimeout[e] = 0;
                }
            }
        }

        /** ip_set_timeout_set: 0 is permanent; an expiry never lands on the permanent marker. */
        private static long expiry(long now, long seconds) {
            if (seconds <= 0) {
                return 0;
            }
            long t = now + Math.min(seconds, MAX_TIMEOUT) * SEC;
            return t == 0 ? -1 : t;
        }

        /** ip_set_timeout_expired: past its time (at exactly its time it is still alive). */
        private boolean expired(int e, long now) {
            long t = expires[e];
            return t != 0 && now - t > 0;
        }

        /**
         * ip_set_test: whether the packet's values selected by {@code srcBits} (bit d set: the
         * source side for dimension d) are in the set at {@code now}; the match uses {@code dim}
         * dimensions.
         */
        boolean test(PacketDescriptor pd, int dim, int srcBits, int depth, long now) {
            return find(pd, dim, srcBits, depth, now) != null;
        }

        /**
         * The set holding the first live entry that contains the packet's values (a member set for
         * list:set), or null; {@link #lastFound} is that entry's index in it.
         */
        IpSet find(PacketDescriptor pd, int dim, int srcBits, int depth, long now) {
            if (list) {
                for (IpSet m : memberSets) {
                    if (m != null && depth < 4) {
                        IpSet r = m.find(pd, dim, srcBits, depth + 1, now);
                        if (r != null) {
                            return r;
                        }
                    }
                }
                return null;
            }
            if (dim < kinds.length || !familyOk(pd)) {
                return null;
            }
            anchor(now);
            for (int e = 0; e < count; e++) {
                if (expired(e, now)) {
                    continue;
                }
                int o = e * stride;
                boolean ok = true;
                for (int d = 0; d < kinds.length && ok; d++) {
                    boolean src = (srcBits & (1 << d)) != 0;
                    int b = o + d * 4;
                    if (kinds[d] == IP) {
                        long hi = src ? pd.srcHi : pd.dstHi;
                        long lo = src ? pd.srcLo : pd.dstLo;
                        ok = cmp(hi, lo, data[b], data[b + 1]) >= 0 && cmp(hi, lo, data[b + 2], data[b + 3]) <= 0;
                    } else {
                        int port = src ? pd.srcPort : pd.dstPort;
                        ok = pd.protocol == data[b] && port >= data[b + 1] && port <= data[b + 2];
                    }
                }
                if (ok) {
                    lastFound = e;
                    return this;
                }
            }
            return null;
        }

        /** Index of the entry the last successful {@link #find} returned in this set. */
        int lastFound;

        /**
         * The kadt prefix of each dimension: INIT_CIDR(nets[0].cidr, HOST_MASK), the longest prefix
         * among the set's live elements in that net dimension, else the host prefix.
         */
        private void kadtPrefixes(long now) {
            for (int d = 0; d < kinds.length; d++) {
                kadtPrefix[d] = family.addressBits;
                if (!netDims[d]) {
                    continue;
                }
                int best = 0;
                for (int e = 0; e < count; e++) {
                    if (!expired(e, now)) {
                        best = Math.max(best, prefixOf(e * stride + d * 4));
                    }
                }
                if (best > 0) {
                    kadtPrefix[d] = best;
                }
            }
        }

        private int prefixOf(int o) {
            long spanHi = data[o + 2] ^ data[o];
            long spanLo = data[o + 3] ^ data[o + 1];
            int hostBits = spanHi != 0 ? 128 - Long.numberOfLeadingZeros(spanHi) : 64 - Long.numberOfLeadingZeros(spanLo);
            return family.addressBits - hostBits;
        }

        private static long maskHi(int prefix, Family f) {
            if (f == Family.IPV4) {
                return 0;
            }
            return prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
        }

        private static long maskLo(int prefix, Family f) {
            if (f == Family.IPV4) {
                return prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            }
            return prefix <= 64 ? 0 : prefix >= 128 ? -1L : -1L << (128 - prefix);
        }

        /** The entry holding exactly the packet's values (masked to the kadt prefixes), or -1. */
        private int exact(PacketDescriptor pd, int srcBits) {
            for (int e = 0; e < count; e++) {
                int o = e * stride;
                boolean ok = true;
                for (int d = 0; d < kinds.length && ok; d++) {
                    boolean src = (srcBits & (1 << d)) != 0;
                    int b = o + d * 4;
                    if (kinds[d] == IP) {
                        long mh = maskHi(kadtPrefix[d], family);
                        long ml = maskLo(kadtPrefix[d], family);
                        long hi = (src ? pd.srcHi : pd.dstHi) & mh;
                        long lo = (src ? pd.srcLo : pd.dstLo) & ml;
                        long fullHi = family == Family.IPV4 ? 0 : -1L;
                        long fullLo = family == Family.IPV4 ? 0xffffffffL : -1L;
                        ok = data[b] == hi && data[b + 1] == lo && data[b + 2] == (hi | (~mh & fullHi))
                                && data[b + 3] == (lo | (~ml & fullLo));
                    } else {
                        int port = src ? pd.srcPort : pd.dstPort;
                        ok = data[b] == pd.protocol && data[b + 1] == port && data[b + 2] == port;
                    }
                }
                if (ok) {
                    return e;
                }
            }
            return -1;
        }

        private boolean inRange(PacketDescriptor pd, int srcBits) {
            if (range == null) {
                return true;
            }
            boolean src = (srcBits & 1) != 0;
            if (kinds[0] == IP) {
                long hi = src ? pd.srcHi : pd.dstHi;
                long lo = src ? pd.srcLo : pd.dstLo;
                return cmp(hi, lo, range[0], range[1]) >= 0 && cmp(hi, lo, range[2], range[3]) <= 0;
            }
            int port = src ? pd.srcPort : pd.dstPort;
            return port >= range[1] && port <= range[2];
        }

        /**
         * The SET target's ip_set_add (kadt): the packet's values as one element. An element that
         * is present and alive is left alone unless {@code exist}, which refreshes its timeout
         * (and resets its skbinfo, as the kernel re-initialises the extensions). {@code timeoutSec}
         * is the target's {@code --timeout}, or -1 for the set's default; sets without timeout
         * support keep elements forever. Returns whether the set changed.
         */
        public boolean addFromPacket(PacketDescriptor pd, int dim, int srcBits, int timeoutSec, boolean exist,
                                     long now) {
            if (list) {
                for (IpSet m : memberSets) {
                    if (m != null && !m.list && m.addFromPacket(pd, dim, srcBits, timeoutSec, exist, now)) {
                        return true;
                    }
                }
                return false;
            }
            if (dim < kinds.length || !familyOk(pd) || pd.l4Offset < 0 && hasPort()) {
                return false;
            }
            if (bitmap && !inRange(pd, srcBits)) {
                return false;
            }
            anchor(now);
            long t = timeout < 0 ? 0 : expiry(now, timeoutSec < 0 ? timeout : timeoutSec);
            kadtPrefixes(now);
            int e = exact(pd, srcBits);
            if (e >= 0) {
                if (!expired(e, now) && !exist) {
                    return false;
                }
                expires[e] = t;
                skbMark[e] = 0;
                skbMask[e] = 0;
                skbPrio[e] = 0;
                skbQueue[e] = 0;
                return true;
            }
            if (count >= maxelem) {
                return false;
            }
            ensureCapacity();
            int o = count * stride;
            for (int d = 0; d < kinds.length; d++) {
                boolean src = (srcBits & (1 << d)) != 0;
                int b = o + d * 4;
                if (kinds[d] == IP) {
                    long mh = maskHi(kadtPrefix[d], family);
                    long ml = maskLo(kadtPrefix[d], family);
                    data[b] = (src ? pd.srcHi : pd.dstHi) & mh;
                    data[b + 1] = (src ? pd.srcLo : pd.dstLo) & ml;
                    data[b + 2] = data[b] | (~mh & (family == Family.IPV4 ? 0 : -1L));
                    data[b + 3] = data[b + 1] | (~ml & (family == Family.IPV4 ? 0xffffffffL : -1L));
                } else {
                    data[b] = pd.protocol;
                    data[b + 1] = data[b + 2] = src ? pd.srcPort : pd.dstPort;
                    data[b + 3] = 0;
                }
            }
            expires[count] = t;
            loadedTimeout[count] = 0;
            skbMark[count] = 0;
            skbMask[count] = 0;
            skbPrio[count] = 0;
            skbQueue[count] = 0;
            count++;
            return true;
        }

        /** The SET target's ip_set_del: removes the element holding exactly the packet's values. */
        public boolean delFromPacket(PacketDescriptor pd, int dim, int srcBits, long now) {
            if (list) {
                for (IpSet m : memberSets) {
                    if (m != null && !m.list && m.delFromPacket(pd, dim, srcBits, now)) {
                        return true;
                    }
                }
                return false;
            }
            if (dim < kinds.length || !familyOk(pd)) {
                return false;
            }
            anchor(now);
            kadtPrefixes(now);
            int e = exact(pd, srcBits);
            if (e < 0 || expired(e, now)) {
                return false;
            }
            int last = count - 1;
            if (e != last) {
                System.arraycopy(data, (e + 1) * stride, data, e * stride, (last - e) * stride);
                System.arraycopy(expires, e + 1, expires, e, last - e);
                System.arraycopy(loadedTimeout, e + 1, loadedTimeout, e, last - e);
                System.arraycopy(skbMark, e + 1, skbMark, e, last - e);
                System.arraycopy(skbMask, e + 1, skbMask, e, last - e);
                System.arraycopy(skbPrio, e + 1, skbPrio, e, last - e);
                System.arraycopy(skbQueue, e + 1, skbQueue, e, last - e);
            }
            count--;
            return true;
        }

        private boolean hasPort() {
            for (int k : kinds) {
                if (k == PORT) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The live elements at {@code now} as {@code ipset list} writes them, one per line, with
         * {@code timeout N} (seconds left) for sets with timeouts (control plane, tests).
         */
        public List<String> elements(long now) {
            List<String> out = new ArrayList<>();
            if (list) {
                out.addAll(members);
                return out;
            }
            anchor(now);
            for (int e = 0; e < count; e++) {
                if (expired(e, now)) {
                    continue;
                }
                StringBuilder b = new StringBuilder();
                for (int d = 0; d < kinds.length; d++) {
                    int o = e * stride + d * 4;
                    if (d > 0) {
                        b.append(',');
                    }
                    if (kinds[d] == IP) {
                        element(b, o);
                    } else {
                        if (!bitmap) {
                            b.append(protoName((int) data[o])).append(':');
                        }
                        b.append(data[o + 1]);
                        if (data[o + 2] != data[o + 1]) {
                            b.append('-').append(data[o + 2]);
                        }
                    }
                }
                if (timeout >= 0) {
                    b.append(" timeout ").append(expires[e] == 0 ? 0 : Math.max(0, (expires[e] - now) / SEC));
                }
                out.add(b.toString());
            }
            return out;
        }

        private void element(StringBuilder b, int o) {
            StringBuilder lo = new StringBuilder();
            io.stockade.conntrack.ConntrackFormat.address(lo, family.version, data[o], data[o + 1]);
            b.append(lo);
            if (data[o] == data[o + 2] && data[o + 1] == data[o + 3]) {
                return;
            }
            // a CIDR block: the prefix length from the span
            long spanHi = data[o + 2] ^ data[o];
            long spanLo = data[o + 3] ^ data[o + 1];
            int hostBits = family == Family.IPV4 ? 64 - Long.numberOfLeadingZeros(spanLo)
                    : spanHi != 0 ? 128 - Long.numberOfLeadingZeros(spanHi) : 64 - Long.numberOfLeadingZeros(spanLo);
            b.append('/').append(family.addressBits - hostBits);
        }

        private static String protoName(int p) {
            return switch (p) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 132 -> "sctp";
                case 136 -> "udplite";
                case 1 -> "icmp";
                case 58 -> "icmpv6";
                default -> Integer.toString(p);
            };
        }

        private static int cmp(long aHi, long aLo, long bHi, long bLo) {
            int c = Long.compareUnsigned(aHi, bHi);
            return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
        }
    }

    /**
     * Loads {@code ipset save} output: {@code create NAME TYPE [family inet|inet6] …} and
     * {@code add NAME ELEMENT [timeout N] [skbmark …] [skbprio …] [skbqueue …]} lines; create
     * options kept: {@code family}, {@code timeout}, {@code maxelem}, {@code skbinfo}, a bitmap's
     * {@code range} (others, such as {@code hashsize}, are ignored). Sets of the text replace sets
     * of the same name. LINUX-DIFF: an entry's saved {@code timeout N} (seconds left when saved)
     * starts counting at the first packet that touches the set, not at load.
     */
    public static void load(String text) throws ParameterProblem {
        Map<String, IpSet> loaded = new java.util.LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || f[0].startsWith("#")) {
                continue;
            }
            if (f[0].equals("create")) {
                Family fam = Family.IPV4;
                for (int i = 3; i + 1 < f.length; i++) {
                    if (f[i].equals("family") && f[i + 1].equals("inet6")) {
                        fam = Family.IPV6;
                    }
                }
                IpSet set = new IpSet(f[1], f[2], fam);
                for (int i = 3; i < f.length; i++) {
                    boolean next = i + 1 < f.length;
                    switch (f[i]) {
                        case "timeout" -> set.timeout = next ? Long.parseLong(f[i + 1]) : 0;
                        case "maxelem" -> set.maxelem = next ? Integer.parseInt(f[i + 1]) : set.maxelem;
                        case "skbinfo" -> set.skbinfo = true;
                        case "range" -> {
                            if (next && set.bitmap) {
                                String[] r = {"r", "r", f[i + 1]};
                                IpSet probe = new IpSet("range", set.type, fam);
                                probe.add(r);
                                set.range = java.util.Arrays.copyOf(probe.data, 4);
                            }
                        }
                        default -> {
                        }
                    }
                }
                loaded.put(f[1], set);
            } else if (f[0].equals("add")) {
                IpSet s = loaded.containsKey(f[1]) ? loaded.get(f[1]) : SETS.get(f[1]);
                if (s == null) {
                    throw new ParameterProblem("ipset: line " + n + ": set " + f[1] + " does not exist");
                }
                s.add(f);
            }
        }
        SETS.putAll(loaded);
        for (IpSet s : SETS.values()) {
            if (s.list) {
                IpSet[] m = new IpSet[s.members.size()];
                for (int i = 0; i < m.length; i++) {
                    m[i] = SETS.get(s.members.get(i));
                }
                s.memberSets = m;
            }
        }
    }
}
