package io.stockade.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.conntrack.ConntrackTable;
import io.stockade.engine.AddressTypes;
import io.stockade.engine.CompiledRuleset;
import io.stockade.engine.Emitter;
import io.stockade.engine.EngineDrop;
import io.stockade.engine.Netfilter;
import io.stockade.engine.PathResult;
import io.stockade.engine.Skb;
import io.stockade.engine.StateRegistry;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy routing, rpfilter {@code --validmark} and owner {@code --suppl-groups} against Linux: a
 * namespace "host" with two uplinks (eth0: main table, eth1: table 100 selected by fwmark 1)
 * whose peers live in a second namespace; real iptables rules count what the kernel did, then
 * the namespace's {@code ip -j address/route/rule} output is loaded with {@link HostLoader} and
 * the same rules and packets run through Stockade, which must decide the same.
 */
@Tag("kernel")
class PolicyRoutingKernelTest {
    private static final String NS = "stk-prt-" + ProcessHandle.current().pid();
    private static final String PEER = NS + "-p";

    private static String run(List<String> cmd, String stdin, boolean mayFail) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0 && !mayFail) {
            throw new IOException(cmd + " failed: " + out);
        }
        return out;
    }

    private static String in(String ns, String shell) throws IOException, InterruptedException {
        return run(List.of("ip", "netns", "exec", ns, "sh", "-c", shell), null, false);
    }

    private static void requireRoot() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "needs root (network namespaces)";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/iptables-restore")) && !Files.isExecutable(Path.of("/sbin/iptables-restore"))) {
            why = "needs iptables";
        } else if (!Files.isExecutable(Path.of("/usr/bin/python3")) || !Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            why = "needs /usr/bin/python3 and setpriv";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the policy-routing kernel test must run, but it " + why);
            }
            assumeTrue(false, "policy-routing kernel test skipped: it " + why);
        }
    }

    /** The host namespace: eth0 192.0.2.1/24 (main default), eth1 198.51.100.1/24 (table 100 default, fwmark 1). */
    private static void setUp() throws IOException, InterruptedException {
        run(List.of("ip", "netns", "add", NS), null, false);
        run(List.of("ip", "netns", "add", PEER), null, false);
        for (String ns : List.of(NS, PEER)) {
            in(ns, "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
        }
        in(NS, "sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 "
                + "net.ipv4.conf.all.src_valid_mark=0 net.ipv4.conf.all.accept_local=0");
        for (int i = 0; i < 2; i++) {
            run(List.of("ip", "link", "add", "eth" + i, "netns", NS, "type", "veth", "peer", "name", "p" + i, "netns", PEER),
                    null, false);
        }
        in(NS, "ip link set lo up; ip link set eth0 up; ip link set eth1 up; "
                + "ip addr add 192.0.2.1/24 dev eth0; ip addr add 198.51.100.1/24 dev eth1; "
                + "ip route add default via 192.0.2.254 dev eth0; "
                + "ip route add default via 198.51.100.254 dev eth1 table 100; "
                + "ip rule add pref 100 fwmark 0x1/0xff lookup 100; "
                + "ip rule add pref 101 fwmark 0x2 unreachable; "
                + "ip addr add 2001:db8::1/64 dev eth0 nodad; ip addr add 2001:db8:1::1/64 dev eth1 nodad; "
                + "ip -6 route add default via 2001:db8::fe dev eth0; "
                + "ip -6 route add default via 2001:db8:1::fe dev eth1 table 100; "
                + "ip -6 rule add pref 100 fwmark 0x1 lookup 100");
        in(PEER, "ip link set lo up; ip link set p0 up; ip link set p1 up; "
                + "ip addr add 192.0.2.254/24 dev p0; ip addr add 198.51.100.254/24 dev p1; "
                + "ip addr add 203.0.113.5/32 dev p1; ip route add default via 198.51.100.1 dev p1; "
                + "ip addr add 2001:db8:1::fe/64 dev p1 nodad; ip addr add 2001:db8:9::5/128 dev p1 nodad; "
                + "ip -6 route add default via 2001:db8:1::1 dev p1");
    }

    /** An empty mangle table's restore header; a test's rules follow it. */
    private static final String MANGLE = "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
            + ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n";

    /** A test body that runs with the namespaces up. */
    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /** Sets up both namespaces ({@link #setUp}), runs {@code body}, and always deletes them. */
    private static void withNamespaces(Body body) throws Exception {
        try {
            setUp();
            body.run();
        } finally {
            run(List.of("ip", "netns", "del", NS), null, true);
            run(List.of("ip", "netns", "del", PEER), null, true);
        }
    }

    /** Loads {@code rules} into the host namespace with {@code cmd} (iptables-restore or ip6tables-restore), then snapshots the host. */
    private static Host restore(String cmd, String rules, Path dir) throws Exception {
        run(List.of("ip", "netns", "exec", NS, cmd), rules, false);
        return snapshot(dir);
    }

    private static Host snapshot(Path dir) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("address.json"), in(NS, "ip -j address show"));
        Files.writeString(dir.resolve("route.json"), in(NS, "ip -j route show table all"));
        Files.writeString(dir.resolve("route6.json"), in(NS, "ip -j -6 route show table all"));
        Files.writeString(dir.resolve("rule.json"), in(NS, "ip -j rule show"));
        Files.writeString(dir.resolve("rule6.json"), in(NS, "ip -j -6 rule show"));
        Files.writeString(dir.resolve("host.conf"), "sysctl net.ipv4.conf.all.rp_filter=0\n");
        return HostLoader.load(dir);
    }

    /** Packet counts of every rule of a table, by "CHAIN:N". */
    private static Map<String, Long> counters(String table) throws IOException, InterruptedException {
        return counters("iptables", table);
    }

    private static Map<String, Long> counters(String cmd, String table) throws IOException, InterruptedException {
        Map<String, Long> out = new LinkedHashMap<>();
        String chain = null;
        int n = 0;
        Pattern head = Pattern.compile("^Chain (\\S+)");
        for (String line : in(NS, cmd + " -t " + table + " -L -v -x -n").lines().toList()) {
            Matcher m = head.matcher(line);
            if (m.find()) {
                chain = m.group(1);
                n = 0;
            } else if (chain != null && !line.isBlank() && !line.strip().startsWith("pkts")) {
                n++;
                out.put(chain + ":" + n, Long.parseLong(line.strip().split("\\s+")[0]));
            }
        }
        return out;
    }

    private static Netfilter stockade(String rules, Host host) throws Exception {
        return stockade(Family.IPV4, rules, host);
    }

    private static Netfilter stockade(Family family, String rules, Host host) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(family, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(rules)),
                Restore.Options.DEFAULT, new StringBuilder());
        PacketParser parser = new PacketParser();
        return new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), host, new ConntrackTable(), Emitter.NONE,
                (pd, data, length) -> parser.parse(pd, data, 0, length));
    }

    private static Skb skb(PacketBuilder b) {
        byte[] ip = b.build();
        Skb skb = new Skb();
        MemorySegment seg = Arena.ofAuto().allocate(ip.length);
        MemorySegment.copy(MemorySegment.ofArray(ip), 0, seg, 0, ip.length);
        new PacketParser().parse(skb.pd, seg, 0, ip.length);
        skb.timeNanos = 1_000_000_000L;
        return skb;
    }

    /** A UDP datagram sent in {@code ns} from {@code src} (or any source) to dst:port, optionally under setpriv. */
    private static void udp(String ns, String prefix, String src, String dst, int port) throws IOException, InterruptedException {
        String py = "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                + (src == null ? "" : "s.bind(('" + src + "', 0)); ")
                + "s.sendto(b'x', ('" + dst + "', " + port + "))";
        in(ns, prefix + "/usr/bin/python3 -c \"" + py + "\"");
    }

    @Test
    void markInMangleOutputSteersTheRoute(@TempDir Path dir) throws Exception {
        requireRoot();
        String rules = MANGLE + """
                -A OUTPUT -p udp --dport 5301 -j MARK --set-mark 0x101
                -A OUTPUT -p udp --dport 5302 -j MARK --set-mark 0x2
                -A POSTROUTING -o eth0 -p udp -j ACCEPT
                -A POSTROUTING -o eth1 -p udp -j ACCEPT
                COMMIT
                """;
        withNamespaces(() -> {
            Host host = restore("iptables-restore", rules, dir);
            udp(NS, "", null, "203.0.113.9", 5300); // mark 0: main, eth0
            udp(NS, "", null, "203.0.113.9", 5301); // mark 0x101 (masked 0x1): table 100, eth1
            udp(NS, "", null, "203.0.113.9", 5301);
            run(List.of("ip", "netns", "exec", NS, "/usr/bin/python3", "-c",
                    "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                            + "try:\n  s.sendto(b'x', ('203.0.113.9', 5302))\nexcept OSError as e:\n  print(e.errno)\n"), null, true);
            Map<String, Long> k = counters("mangle");
            assertEquals(1L, k.get("POSTROUTING:1"), "kernel: eth0 " + k);
            assertEquals(2L, k.get("POSTROUTING:2"), "kernel: eth1 " + k);
            assertEquals(1L, k.get("OUTPUT:2"), "kernel: the mark-2 packet reached mangle OUTPUT " + k);

            Netfilter nf = stockade(rules, host);
            List<String> ours = new ArrayList<>();
            for (int port : new int[] {5300, 5301, 5302}) {
                PathResult r = new PathResult();
                nf.send(skb(PacketBuilder.ipv4("192.0.2.1", "203.0.113.9").udp(40000, port)), r);
                ours.add(r.verdictName() + " " + r.out + (r.engineDrop == null ? "" : " " + r.engineDrop));
            }
            assertEquals(List.of("accept eth0", "accept eth1", "drop eth0 REJECT_ROUTE"), ours,
                    "kernel: eth0 for no mark, eth1 for fwmark 1, the unreachable rule drops mark 2 after mangle OUTPUT");
        });
    }

    @Test
    void rpfilterValidmarkFollowsFwmarkRules(@TempDir Path dir) throws Exception {
        requireRoot();
        String rules = MANGLE + """
                -A PREROUTING -i eth1 -j MARK --set-mark 0x1
                -A PREROUTING -p udp --dport 7001 -m rpfilter -j ACCEPT
                -A PREROUTING -p udp --dport 7002 -m rpfilter --validmark -j ACCEPT
                -A PREROUTING -p udp --dport 7003 -m rpfilter --validmark --invert -j ACCEPT
                -A PREROUTING -p udp -j DROP
                COMMIT
                """;
        withNamespaces(() -> {
            Host host = restore("iptables-restore", rules, dir);
            // From the peer: 203.0.113.5 arrives on eth1; main routes it back via eth0, table 100 via eth1.
            for (int port : new int[] {7001, 7002, 7003}) {
                udp(PEER, "", "203.0.113.5", "198.51.100.1", port);
            }
            Map<String, Long> k = counters("mangle");
            Netfilter nf = stockade(rules, host);
            List<String> kernel = new ArrayList<>();
            List<String> ours = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                kernel.add(k.getOrDefault("PREROUTING:" + (i + 2), 0L) == 1 ? "accept" : "drop");
                Skb s = skb(PacketBuilder.ipv4("203.0.113.5", "198.51.100.1").udp(40000, 7001 + i));
                s.inIface = "eth1";
                PathResult r = new PathResult();
                nf.receive(s, r);
                ours.add(r.verdictName());
            }
            assertEquals(List.of("drop", "accept", "drop"), kernel, "kernel: only --validmark finds the route back through eth1 " + k);
            assertEquals(2L, k.get("PREROUTING:5"), "kernel: two packets reached the final DROP " + k);
            assertEquals(kernel, ours);
        });
    }

    @Test
    void ownerSupplementaryGroups(@TempDir Path dir) throws Exception {
        requireRoot();
        String rules = """
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A OUTPUT -p udp -m owner --gid-owner 4242 -j ACCEPT
                -A OUTPUT -p udp -m owner --gid-owner 4242 --suppl-groups -j ACCEPT
                -A OUTPUT -p udp -m owner ! --gid-owner 4200-4299 --suppl-groups -j ACCEPT
                -A OUTPUT -p udp -j ACCEPT
                COMMIT
                """;
        withNamespaces(() -> {
            Host host = restore("iptables-restore", rules, dir);
            String[] creds = {
                "--reuid=1000 --regid=1000 --groups=27,4242", // rule 2: a supplementary group
                "--reuid=1000 --regid=4242 --clear-groups",   // rule 1: the fsgid
                "--reuid=1000 --regid=1000 --groups=27",      // rule 3: in no group of the range
                "--reuid=1000 --regid=1000 --groups=4250",    // rule 4: 4250 is in the range
            };
            int[][] stockadeCreds = {{1000, 1000, 27, 4242}, {1000, 4242}, {1000, 1000, 27}, {1000, 1000, 4250}};
            Netfilter nf = stockade(rules, host);
            for (int i = 0; i < creds.length; i++) {
                in(NS, "iptables -Z OUTPUT");
                udp(NS, "setpriv " + creds[i] + " ", null, "203.0.113.9", 9000 + i);
                Map<String, Long> k = counters("filter");
                String kernelRule = null;
                for (int n = 1; n <= 4; n++) {
                    if (k.get("OUTPUT:" + n) != null && k.get("OUTPUT:" + n) > 0) {
                        kernelRule = "filter:OUTPUT:" + n;
                        break;
                    }
                }
                Skb s = skb(PacketBuilder.ipv4("192.0.2.1", "203.0.113.9").udp(40000, 9000 + i));
                s.uid = stockadeCreds[i][0];
                s.gid = stockadeCreds[i][1];
                s.groupCount = stockadeCreds[i].length - 2;
                System.arraycopy(stockadeCreds[i], 2, s.groups, 0, s.groupCount);
                PathResult r = new PathResult();
                nf.send(s, r);
                assertEquals("filter:OUTPUT:" + new int[] {2, 1, 3, 4}[i], kernelRule, "kernel, " + creds[i] + ": " + k);
                assertEquals(kernelRule, r.ruleName(), creds[i]);
            }
        });
    }

    @Test
    void ipv6MarkRoutingAndRpfilter(@TempDir Path dir) throws Exception {
        requireRoot();
        String rules = MANGLE + """
                -A PREROUTING -i eth1 -j MARK --set-mark 0x1
                -A PREROUTING -p udp --dport 7001 -m rpfilter -j ACCEPT
                -A PREROUTING -p udp --dport 7002 -m rpfilter --validmark -j ACCEPT
                -A PREROUTING -p udp --dport 7003 -m rpfilter -j ACCEPT
                -A PREROUTING -p udp -j DROP
                -A OUTPUT -p udp --dport 5301 -j MARK --set-mark 0x1
                -A POSTROUTING -o eth0 -p udp -j ACCEPT
                -A POSTROUTING -o eth1 -p udp -j ACCEPT
                COMMIT
                """;
        withNamespaces(() -> {
            Host host = restore("ip6tables-restore", rules, dir);
            String p1LinkLocal = null;
            for (Object o : (List<?>) Json.parse(in(PEER, "ip -j -6 address show dev p1"))) {
                for (Object a : (List<?>) ((Map<?, ?>) o).get("addr_info")) {
                    String local = (String) ((Map<?, ?>) a).get("local");
                    if (local.startsWith("fe80:")) {
                        p1LinkLocal = local;
                    }
                }
            }
            String send6 = "import socket,sys; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); "
                    + "s.bind((sys.argv[1], 0, 0, socket.if_nametoindex(sys.argv[3]) if sys.argv[3] != '-' else 0)); "
                    + "s.sendto(b'x', (sys.argv[2], int(sys.argv[4]), 0, socket.if_nametoindex(sys.argv[3]) if sys.argv[3] != '-' else 0))";
            run(List.of("ip", "netns", "exec", PEER, "/usr/bin/python3", "-c", send6, "2001:db8:9::5", "2001:db8:1::1", "-", "7001"), null, false);
            run(List.of("ip", "netns", "exec", PEER, "/usr/bin/python3", "-c", send6, "2001:db8:9::5", "2001:db8:1::1", "-", "7002"), null, false);
            run(List.of("ip", "netns", "exec", PEER, "/usr/bin/python3", "-c", send6, p1LinkLocal, "ff02::1", "p1", "7003"), null, false);
            run(List.of("ip", "netns", "exec", NS, "/usr/bin/python3", "-c", send6, "2001:db8::1", "2001:db8:9::9", "-", "5300"), null, false);
            run(List.of("ip", "netns", "exec", NS, "/usr/bin/python3", "-c", send6, "2001:db8::1", "2001:db8:9::9", "-", "5301"), null, false);
            Map<String, Long> k = counters("ip6tables", "mangle");
            List<String> kernel = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                kernel.add(k.getOrDefault("PREROUTING:" + (i + 2), 0L) == 1 ? "accept" : "drop");
            }
            assertEquals(List.of("drop", "accept", "accept"), kernel,
                    "kernel: the route back to 2001:db8:9::5 leaves via eth1 only in table 100; fe80 looked up on eth1 " + k);
            assertEquals(1L, k.get("POSTROUTING:1"), "kernel: one datagram via eth0 " + k);
            assertEquals(1L, k.get("POSTROUTING:2"), "kernel: the marked one via eth1 " + k);

            Netfilter nf = stockade(Family.IPV6, rules, host);
            List<String> ours = new ArrayList<>();
            String[][] received = {{"2001:db8:9::5", "2001:db8:1::1"}, {"2001:db8:9::5", "2001:db8:1::1"}, {p1LinkLocal, "ff02::1"}};
            for (int i = 0; i < 3; i++) {
                Skb s = skb(PacketBuilder.ipv6(received[i][0], received[i][1]).udp(40000, 7001 + i));
                s.inIface = "eth1";
                PathResult r = new PathResult();
                nf.receive(s, r);
                ours.add(r.verdictName());
            }
            assertEquals(kernel, ours);
            List<String> outs = new ArrayList<>();
            for (int port : new int[] {5300, 5301}) {
                PathResult r = new PathResult();
                nf.send(skb(PacketBuilder.ipv6("2001:db8::1", "2001:db8:9::9").udp(40000, port)), r);
                outs.add(r.out);
            }
            assertEquals(List.of("eth0", "eth1"), outs);
        });
    }

    /**
     * The rule semantics flow by flow against {@code ip route get}: from/to, tos, uidrange, iif,
     * not, fwmark/mask, goto, nop, suppress_prefixlength, throw/unreachable/prohibit/blackhole
     * routes and unreachable/blackhole/prohibit rules, for output and (with iif) input lookups.
     */
    @Test
    void lookupsAgreeWithIpRouteGet(@TempDir Path dir) throws Exception {
        requireRoot();
        withNamespaces(() -> {
            in(NS, "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1; "
                    + "ip route add throw 10.9.0.0/16 table 100; ip route add unreachable 10.66.0.0/16 table 100; "
                    + "ip route add prohibit 10.67.0.0/16 table 100; ip route add blackhole 10.68.0.0/16 table 100; "
                    + "ip rule add pref 10 from 192.0.2.1 to 8.8.4.0/24 lookup 100; "
                    + "ip rule add pref 11 tos 0x10 lookup 100; "
                    + "ip rule add pref 12 uidrange 1000-1999 lookup 100; "
                    + "ip rule add pref 13 iif eth0 to 203.0.113.0/24 prohibit; "
                    + "ip rule add pref 14 fwmark 7 goto 30; "
                    + "ip rule add pref 15 fwmark 7 lookup 100; "
                    + "ip rule add pref 30 nop; "
                    + "ip rule add pref 31 fwmark 7 lookup main suppress_prefixlength 0; "
                    + "ip rule add pref 32 fwmark 7 blackhole; "
                    + "ip rule add pref 41 not iif lo lookup 100; "
                    + "ip -6 rule add pref 20 from 2001:db8::1 to 2001:4860::/32 lookup 100");
            Host host = snapshot(dir);
            String[] flows = {
                "8.8.8.8", "8.8.4.4", "8.8.4.4 from 192.0.2.1", "8.8.8.8 from 192.0.2.1", "8.8.8.8 tos 0x10",
                "8.8.8.8 tos 0x08", "8.8.8.8 uid 1500", "8.8.8.8 uid 2500", "8.8.8.8 mark 7", "192.0.2.77 mark 7",
                "8.8.8.8 mark 1", "8.8.8.8 mark 0x301", "10.9.1.1 mark 1", "10.66.1.1 mark 1", "10.67.1.1 mark 1",
                "10.68.1.1 mark 1", "8.8.8.8 mark 2", "192.0.2.1 mark 2", "192.0.2.1",
                "203.0.113.9 from 198.51.100.9 iif eth0", "203.0.113.9 from 192.0.2.9 iif eth1",
                "8.8.8.8 from 192.0.2.9 iif eth0", "198.51.100.1 from 192.0.2.9 iif eth0",
                "2001:4860::1", "2001:4860::1 mark 1", "2001:4860::1 from 2001:db8::1", "2001:db8:1::9"};
            List<String> mismatches = new ArrayList<>();
            Set<String> answers = new TreeSet<>();
            for (String f : flows) {
                String[] w = f.split(" ");
                boolean v6 = w[0].indexOf(':') >= 0;
                String kernelOut = run(List.of("ip", "netns", "exec", NS, "sh", "-c",
                        "ip -j " + (v6 ? "-6 " : "") + "route get " + f + " 2>&1"), null, true);
                String kernel;
                if (kernelOut.contains("Network is unreachable")) {
                    kernel = "ENETUNREACH";
                } else if (kernelOut.contains("No route to host")) {
                    kernel = "EHOSTUNREACH";
                } else if (kernelOut.contains("Permission denied")) {
                    kernel = "EACCES";
                } else if (kernelOut.contains("Invalid argument")) {
                    kernel = "EINVAL";
                } else {
                    Map<?, ?> r = (Map<?, ?>) ((List<?>) Json.parse(kernelOut)).get(0);
                    kernel = "local".equals(r.get("type")) ? "local" : (String) r.get("dev");
                }
                answers.add(kernel);
                Addresses.Ip dst = Addresses.parse(w[0]);
                long srcHi = 0;
                long srcLo = 0;
                int mark = 0;
                int tos = 0;
                int uid = 0;
                String iif = "lo";
                for (int i = 1; i + 1 < w.length; i += 2) {
                    switch (w[i]) {
                        case "from" -> {
                            Addresses.Ip a = Addresses.parse(w[i + 1]);
                            srcHi = a.hi();
                            srcLo = a.lo();
                        }
                        case "mark" -> mark = Integer.decode(w[i + 1]);
                        case "tos" -> tos = Integer.decode(w[i + 1]);
                        case "uid" -> uid = Integer.parseInt(w[i + 1]);
                        case "iif" -> iif = w[i + 1];
                        default -> throw new IllegalArgumentException(w[i]);
                    }
                }
                int r = host.lookupFlow(dst.version(), dst.hi(), dst.lo(), srcHi, srcLo, mark, tos, iif, "", uid);
                String ours;
                if (r < 0) {
                    ours = "ENETUNREACH";
                } else {
                    Host.Route route = host.route(r);
                    ours = switch (host.type(r)) {
                        case AddressTypes.UNREACHABLE -> route == null ? "ENETUNREACH" : "EHOSTUNREACH";
                        case AddressTypes.PROHIBIT -> "EACCES";
                        case AddressTypes.BLACKHOLE -> "EINVAL";
                        case AddressTypes.LOCAL -> "local";
                        default -> host.device(r);
                    };
                }
                if (!ours.equals(kernel)) {
                    mismatches.add(f + ": kernel " + kernel + " (" + kernelOut.strip() + "), stockade " + ours);
                }
            }
            assertEquals(List.of(), mismatches);
            assertEquals(Set.of("EACCES", "EHOSTUNREACH", "EINVAL", "ENETUNREACH", "eth0", "eth1", "local"), answers,
                    "every kind of answer was exercised");
        });
    }

    /**
     * fib_validate_source with policy rules against {@code ip route get … iif … mark …}: strict
     * rp_filter, the reverse lookup with the forward route's device as iif, and the mark only
     * with src_valid_mark.
     */
    @Test
    void sourceValidationAgreesWithIpRouteGet(@TempDir Path dir) throws Exception {
        requireRoot();
        withNamespaces(() -> {
            in(NS, "sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=1");
            String[] flows = {"8.8.8.8 from 203.0.113.5 iif eth1", "8.8.8.8 from 203.0.113.5 iif eth1 mark 1",
                "198.51.100.1 from 203.0.113.5 iif eth1 mark 1", "192.0.2.1 from 203.0.113.5 iif eth1 mark 1",
                "8.8.8.8 from 192.0.2.9 iif eth0", "198.51.100.1 from 192.0.2.9 iif eth1",
                "8.8.8.8 from 192.0.2.9 iif eth0 mark 1", "198.51.100.7 from 192.0.2.9 iif eth0 mark 1"};
            List<String> mismatches = new ArrayList<>();
            Set<String> answers = new TreeSet<>();
            Map<String, String> byFlow = new LinkedHashMap<>();
            for (int validMark = 0; validMark <= 1; validMark++) {
                in(NS, "sysctl -qw net.ipv4.conf.all.src_valid_mark=" + validMark);
                Path d = Files.createDirectories(dir.resolve("vm" + validMark));
                snapshot(d);
                Files.writeString(d.resolve("host.conf"), "sysctl net.ipv4.ip_forward=1\nsysctl net.ipv4.conf.all.rp_filter=1\n"
                        + "sysctl net.ipv4.conf.all.src_valid_mark=" + validMark + "\n");
                Netfilter nf = stockade("*filter\nCOMMIT\n", HostLoader.load(d));
                for (String f : flows) {
                    String out = run(List.of("ip", "netns", "exec", NS, "sh", "-c", "ip -j route get " + f + " 2>&1"), null, true);
                    String kernel;
                    // Linux 6.18's getroute answers EINVAL for any refused source (rp_filter or martian);
                    // older kernels said EXDEV for rp_filter.
                    if (out.contains("Invalid cross-device link") || out.contains("Invalid argument")) {
                        kernel = "invalid source";
                    } else {
                        Map<?, ?> r = (Map<?, ?>) ((List<?>) Json.parse(out)).get(0);
                        kernel = "local".equals(r.get("type")) ? "local" : "forward " + r.get("dev");
                    }
                    answers.add(kernel);
                    byFlow.put(validMark + " " + f, kernel);
                    String[] w = f.split(" ");
                    Skb skb = skb(PacketBuilder.ipv4(w[2], w[0]).udp(40000, 9));
                    skb.inIface = w[4];
                    skb.mark = w.length > 6 ? Integer.decode(w[6]) : 0;
                    PathResult r = new PathResult();
                    nf.receive(skb, r);
                    String ours = r.engineDrop == EngineDrop.RP_FILTER
                            || r.engineDrop == EngineDrop.MARTIAN_SOURCE ? "invalid source"
                            : r.engineDrop != null ? r.engineDrop.toString()
                            : r.path == Hook.INPUT ? "local" : "forward " + r.out;
                    if (!ours.equals(kernel)) {
                        mismatches.add("src_valid_mark " + validMark + ", " + f + ": kernel " + kernel + ", stockade " + ours);
                    }
                }
            }
            assertEquals(List.of(), mismatches);
            assertEquals(Set.of("forward eth0", "forward eth1", "local", "invalid source"), answers);
            assertEquals(List.of("invalid source", "forward eth1"),
                    List.of(byFlow.get("0 " + flows[1]), byFlow.get("1 " + flows[1])), "src_valid_mark decides " + byFlow);
        });
    }
}
