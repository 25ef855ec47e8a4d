package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.host.Host;
import io.stockade.host.HostLoader;
import io.stockade.packet.PacketBuilder;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.rules.TableKind;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven traversal tests: ruleset text + one packet → verdict, path, deciding rule and the
 * deciding entry's counters. Module-free rules only (the IP header part, jumps, gotos, RETURN,
 * policies); the seed rulesets with match modules are covered in the replay tests.
 */
class EngineTableTest {
    static final String HOST = """
            iface eth0 192.0.2.1/24 2001:db8::1/64
            iface eth1 10.0.0.1/24 2001:db8:1::1/64 mtu 1400
            iface ppp0 198.51.100.1/24
            route default via 198.51.100.254 dev ppp0
            route default via 2001:db8::fe dev eth0
            sysctl net.ipv4.ip_forward=1
            sysctl net.ipv6.conf.all.forwarding=1
            """;

    static PacketBuilder tcp4(String s, String d) {
        return PacketBuilder.ipv4(s, d).tcp(40000, 22).flags(0x02);
    }

    static PacketBuilder tcp6(String s, String d) {
        return PacketBuilder.ipv6(s, d).tcp(40000, 22).flags(0x02);
    }

    static Arguments c(String name, Family f, String rules, String in, PacketBuilder p, String verdict, String rule, String path) {
        return Arguments.of(name, f, rules, in, p, verdict, rule, path);
    }

    static Stream<Arguments> cases() {
        Family v4 = Family.IPV4;
        Family v6 = Family.IPV6;
        return Stream.of(
                c("empty ruleset accepts", v4, "*filter\nCOMMIT", "eth0", tcp4("192.0.2.9", "192.0.2.1"),
                        "accept", "filter:INPUT:policy", "INPUT"),
                c("policy drop", v4, "*filter\n:INPUT DROP [0:0]\nCOMMIT", "eth0", tcp4("192.0.2.9", "192.0.2.1"),
                        "drop", "filter:INPUT:policy", "INPUT"),
                c("first matching rule decides", v4, """
                        *filter
                        :INPUT DROP [0:0]
                        -A INPUT -s 10.0.0.0/8 -j DROP
                        -A INPUT -s 192.0.2.0/24 -j ACCEPT
                        -A INPUT -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "accept", "filter:INPUT:2", "INPUT"),
                c("inverted source", v4, """
                        *filter
                        -A INPUT ! -s 192.0.2.0/24 -j DROP
                        -A INPUT ! -s 10.0.0.0/8 -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:2", "INPUT"),
                c("destination and protocol", v4, """
                        *filter
                        -A INPUT -d 192.0.2.2 -j DROP
                        -A INPUT -p udp -j DROP
                        -A INPUT ! -p tcp -j DROP
                        -A INPUT -p 6 -d 192.0.2.1/32 -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:4", "INPUT"),
                c("interface exact vs wildcard", v4, """
                        *filter
                        -A INPUT -i eth -j DROP
                        -A INPUT -i eth0x -j DROP
                        -A INPUT ! -i eth+ -j DROP
                        -A INPUT -i eth+ -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:4", "INPUT"),
                c("-i + matches any, ! -i + none", v4, """
                        *filter
                        -A INPUT ! -i + -j ACCEPT
                        -A INPUT -i + -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:2", "INPUT"),
                c("jump and fall off a user chain", v4, """
                        *filter
                        :INPUT DROP [0:0]
                        :A - [0:0]
                        -A INPUT -j A
                        -A INPUT -p tcp -j ACCEPT
                        -A A -p udp -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "accept", "filter:INPUT:2", "INPUT"),
                c("RETURN from a user chain continues after the jump", v4, """
                        *filter
                        :A - [0:0]
                        -A INPUT -j A
                        -A INPUT -j DROP
                        -A A -p tcp -j RETURN
                        -A A -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:2", "INPUT"),
                c("RETURN in a built-in chain applies the policy", v4, """
                        *filter
                        :INPUT DROP [0:0]
                        -A INPUT -p tcp -j RETURN
                        -A INPUT -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:policy", "INPUT"),
                c("goto does not return to its caller", v4, """
                        *filter
                        :A - [0:0]
                        :B - [0:0]
                        -A INPUT -j A
                        -A INPUT -j DROP
                        -A A -g B
                        -A A -j DROP
                        -A B -p udp -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:2", "INPUT"),
                c("goto from a built-in chain then fall off → policy", v4, """
                        *filter
                        :INPUT DROP [0:0]
                        :B - [0:0]
                        -A INPUT -g B
                        -A INPUT -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:INPUT:policy", "INPUT"),
                c("nested jumps return level by level", v4, """
                        *filter
                        :A - [0:0]
                        :B - [0:0]
                        :C - [0:0]
                        -A INPUT -j A
                        -A INPUT -j ACCEPT
                        -A A -j B
                        -A A -j DROP
                        -A B -j C
                        -A B -j RETURN
                        -A C -s 10.0.0.0/8 -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "filter:A:2", "INPUT"),
                c("-f matches only later fragments", v4, """
                        *filter
                        -A INPUT -f -j DROP
                        -A INPUT ! -f -j ACCEPT
                        COMMIT""", "eth0", PacketBuilder.ipv4("192.0.2.9", "192.0.2.1").udp(1, 2).payload(40).fragment(0, true),
                        "accept", "filter:INPUT:2", "INPUT"),
                c("-f on a non-first fragment", v4, """
                        *filter
                        -A INPUT ! -f -j ACCEPT
                        -A INPUT -f -j DROP
                        COMMIT""", "eth0", PacketBuilder.ipv4("192.0.2.9", "192.0.2.1").udp(1, 2).payload(40).fragment(64, false),
                        "drop", "filter:INPUT:2", "INPUT"),
                c("forwarded packet crosses FORWARD with -o from the route", v4, """
                        *filter
                        :FORWARD DROP [0:0]
                        -A FORWARD -i eth0 -o eth1 -j DROP
                        -A FORWARD -i eth0 -o ppp0 -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "203.0.113.5"), "accept", "filter:FORWARD:2", "FORWARD"),
                c("forwarded to a connected prefix", v4, """
                        *filter
                        -A FORWARD -o eth1 -d 10.0.0.0/24 -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "10.0.0.7"), "drop", "filter:FORWARD:1", "FORWARD"),
                c("raw table drop comes first", v4, """
                        *raw
                        -A PREROUTING -s 192.0.2.9 -j DROP
                        COMMIT
                        *filter
                        -A INPUT -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "raw:PREROUTING:1", null),
                c("mangle INPUT before filter INPUT", v4, """
                        *mangle
                        -A INPUT -p tcp -j DROP
                        COMMIT
                        *filter
                        -A INPUT -j ACCEPT
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "mangle:INPUT:1", "INPUT"),
                c("security table after filter", v4, """
                        *filter
                        -A INPUT -j ACCEPT
                        COMMIT
                        *security
                        -A INPUT -j DROP
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "drop", "security:INPUT:1", "INPUT"),
                c("QUEUE without a listener", v4, """
                        *filter
                        -A INPUT -j QUEUE
                        COMMIT""", "eth0", tcp4("192.0.2.9", "192.0.2.1"), "queue", "filter:INPUT:1", "INPUT"),
                c("IPv6 source prefix and inversion", v6, """
                        *filter
                        :INPUT DROP [0:0]
                        -A INPUT -s 2001:db8:1::/48 -j DROP
                        -A INPUT ! -s 2001:db8::/64 -j DROP
                        -A INPUT -s 2001:db8::/64 -p tcp -j ACCEPT
                        COMMIT""", "eth0", tcp6("2001:db8::9", "2001:db8::1"), "accept", "filter:INPUT:3", "INPUT"),
                c("IPv6 -p after extension headers", v6, """
                        *filter
                        -A INPUT -p 0 -j DROP
                        -A INPUT -p udp -j ACCEPT
                        COMMIT""", "eth0", PacketBuilder.ipv6("2001:db8::9", "2001:db8::1").hopByHop().udp(5, 6),
                        "drop", "filter:INPUT:1", "INPUT"),
                c("IPv6 -p udp with a hop-by-hop header", v6, """
                        *filter
                        -A INPUT -p tcp -j DROP
                        -A INPUT -p udp -j ACCEPT
                        COMMIT""", "eth0", PacketBuilder.ipv6("2001:db8::9", "2001:db8::1").hopByHop().udp(5, 6),
                        "accept", "filter:INPUT:2", "INPUT"),
                c("IPv6 forward and -o", v6, """
                        *filter
                        -A FORWARD -o eth1 -j DROP
                        COMMIT""", "eth0", tcp6("2001:db8::9", "2001:db8:1::7"), "drop", "filter:FORWARD:1", "FORWARD"),
                c("IPv6 multicast is delivered", v6, """
                        *filter
                        -A INPUT -d ff02::1 -j DROP
                        COMMIT""", "eth0", PacketBuilder.ipv6("fe80::9", "ff02::1").udp(5, 6), "drop", "filter:INPUT:1", "INPUT"),
                c("IPv4 broadcast is delivered", v4, """
                        *filter
                        -A INPUT -d 192.0.2.255 -j DROP
                        COMMIT""", "eth0", PacketBuilder.ipv4("192.0.2.9", "192.0.2.255").udp(5, 6), "drop", "filter:INPUT:1", "INPUT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void traversal(String name, Family family, String rules, String in, PacketBuilder p, String verdict, String rule, String path)
            throws Exception {
        Ruleset rs = MiniRules.parse(family, rules);
        Host host = HostLoader.fromConf(HOST);
        Netfilter nf = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), host, ConnTracker.NONE, Emitter.NONE, Packets.decoder());
        Skb skb = Packets.skb(in, p);
        int len = skb.pd.ipTotalLength;
        PathResult res = new PathResult();
        nf.receive(skb, res);
        assertEquals(verdict, res.verdictName(), "verdict");
        assertEquals(rule, res.ruleName(), "deciding rule");
        assertEquals(path, res.path == null ? null : res.path.name(), "path");
        // The deciding entry was counted exactly once with the packet's length.
        assertEquals(1, res.table.packets[res.entry], "packets of the deciding entry");
        assertEquals(len, res.table.bytes[res.entry], "bytes of the deciding entry");
        // Written back into the model for listing/save.
        nf.ruleset().writeCounters(rs);
        String[] parts = rule.split(":");
        var chain = rs.table(family, TableKind.byName(parts[0])).chain(parts[1]);
        long packets = parts[2].equals("policy") ? chain.policyPackets() : chain.rules().get(Integer.parseInt(parts[2]) - 1).packets();
        assertEquals(1, packets, "model counters after write-back");
    }
}
