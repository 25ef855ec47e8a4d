package io.stockade.ext.match;

import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Family;
import io.stockade.rules.ParameterProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ipsets the {@code set} match can name: a minimal registry filled from {@code ipset save}
 * text ({@link #load}). Types: {@code hash:ip}, {@code hash:net}, {@code hash:ip,port},
 * {@code hash:net,port}, {@code hash:ip,port,ip}, {@code hash:ip,port,net}, {@code hash:net,port,net},
 * {@code hash:net,net}, {@code bitmap:ip}, {@code bitmap:port} and {@code list:set}. Entries are kept
 * as flat ranges (an address or CIDR is a range; a port carries its protocol, default tcp) and tested
 * by a linear scan without allocation. Sets are immutable once loaded; loading again replaces them.
 */
public final class IpSets {
    private static final Map<String, IpSet> SETS = new ConcurrentHashMap<>();

    private IpSets() {
    }

    /** The set named {@code name}, or null. */
    public static IpSet get(String name) {
        return SETS.get(name);
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
        final String name;
        final String type;
        final Family family;
        final int[] kinds;
        final boolean list;
        final List<String> members = new ArrayList<>();
        IpSet[] memberSets = new IpSet[0];
        /** Per entry and dimension: address range [loHi, loLo, hiHi, hiLo] or port [proto, lo, hi]. */
        long[] data = new long[0];
        int count;
        final int stride;

        IpSet(String name, String type, Family family) throws ParameterProblem {
            this.name = name;
            this.type = type;
            this.family = family;
            this.list = type.equals("list:set");
            if (list) {
                kinds = new int[0];
            } else {
                String[] parts = type.substring(type.indexOf(':') + 1).split(",");
                kinds = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    kinds[i] = switch (parts[i]) {
                        case "ip", "net" -> IP;
                        case "port" -> PORT;
                        default -> throw new ParameterProblem("ipset type " + type + " is not supported");
                    };
                }
            }
            stride = kinds.length * 4;
        }

        public String name() {
            return name;
        }

        /** Number of dimensions (1 for list:set, whose members bring their own). */
        public int dimension() {
            return list ? 1 : kinds.length;
        }

        void add(String entry) throws ParameterProblem {
            if (list) {
                members.add(entry);
                return;
            }
            String[] parts = entry.split(",");
            if (parts.length != kinds.length) {
                throw new ParameterProblem("ipset: bad element `" + entry + "' for " + type);
            }
            if (count * stride + stride > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(stride * 16, data.length * 2));
            }
            int o = count * stride;
            for (int d = 0; d < kinds.length; d++) {
                long[] c = kinds[d] == IP ? range(parts[d]) : port(parts[d]);
                System.arraycopy(c, 0, data, o + d * 4, 4);
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

        /**
         * ip_set_test: whether the packet's values selected by {@code srcBits} (bit d set: the
         * source side for dimension d) are in the set; the match uses {@code dim} dimensions.
         */
        boolean test(PacketDescriptor pd, int dim, int srcBits, int depth) {
            if (list) {
                for (IpSet m : memberSets) {
                    if (m != null && depth < 4 && m.test(pd, dim, srcBits, depth + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (dim < kinds.length || pd.ipVersion != family.version) {
                return false;
            }
            for (int e = 0; e < count; e++) {
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
                    return true;
                }
            }
            return false;
        }

        private static int cmp(long aHi, long aLo, long bHi, long bLo) {
            int c = Long.compareUnsigned(aHi, bHi);
            return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
        }
    }

    /**
     * Loads {@code ipset save} output: {@code create NAME TYPE [family inet|inet6] …} and
     * {@code add NAME ELEMENT} lines; other options ({@code hashsize}, {@code timeout}, …) are
     * ignored. Sets of the text replace sets of the same name.
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
                loaded.put(f[1], new IpSet(f[1], f[2], fam));
            } else if (f[0].equals("add")) {
                IpSet s = loaded.containsKey(f[1]) ? loaded.get(f[1]) : SETS.get(f[1]);
                if (s == null) {
                    throw new ParameterProblem("ipset: line " + n + ": set " + f[1] + " does not exist");
                }
                s.add(f[2]);
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
