package io.stockade.host;

import io.stockade.engine.AddressTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Host} from a directory ({@code --host DIR}) or the built-in default.
 *
 * <p>A directory may hold the JSON the {@code ip} command prints — {@code address.json}
 * ({@code ip -j address show}), {@code route.json} ({@code ip -j route show table all}), optional
 * {@code route6.json} ({@code ip -j -6 route show table all}), optional {@code rule.json} /
 * {@code rule6.json} ({@code ip -j rule show}, {@code ip -j -6 rule show}: the complete policy
 * rule lists) — and/or a hand-written {@code host.conf}, one statement per line ({@code #}
 * starts a comment):
 * <pre>
 * iface eth0 192.168.0.1/24 2001:db8::1/64 mtu 1500
 * iface lo 127.0.0.1/8 ::1/128 loopback
 * route default via 198.51.100.254 dev ppp0 [metric 100] [mtu 1400]
 * route 10.0.0.0/8 via 192.168.0.254 dev eth0
 * route blackhole 203.0.113.0/24          (also unreachable, prohibit, throw, local, broadcast)
 * rule pref 100 fwmark 0x1/0xff lookup 100           (the arguments of ip rule add)
 * rule -6 from 2001:db8:1::/48 lookup 200
 * route default via 192.168.0.254 dev eth0 table 100
 * sysctl net.ipv4.ip_forward=1
 * </pre>
 * {@code rule} lines are added to the rules of rule.json/rule6.json, else to Linux's defaults
 * ({@code 0: lookup local}, {@code 32766: lookup main}, IPv4 also {@code 32767: lookup default}),
 * as {@code ip rule add} would: without {@code pref} a rule gets the priority just before the
 * second rule's.
 * When no route.json is given, the routes the kernel derives from addresses are added (local and
 * broadcast routes in table local, the connected prefix in main), plus {@code lo} with
 * 127.0.0.1/8 and ::1/128 if absent. Errors name the file, the line and what was expected.
 */
public final class HostLoader {
    private final Map<String, Host.Iface> ifaces = new LinkedHashMap<>();
    private final List<Host.Route> routes = new ArrayList<>();
    /** Policy rules by IP version (index 4 and 6); null until given or first added to. */
    private final List<List<PolicyRule>> rules = new ArrayList<>(java.util.Collections.nCopies(7, (List<PolicyRule>) null));
    private final Sysctls sysctls = new Sysctls();
    private boolean routesGiven;

    private HostLoader() {
    }

    /**
     * The host used without {@code --host}: {@code lo} (127.0.0.1/8, ::1/128) and {@code eth0}
     * (192.0.2.1/24, 2001:db8::1/64, MTU 1500) with default routes via 192.0.2.254 and
     * 2001:db8::fe, Linux's default sysctls (no forwarding).
     */
    public static Host defaultHost() {
        HostLoader l = new HostLoader();
        try {
            l.conf(List.of(
                    "iface eth0 192.0.2.1/24 2001:db8::1/64 mtu 1500",
                    "route default via 192.0.2.254 dev eth0",
                    "route default via 2001:db8::fe dev eth0 metric 1024"), "default host");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return l.build();
    }

    /** Loads a host directory. */
    public static Host load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory (expected a host model directory with address.json/route.json or host.conf)");
        }
        HostLoader l = new HostLoader();
        Path addr = dir.resolve("address.json");
        Path route = dir.resolve("route.json");
        Path route6 = dir.resolve("route6.json");
        Path conf = dir.resolve("host.conf");
        if (!Files.exists(addr) && !Files.exists(conf)) {
            throw new IOException(dir + ": expected address.json (ip -j address show) or host.conf");
        }
        if (Files.exists(addr)) {
            l.addressJson(Files.readString(addr), addr.toString());
        }
        if (Files.exists(route)) {
            l.routeJson(Files.readString(route), route.toString(), Files.exists(route6) ? 4 : 0);
            l.routesGiven = true;
        }
        if (Files.exists(route6)) {
            l.routeJson(Files.readString(route6), route6.toString(), 6);
            l.routesGiven = true;
        }
        for (int v : new int[] {4, 6}) {
            Path rule = dir.resolve(v == 4 ? "rule.json" : "rule6.json");
            if (Files.exists(rule)) {
                l.ruleJson(Files.readString(rule), rule.toString(), v);
            }
        }
        if (Files.exists(conf)) {
            l.conf(Files.readAllLines(conf), conf.toString());
        }
        return l.build();
    }

    /** The JSON array in {@code text}; otherwise an IOException naming {@code file} and "expected a JSON array of {@code what}". */
    private static List<?> jsonArray(String text, String file, String what) throws IOException {
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        if (!(root instanceof List<?> list)) {
            throw new IOException(file + ": expected a JSON array of " + what);
        }
        return list;
    }

    private void ruleJson(String text, String file, int version) throws IOException {
        List<?> list = jsonArray(text, file, "rules (ip -j" + (version == 6 ? " -6" : "") + " rule show)");
        List<PolicyRule> out = new ArrayList<>();
        int n = 0;
        for (Object o : list) {
            n++;
            if (!(o instanceof Map<?, ?> m)) {
                throw new IOException(file + ": rule " + n + ": expected an object");
            }
            try {
                out.add(PolicyRule.fromJson(version, m));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": rule " + n + ": " + e.getMessage());
            }
        }
        rules.set(version, out);
    }

    /** {@code rule [-4|-6] ARGS…}: ip rule add, into the current list (Linux's defaults if none yet). */
    private void confRule(String[] w) {
        List<String> args = new ArrayList<>(List.of(w).subList(1, w.length));
        int version = 4;
        if (!args.isEmpty() && (args.get(0).equals("-6") || args.get(0).equals("-4"))) {
            version = args.remove(0).equals("-6") ? 6 : 4;
        }
        for (int i = 0; i + 1 < args.size(); i++) {
            if ((args.get(i).equals("from") || args.get(i).equals("to")) && Addresses.looksV6(args.get(i + 1))) {
                version = 6;
            }
        }
        List<PolicyRule> list = rules.get(version);
        if (list == null) {
            list = new ArrayList<>(PolicyRule.defaults(version));
            rules.set(version, list);
        }
        // fib_default_rule_pref: one less than the second rule's priority (0 if none).
        int def = list.size() > 1 && list.get(1).priority() > 0 ? list.get(1).priority() - 1 : 0;
        PolicyRule r = PolicyRule.fromWords(version, args, def);
        int at = 0;
        while (at < list.size() && list.get(at).priority() <= r.priority()) {
            at++;
        }
        list.add(at, r);
    }

    /** Parses host.conf text (for tests and the default host). */
    public static Host fromConf(String text) throws IOException {
        HostLoader l = new HostLoader();
        l.conf(text.lines().toList(), "host.conf");
        return l.build();
    }

    private void addressJson(String text, String file) throws IOException {
        List<?> list = jsonArray(text, file, "interfaces (ip -j address show)");
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("ifname") instanceof String name)) {
                throw new IOException(file + ": expected interface objects with \"ifname\"");
            }
            int index = m.get("ifindex") instanceof Long l ? l.intValue() : ifaces.size() + 1;
            int mtu = m.get("mtu") instanceof Long l ? l.intValue() : 1500;
            boolean loopback = m.get("flags") instanceof List<?> fl && fl.contains("LOOPBACK");
            List<Addresses.Prefix> addrs = new ArrayList<>();
            if (m.get("addr_info") instanceof List<?> infos) {
                for (Object ai : infos) {
                    if (ai instanceof Map<?, ?> a && a.get("local") instanceof String local) {
                        long plen = a.get("prefixlen") instanceof Long l ? l : -1;
                        try {
                            addrs.add(Addresses.parseInterfaceAddress(plen < 0 ? local : local + "/" + plen));
                        } catch (IllegalArgumentException e) {
                            throw new IOException(file + ": interface " + name + ": " + e.getMessage());
                        }
                    }
                }
            }
            ifaces.put(name, new Host.Iface(name, index, mtu, loopback, addrs));
        }
    }

    /** @param onlyVersion 0 for all entries, else keep only this IP version's routes */
    private void routeJson(String text, String file, int onlyVersion) throws IOException {
        List<?> list = jsonArray(text, file, "routes (ip -j route show table all)");
        int n = 0;
        for (Object o : list) {
            n++;
            if (!(o instanceof Map<?, ?> m) || !(m.get("dst") instanceof String dst)) {
                throw new IOException(file + ": route " + n + ": expected an object with \"dst\"");
            }
            String gw = m.get("gateway") instanceof String g ? g : null;
            boolean v6 = onlyVersion == 6 || Addresses.looksV6(dst) || (gw != null && Addresses.looksV6(gw))
                    || m.containsKey("pref");
            int version = v6 ? 6 : 4;
            if (onlyVersion != 0 && version != onlyVersion) {
                continue;
            }
            try {
                int type = routeType(m.get("type") instanceof String t ? t : "unicast");
                int table = tableId(m.get("table") instanceof String t ? t : "main");
                int metric = m.get("metric") instanceof Long l ? l.intValue() : 0;
                int mtu = 0;
                if (m.get("metrics") instanceof List<?> ms) {
                    for (Object x : ms) {
                        if (x instanceof Map<?, ?> mm && mm.get("mtu") instanceof Long l) {
                            mtu = l.intValue();
                        }
                    }
                }
                String dev = m.get("dev") instanceof String d ? d : "";
                routes.add(new Host.Route(version, table, type, Addresses.parsePrefix(dst, v6),
                        gw == null ? null : Addresses.parse(gw), dev, metric, mtu));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": route " + n + ": " + e.getMessage());
            }
        }
    }

    private static int routeType(String t) {
        return switch (t) {
            case "unicast" -> AddressTypes.UNICAST;
            case "local" -> AddressTypes.LOCAL;
            case "broadcast" -> AddressTypes.BROADCAST;
            case "multicast" -> AddressTypes.MULTICAST;
            case "anycast" -> AddressTypes.ANYCAST;
            case "blackhole" -> AddressTypes.BLACKHOLE;
            case "unreachable" -> AddressTypes.UNREACHABLE;
            case "prohibit" -> AddressTypes.PROHIBIT;
            case "throw" -> AddressTypes.THROW;
            default -> throw new IllegalArgumentException("expected a route type (unicast, local, broadcast, multicast, anycast, blackhole, unreachable, prohibit, throw), found '" + t + "'");
        };
    }

    private static int tableId(String t) {
        return PolicyRule.tableId(t);
    }

    private void conf(List<String> lines, String file) throws IOException {
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw;
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            try {
                switch (w[0]) {
                    case "iface" -> confIface(w);
                    case "route" -> confRoute(w);
                    case "rule" -> confRule(w);
                    case "sysctl" -> {
                        String rest = line.substring("sysctl".length()).strip();
                        int eq = rest.indexOf('=');
                        if (eq < 0) {
                            throw new IllegalArgumentException("expected NAME=VALUE after 'sysctl'");
                        }
                        sysctls.set(rest.substring(0, eq), rest.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("expected 'iface', 'route', 'rule' or 'sysctl', found '" + w[0] + "'");
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + lineNo + ": " + e.getMessage());
            }
        }
    }

    private void confIface(String[] w) {
        if (w.length < 2) {
            throw new IllegalArgumentException("expected an interface name after 'iface'");
        }
        String name = w[1];
        Host.Iface old = ifaces.get(name);
        List<Addresses.Prefix> addrs = new ArrayList<>(old == null ? List.of() : old.addresses());
        int mtu = old == null ? (name.equals("lo") ? 65536 : 1500) : old.mtu();
        boolean loopback = name.equals("lo") || (old != null && old.loopback());
        for (int i = 2; i < w.length; i++) {
            switch (w[i]) {
                case "mtu" -> {
                    if (i + 1 >= w.length) {
                        throw new IllegalArgumentException("expected a number after 'mtu'");
                    }
                    mtu = number(w[++i], "an MTU");
                }
                case "loopback" -> loopback = true;
                default -> addrs.add(Addresses.parseInterfaceAddress(w[i]));
            }
        }
        int index = old == null ? ifaces.size() + 1 : old.index();
        ifaces.put(name, new Host.Iface(name, index, mtu, loopback, addrs));
    }

    private void confRoute(String[] w) {
        int i = 1;
        int type = AddressTypes.UNICAST;
        if (i < w.length && !w[i].equals("default") && !Character.isDigit(w[i].charAt(0)) && w[i].indexOf(':') < 0) {
            type = routeType(w[i]);
            i++;
        }
        if (i >= w.length) {
            throw new IllegalArgumentException("expected a destination (PREFIX or default) after 'route'");
        }
        String dst = w[i++];
        Addresses.Ip via = null;
        String dev = "";
        int metric = -1;
        int mtu = 0;
        int table = type == AddressTypes.LOCAL || type == AddressTypes.BROADCAST ? Host.TABLE_LOCAL : Host.TABLE_MAIN;
        while (i < w.length) {
            String k = w[i++];
            if (i >= w.length) {
                throw new IllegalArgumentException("expected a value after '" + k + "'");
            }
            String v = w[i++];
            switch (k) {
                case "via" -> via = Addresses.parse(v);
                case "dev" -> dev = v;
                case "metric" -> metric = number(v, "a metric");
                case "mtu" -> mtu = number(v, "an MTU");
                case "table" -> table = tableId(v);
                default -> throw new IllegalArgumentException("expected via, dev, metric, mtu or table, found '" + k + "'");
            }
        }
        boolean v6 = Addresses.looksV6(dst) || (via != null && via.version() == 6);
        if (dev.isEmpty() && via != null) {
            dev = connectedDevice(via);
        }
        Addresses.Prefix p = Addresses.parsePrefix(dst, v6);
        routes.add(new Host.Route(p.version(), table, type, p, via, dev, metric < 0 ? (p.version() == 6 ? 1024 : 0) : metric, mtu));
    }

    private String connectedDevice(Addresses.Ip via) {
        for (Host.Iface f : ifaces.values()) {
            for (Addresses.Prefix a : f.addresses()) {
                if (a.version() == via.version()
                        && (via.hi() & Addresses.maskHi(a.version(), a.length())) == (a.hi() & Addresses.maskHi(a.version(), a.length()))
                        && (via.lo() & Addresses.maskLo(a.version(), a.length())) == (a.lo() & Addresses.maskLo(a.version(), a.length()))) {
                    return f.name();
                }
            }
        }
        return "";
    }

    private static int number(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + what + ", found '" + s + "'");
        }
    }

    private Host build() {
        if (!ifaces.containsKey("lo")) {
            Map<String, Host.Iface> all = new LinkedHashMap<>();
            all.put("lo", new Host.Iface("lo", 1, 65536, true, List.of(
                    Addresses.parseInterfaceAddress("127.0.0.1/8"), Addresses.parseInterfaceAddress("::1/128"))));
            for (Host.Iface f : ifaces.values()) {
                all.put(f.name(), new Host.Iface(f.name(), f.index() + (routesGiven ? 0 : 1), f.mtu(), f.loopback(), f.addresses()));
            }
            ifaces.clear();
            ifaces.putAll(all);
        }
        List<Host.Route> all = new ArrayList<>();
        if (!routesGiven) {
            for (Host.Iface f : ifaces.values()) {
                deriveRoutes(f, all);
            }
        }
        all.addAll(routes);
        List<PolicyRule> pr = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            if (rules.get(v) != null) {
                pr.addAll(rules.get(v));
            }
        }
        return new Host(new ArrayList<>(ifaces.values()), all, pr, sysctls);
    }

    /** The routes the kernel adds when an address is configured (fib_add_ifaddr / addrconf). */
    private static void deriveRoutes(Host.Iface f, List<Host.Route> out) {
        boolean mcast6 = false;
        for (Addresses.Prefix a : f.addresses()) {
            int v = a.version();
            int full = v == 4 ? 32 : 128;
            long mhi = Addresses.maskHi(v, a.length());
            long mlo = Addresses.maskLo(v, a.length());
            out.add(new Host.Route(v, Host.TABLE_LOCAL, AddressTypes.LOCAL, new Addresses.Prefix(v, a.hi(), a.lo(), full),
                    null, f.name(), 0, 0));
            Addresses.Prefix net = new Addresses.Prefix(v, a.hi() & mhi, a.lo() & mlo, a.length());
            if (v == 4) {
                if (f.loopback()) {
                    out.add(new Host.Route(4, Host.TABLE_LOCAL, AddressTypes.LOCAL, net, null, f.name(), 0, 0));
                } else if (a.length() < 32) {
                    out.add(new Host.Route(4, Host.TABLE_MAIN, AddressTypes.UNICAST, net, null, f.name(), 0, 0));
                }
                if (a.length() < 31) {
                    long bcast = (a.lo() | ~mlo) & 0xffffffffL;
                    out.add(new Host.Route(4, Host.TABLE_LOCAL, AddressTypes.BROADCAST, new Addresses.Prefix(4, 0, bcast, 32),
                            null, f.name(), 0, 0));
                }
            } else {
                if (a.length() < 128 && !f.loopback()) {
                    out.add(new Host.Route(6, Host.TABLE_MAIN, AddressTypes.UNICAST, net, null, f.name(), 256, 0));
                }
                mcast6 = mcast6 || !f.loopback();
            }
        }
        if (mcast6) {
            out.add(new Host.Route(6, Host.TABLE_LOCAL, AddressTypes.MULTICAST, Addresses.parsePrefix("ff00::/8", true),
                    null, f.name(), 256, 0));
        }
    }
}
