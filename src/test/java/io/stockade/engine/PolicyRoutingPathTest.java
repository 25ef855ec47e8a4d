package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.host.HostLoader;
import io.stockade.packet.PacketBuilder;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packet path with policy routing: a mark set in mangle OUTPUT re-routes a locally generated
 * packet (ipt_mangle_out → ip_route_me_harder), a PREROUTING mark steers the input route lookup,
 * rpfilter --validmark and fib_validate_source look up with the mark, and IPv6 rpfilter follows
 * ip6t_rpfilter.
 */
class PolicyRoutingPathTest {
    /** eth0 uplink in main, eth1 uplink in table 100 (fwmark 1), a LAN on eth2. */
    private static final String HOST = """
            iface eth0 192.0.2.1/24 2001:db8::1/64 fe80::1/64
            iface eth1 198.51.100.1/24 2001:db8:1::1/64 fe80::2/64
            iface eth2 10.0.0.1/24
            route default via 192.0.2.254 dev eth0
            route default via 2001:db8::fe dev eth0
            route default via 198.51.100.254 dev eth1 table 100
            route default via 2001:db8:1::fe dev eth1 table 100
            rule pref 100 fwmark 0x1 lookup 100
            rule -6 pref 100 fwmark 0x1 lookup 100
            rule pref 101 fwmark 0x2 unreachable
            """;

    private final List<String> out = new ArrayList<>();

    private Netfilter nf(String rules4, String rules6, String hostExtra) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(rules4)),
                Restore.Options.DEFAULT, new StringBuilder());
        new Restore(Family.IPV6, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(rules6)),
                Restore.Options.DEFAULT, new StringBuilder());
        Netfilter n = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), HostLoader.fromConf(HOST + hostExtra),
                ConnTracker.NONE, Emitter.NONE, Packets.decoder());
        n.tap((skb, iface, generated) -> out.add(iface));
        return n;
    }

    private static PathResult send(Netfilter n, PacketBuilder b) {
        PathResult r = new PathResult();
        n.send(Packets.skb("", b), r);
        return r;
    }

    private static PathResult receive(Netfilter n, String iface, PacketBuilder b) {
        PathResult r = new PathResult();
        n.receive(Packets.skb(iface, b), r);
        return r;
    }

    @Test
    void markInMangleOutputReroutes() throws Exception {
        Netfilter n = nf("""
                *mangle
                -A OUTPUT -p udp --dport 53 -j MARK --set-mark 1
                -A OUTPUT -p udp --dport 99 -j MARK --set-mark 2
                COMMIT
                *filter
                -A OUTPUT -o eth0 -p udp --dport 53 -j ACCEPT
                -A OUTPUT -o eth1 -p udp -j DROP
                COMMIT
                """, "*mangle\n-A OUTPUT -p udp --dport 53 -j MARK --set-mark 1\nCOMMIT\n", "");
        PathResult r = send(n, PacketBuilder.ipv4("192.0.2.1", "8.8.8.8").udp(4000, 53));
        assertEquals("accept", r.verdictName());
        assertEquals("eth1", r.out, "the mark chose table 100");
        // The OUTPUT hook's state->out stays the first route's device (checked on Linux 6.18: after
        // ipt_mangle_out re-routed to eth1, filter OUTPUT matched -o eth0; POSTROUTING -o eth1).
        assertEquals("filter:OUTPUT:1", r.ruleName(), "filter OUTPUT still sees -o eth0");
        assertEquals(List.of("eth1"), out);
        r = send(n, PacketBuilder.ipv4("192.0.2.1", "8.8.8.8").udp(4000, 80));
        assertEquals("eth0", r.out);
        r = send(n, PacketBuilder.ipv4("192.0.2.1", "8.8.8.8").udp(4000, 99));
        assertEquals("drop", r.verdictName(), "mark 2 hits the unreachable rule on re-routing");
        assertEquals(EngineDrop.REJECT_ROUTE, r.engineDrop);
        r = send(n, PacketBuilder.ipv6("2001:db8::1", "2001:4860::8888").udp(4000, 53));
        assertEquals("eth1", r.out, "IPv6: ip6t_mangle_out re-routes as well");
        assertEquals(List.of("eth1", "eth0", "eth1"), out);
    }

    @Test
    void socketMarkChoosesTheFirstRoute() throws Exception {
        Netfilter n = nf("*filter\nCOMMIT\n", "*filter\nCOMMIT\n", "");
        Skb skb = Packets.skb("", PacketBuilder.ipv4("192.0.2.1", "8.8.8.8").udp(4000, 53));
        skb.mark = 1; // SO_MARK
        PathResult r = new PathResult();
        n.send(skb, r);
        assertEquals("eth1", r.out);
    }

    @Test
    void preroutingMarkSteersTheInputRoute() throws Exception {
        Netfilter n = nf("""
                *mangle
                -A PREROUTING -i eth2 -s 10.0.0.128/25 -j MARK --set-mark 1
                COMMIT
                """, "*filter\nCOMMIT\n", "sysctl net.ipv4.ip_forward=1\n");
        assertEquals("eth1", receive(n, "eth2", PacketBuilder.ipv4("10.0.0.200", "8.8.8.8").udp(4000, 53)).out);
        assertEquals("eth0", receive(n, "eth2", PacketBuilder.ipv4("10.0.0.20", "8.8.8.8").udp(4000, 53)).out);
    }

    @Test
    void rpfilterValidmarkUsesTheMark() throws Exception {
        String rules = """
                *mangle
                -A PREROUTING -i eth1 -j MARK --set-mark 1
                -A PREROUTING -p udp --dport 1 -m rpfilter -j ACCEPT
                -A PREROUTING -p udp --dport 2 -m rpfilter --validmark -j ACCEPT
                -A PREROUTING -j DROP
                COMMIT
                """;
        String rules6 = rules.replace("-m rpfilter -j", "-m rpfilter -j");
        Netfilter n = nf(rules, rules6, "");
        // 203.0.113.5 arrives on eth1: main routes it back via eth0; table 100 (mark 1) via eth1.
        assertEquals("drop", receive(n, "eth1", PacketBuilder.ipv4("203.0.113.5", "198.51.100.1").udp(9, 1)).verdictName());
        assertEquals("accept", receive(n, "eth1", PacketBuilder.ipv4("203.0.113.5", "198.51.100.1").udp(9, 2)).verdictName());
        assertEquals("drop", receive(n, "eth1", PacketBuilder.ipv6("2001:db8:9::5", "2001:db8:1::1").udp(9, 1)).verdictName());
        assertEquals("accept", receive(n, "eth1", PacketBuilder.ipv6("2001:db8:9::5", "2001:db8:1::1").udp(9, 2)).verdictName());
    }

    @Test
    void rpfilterIpv6FollowsIp6tRpfilter() throws Exception {
        Netfilter n = nf("*filter\nCOMMIT\n", """
                *raw
                -A PREROUTING -p udp --dport 1 -m rpfilter -j ACCEPT
                -A PREROUTING -p udp --dport 2 -m rpfilter --accept-local -j ACCEPT
                -A PREROUTING -p udp -j DROP
                COMMIT
                """, "");
        // A link-local source is looked up on the input interface only: fe80::/64 exists on both.
        assertEquals("accept", receive(n, "eth1", PacketBuilder.ipv6("fe80::99", "fe80::2").udp(9, 1)).verdictName());
        assertEquals("accept", receive(n, "eth0", PacketBuilder.ipv6("fe80::99", "fe80::1").udp(9, 1)).verdictName());
        // The unspecified source passes (the forward path drops it).
        assertEquals("accept", receive(n, "eth1", PacketBuilder.ipv6("::", "ff02::1").udp(9, 1)).verdictName());
        // Global source: the route back goes via eth0 — strict fails on eth1.
        assertEquals("drop", receive(n, "eth1", PacketBuilder.ipv6("2001:4860::1", "2001:db8:1::1").udp(9, 1)).verdictName());
        assertEquals("accept", receive(n, "eth0", PacketBuilder.ipv6("2001:4860::1", "2001:db8::1").udp(9, 1)).verdictName());
        // Own address as source: RTF_LOCAL passes only with --accept-local, whatever the interface.
        assertEquals("drop", receive(n, "eth1", PacketBuilder.ipv6("2001:db8::1", "2001:db8:1::1").udp(9, 1)).verdictName());
        assertEquals("accept", receive(n, "eth1", PacketBuilder.ipv6("2001:db8::1", "2001:db8:1::1").udp(9, 2)).verdictName());
    }

    @Test
    void fibValidateSourceWithRulesAndSrcValidMark() throws Exception {
        String rules = "*mangle\n-A PREROUTING -i eth1 -j MARK --set-mark 1\nCOMMIT\n";
        Netfilter strict = nf(rules, "*filter\nCOMMIT\n", "sysctl net.ipv4.conf.all.rp_filter=1\n");
        PathResult r = receive(strict, "eth1", PacketBuilder.ipv4("203.0.113.5", "198.51.100.1").udp(9, 1));
        assertEquals(EngineDrop.RP_FILTER, r.engineDrop, "without src_valid_mark the reverse route is main's (eth0)");
        Netfilter marked = nf(rules, "*filter\nCOMMIT\n",
                "sysctl net.ipv4.conf.all.rp_filter=1\nsysctl net.ipv4.conf.all.src_valid_mark=1\n");
        r = receive(marked, "eth1", PacketBuilder.ipv4("203.0.113.5", "198.51.100.1").udp(9, 1));
        assertEquals("accept", r.verdictName());
        assertEquals(Hook.INPUT, r.path);
        // rp_filter 0 with custom rules: the full check still calls a blackholed source a martian.
        Netfilter off = nf("*filter\nCOMMIT\n", "*filter\nCOMMIT\n", "route blackhole 203.0.113.0/24\n");
        r = receive(off, "eth0", PacketBuilder.ipv4("203.0.113.5", "192.0.2.1").udp(9, 1));
        assertEquals("accept", r.verdictName(), "a reject route back is last_resort: accepted without rp_filter");
        r = receive(off, "eth0", PacketBuilder.ipv4("198.51.100.1", "192.0.2.1").udp(9, 1));
        assertEquals(EngineDrop.MARTIAN_SOURCE, r.engineDrop, "own address as source");
    }

    @Test
    void unreachableRuleAnswersNetUnreachable() throws Exception {
        List<String> icmp = new ArrayList<>();
        Netfilter n = nf("""
                *mangle
                -A PREROUTING -p udp --dport 2 -j MARK --set-mark 2
                COMMIT
                """, "*filter\nCOMMIT\n", "sysctl net.ipv4.ip_forward=1\nroute unreachable 10.66.0.0/16\n");
        n.tap((skb, iface, generated) -> {
            if (generated && skb.pd.protocol == 1) {
                icmp.add(iface + " type " + skb.pd.icmpType + " code " + skb.pd.icmpCode);
            }
        });
        // ip_error: the rule's ENETUNREACH is "net unreachable", an unreachable route's EHOSTUNREACH "host".
        receive(n, "eth2", PacketBuilder.ipv4("10.0.0.9", "8.8.8.8").udp(4000, 2));
        receive(n, "eth2", PacketBuilder.ipv4("10.0.0.8", "10.66.1.1").udp(4000, 3));
        assertEquals(List.of("eth2 type 3 code 0", "eth2 type 3 code 1"), icmp);
    }

    /** Checked against Linux 6.18 (scapy frames into a namespace): the first matches, the others do not. */
    @Test
    void rpfilterAcceptLocalChecksTheLocalRoutesDevice() throws Exception {
        Netfilter n = nf("""
                *mangle
                -A PREROUTING -p udp --dport 7004 -m rpfilter --accept-local -j MARK --set-mark 4
                -A PREROUTING -p udp --dport 7005 -m rpfilter --accept-local -j MARK --set-mark 5
                -A PREROUTING -p udp --dport 7006 -m rpfilter -j MARK --set-mark 6
                COMMIT
                """, "*filter\nCOMMIT\n", "");
        String[][] cases = {{"eth1", "198.51.100.1", "7004"}, {"eth0", "192.0.2.1", "7005"}, {"eth1", "198.51.100.1", "7006"}};
        List<Integer> marks = new ArrayList<>();
        for (String[] c : cases) {
            Skb skb = Packets.skb(c[0], PacketBuilder.ipv4("198.51.100.1", c[1]).udp(9, Integer.parseInt(c[2])));
            n.receive(skb, new PathResult());
            marks.add(skb.mark);
        }
        // Own eth1 address arriving on eth1: the local route's device is eth1, so strict passes.
        assertEquals(List.of(4, 0, 0), marks);
    }

    @Test
    void masqueradeUsesThePolicyRoutedNextHop() throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader("""
                *mangle
                -A PREROUTING -i eth2 -j MARK --set-mark 1
                COMMIT
                *nat
                -A POSTROUTING -o eth1 -j MASQUERADE
                COMMIT
                """)), Restore.Options.DEFAULT, new StringBuilder());
        // eth1 holds two subnets; table 100's gateway is in the second one.
        Netfilter n = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), HostLoader.fromConf("""
                iface eth0 192.0.2.1/24
                iface eth1 198.51.100.1/24 203.0.113.1/24
                iface eth2 10.0.0.1/24
                route default via 192.0.2.254 dev eth0
                route default via 203.0.113.254 dev eth1 table 100
                rule pref 100 fwmark 0x1 lookup 100
                sysctl net.ipv4.ip_forward=1
                """), new io.stockade.conntrack.ConntrackTable(), Emitter.NONE, Packets.decoder());
        List<String> sources = new ArrayList<>();
        n.tap((skb, iface, generated) -> sources.add(iface + " " + io.stockade.packet.IpText.src(skb.pd)));
        Skb skb = Packets.skb("eth2", PacketBuilder.ipv4("10.0.0.9", "8.8.8.8").udp(4000, 53));
        skb.timeNanos = 1_000_000_000L;
        PathResult r = new PathResult();
        n.receive(skb, r);
        assertEquals("accept", r.verdictName());
        // inet_select_addr(eth1, 203.0.113.254): the address in the next hop's subnet.
        assertEquals(List.of("eth1 203.0.113.1"), sources);
    }
}
