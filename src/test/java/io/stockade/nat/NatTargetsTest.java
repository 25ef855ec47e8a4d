package io.stockade.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.packet.PacketBuilder;
import io.stockade.testing.GatewayRig;
import org.junit.jupiter.api.Test;

/**
 * SNAT/DNAT/MASQUERADE/REDIRECT/NETMAP for IPv4 and IPv6 through the engine, beyond the seed
 * gateway: address and port ranges, masquerade address choice, redirect and prefix mapping.
 * Expected packets are what Linux sends (the rules of nf_nat_core, nf_nat_masquerade,
 * nf_nat_redirect and xt_NETMAP).
 */
class NatTargetsTest {
    static final int SYN = 0x02, ACK = 0x10;

    static final String HOST6 = """
            iface eth0 192.168.0.1/24 fd00:1::1/64
            iface ppp0 198.51.100.2/24 2001:db8:1::2/64
            route default via 198.51.100.1 dev ppp0
            route default via 2001:db8:1::1 dev ppp0
            sysctl net.ipv4.ip_forward=1
            sysctl net.ipv6.conf.all.forwarding=1
            """;

    static final String RULES6 = """
            *nat
            -A PREROUTING -i ppp0 -p tcp --dport 22 -j DNAT --to-destination [fd00:1::5]:2222
            -A POSTROUTING -s fd00:1::/64 -o ppp0 -p udp -j SNAT --to-source 2001:db8:1::99
            -A POSTROUTING -s fd00:1::/64 -o ppp0 -j MASQUERADE
            COMMIT
            """;

    static PacketBuilder tcp6(String src, int sport, String dst, int dport, int hops, int flags, int seq, int ack) {
        return PacketBuilder.ipv6(src, dst).ttl(hops).tcp(sport, dport).flags(flags).seq(seq).ack(ack).window(5000);
    }

    static PacketBuilder udp6(String src, int sport, String dst, int dport, int hops) {
        return PacketBuilder.ipv6(src, dst).ttl(hops).udp(sport, dport).payload(9);
    }

    static PacketBuilder udp4(String src, int sport, String dst, int dport, int ttl) {
        return PacketBuilder.ipv4(src, dst).ttl(ttl).id(99).udp(sport, dport).payload(9);
    }

    @Test
    void ipv6MasqueradeSnatAndDnat() throws Exception {
        Gateway g = new Gateway("", RULES6, HOST6);
        String server = "2001:db8:2::80";
        assertEquals("accept", g.receive("eth0", tcp6("fd00:1::10", 40000, server, 443, 64, SYN, 1, 0)));
        g.expectOut("ppp0", tcp6("2001:db8:1::2", 40000, server, 443, 63, SYN, 1, 0));
        assertEquals("accept", g.receive("ppp0", tcp6(server, 443, "2001:db8:1::2", 40000, 50, SYN | ACK, 9, 2)));
        g.expectOut("eth0", tcp6(server, 443, "fd00:1::10", 40000, 49, SYN | ACK, 9, 2));

        assertEquals("accept", g.receive("eth0", udp6("fd00:1::10", 5000, server, 53, 64)));
        g.expectOut("ppp0", udp6("2001:db8:1::99", 5000, server, 53, 63));
        assertEquals("accept", g.receive("ppp0", udp6(server, 53, "2001:db8:1::99", 5000, 50)));
        g.expectOut("eth0", udp6(server, 53, "fd00:1::10", 5000, 49));

        String client = "2001:db8:9::9";
        assertEquals("accept", g.receive("ppp0", tcp6(client, 50000, "2001:db8:1::2", 22, 60, SYN, 1, 0)));
        g.expectOut("eth0", tcp6(client, 50000, "fd00:1::5", 2222, 59, SYN, 1, 0));
        assertEquals("accept", g.receive("eth0", tcp6("fd00:1::5", 2222, client, 50000, 64, SYN | ACK, 3, 2)));
        // The server's reply is de-DNATed: its source becomes the address and port the client used.
        g.expectOut("ppp0", tcp6("2001:db8:1::2", 22, client, 50000, 63, SYN | ACK, 3, 2));
    }

    @Test
    void snatAddressAndPortRange() throws Exception {
        String rules = """
                *nat
                -A POSTROUTING -o ppp0 -p udp -j SNAT --to-source 198.51.100.10-198.51.100.10:2000-2001
                COMMIT
                """;
        Gateway g = new Gateway(rules, "", HOST6);
        String server = "203.0.113.53";
        // Port 5000 is outside 2000-2001: moved into it; the second and third connection share the address.
        int[] seen = new int[3];
        for (int i = 0; i < 3; i++) {
            String lan = "192.168.0." + (10 + i);
            String verdict = g.receive("eth0", udp4(lan, 5000, server, 53, 64));
            if (i < 2) {
                assertEquals("accept", verdict);
                GatewayRig.Out o = g.out.getFirst();
                seen[i] = ((o.ip()[20] & 0xff) << 8) | (o.ip()[21] & 0xff);
                assertTrue(seen[i] == 2000 || seen[i] == 2001, "port in 2000-2001: " + seen[i]);
                g.expectOut("ppp0", udp4("198.51.100.10", seen[i], server, 53, 63));
            } else {
                // Both tuples of the range are taken: the entry cannot be inserted (insert_failed), dropped.
                assertEquals("drop", verdict);
                g.expectNothing();
            }
        }
        assertEquals(2000 + 2001, seen[0] + seen[1], "distinct ports");
    }

    @Test
    void masqueradePicksTheAddressInTheNextHopsSubnet() throws Exception {
        String host = """
                iface eth0 192.168.0.1/24
                iface ppp0 100.64.0.2/24 198.51.100.2/24 198.51.100.3/24
                route default via 198.51.100.1 dev ppp0
                sysctl net.ipv4.ip_forward=1
                """;
        String rules = "*nat\n-A POSTROUTING -o ppp0 -p udp -j MASQUERADE --to-ports 3000\nCOMMIT\n";
        Gateway g = new Gateway(rules, "", host);
        // inet_select_addr: not the first primary (100.64.0.2) but the one whose subnet holds the
        // gateway; 198.51.100.3 is a secondary of 198.51.100.0/24 and never chosen.
        assertEquals("accept", g.receive("eth0", udp4("192.168.0.7", 5000, "203.0.113.1", 53, 64)));
        g.expectOut("ppp0", udp4("198.51.100.2", 3000, "203.0.113.1", 53, 63));
        // A destination on the first subnet is its own next hop: that subnet's address.
        assertEquals("accept", g.receive("eth0", udp4("192.168.0.7", 5000, "100.64.0.9", 53, 64)));
        g.expectOut("ppp0", udp4("100.64.0.2", 3000, "100.64.0.9", 53, 63));
    }

    @Test
    void masqueradeWithoutAnAddressDrops() throws Exception {
        String host = """
                iface eth0 192.168.0.1/24
                iface ppp0
                route default dev ppp0
                sysctl net.ipv4.ip_forward=1
                """;
        Gateway g = new Gateway("*nat\n-A POSTROUTING -o ppp0 -j MASQUERADE\nCOMMIT\n", "", host);
        assertEquals("drop", g.receive("eth0", udp4("192.168.0.7", 5000, "203.0.113.1", 53, 64)));
        g.expectNothing();
        assertEquals(0, g.conntrack.count(), "the dropped first packet leaves no entry");
    }

    @Test
    void redirectIpv6ToTheInInterfaceAddress() throws Exception {
        String rules6 = "*nat\n-A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 3128\nCOMMIT\n";
        Gateway g = new Gateway("", rules6, HOST6);
        assertEquals("accept", g.receive("eth0", tcp6("fd00:1::10", 40000, "2001:db8:2::80", 80, 64, SYN, 1, 0)));
        g.expectOut("local", tcp6("fd00:1::10", 40000, "fd00:1::1", 3128, 64, SYN, 1, 0));
    }

    @Test
    void netmapMapsPrefixesBothWays() throws Exception {
        String rules = """
                *nat
                -A PREROUTING -i ppp0 -d 198.51.100.0/24 -j NETMAP --to 192.168.0.0/24
                -A POSTROUTING -o ppp0 -s 192.168.0.0/24 -j NETMAP --to 198.51.100.0/24
                COMMIT
                """;
        String rules6 = """
                *nat
                -A POSTROUTING -o ppp0 -s fd00:1::/64 -j NETMAP --to 2001:db8:7::/64
                COMMIT
                """;
        Gateway g = new Gateway(rules, rules6, HOST6);
        assertEquals("accept", g.receive("eth0", udp4("192.168.0.77", 5000, "203.0.113.1", 53, 64)));
        g.expectOut("ppp0", udp4("198.51.100.77", 5000, "203.0.113.1", 53, 63));
        assertEquals("accept", g.receive("ppp0", udp4("203.0.113.1", 53, "198.51.100.77", 5000, 50)));
        g.expectOut("eth0", udp4("203.0.113.1", 53, "192.168.0.77", 5000, 49));
        assertEquals("accept", g.receive("ppp0", udp4("203.0.113.9", 7, "198.51.100.200", 8, 50)));
        g.expectOut("eth0", udp4("203.0.113.9", 7, "192.168.0.200", 8, 49));

        assertEquals("accept", g.receive("eth0", udp6("fd00:1::abcd:1", 5000, "2001:db8:2::1", 53, 64)));
        g.expectOut("ppp0", udp6("2001:db8:7::abcd:1", 5000, "2001:db8:2::1", 53, 63));
    }

    @Test
    void redirectInOutputGoesToLoopbackAndIsRerouted() throws Exception {
        String rules = "*nat\n-A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports 8080\nCOMMIT\n";
        String rules6 = "*nat\n-A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports 8080\nCOMMIT\n";
        Gateway g = new Gateway(rules, rules6, HOST6);
        PacketBuilder syn = PacketBuilder.ipv4("198.51.100.2", "203.0.113.80").id(5).tcp(40000, 80).flags(SYN).seq(1);
        assertEquals("accept", g.send(syn));
        PacketBuilder redirected = PacketBuilder.ipv4("198.51.100.2", "127.0.0.1").id(5).tcp(40000, 8080).flags(SYN)
                .seq(1);
        assertEquals(2, g.out.size(), "out on lo, then delivered locally");
        GatewayRig.Out lo = g.out.removeFirst();
        assertEquals("lo", lo.iface(), "rerouted after the destination changed (nf_nat_ipv4_local_fn)");
        g.expectOut("local", redirected);

        assertEquals("accept", g.send(PacketBuilder.ipv6("2001:db8:1::2", "2001:db8:2::80").tcp(40000, 80).flags(SYN)
                .seq(1)));
        assertEquals("lo", g.out.removeFirst().iface());
        g.expectOut("local", PacketBuilder.ipv6("2001:db8:1::2", "::1").tcp(40000, 8080).flags(SYN).seq(1));
    }

    @Test
    void dnatInOutputReroutesToTheNewDestinationsInterface() throws Exception {
        String rules = "*nat\n-A OUTPUT -d 203.0.113.80 -p udp -j DNAT --to-destination 192.168.0.9:5353\nCOMMIT\n";
        Gateway g = new Gateway(rules, "", HOST6);
        assertEquals("accept", g.send(udp4("198.51.100.2", 4000, "203.0.113.80", 53, 64)));
        g.expectOut("eth0", udp4("198.51.100.2", 4000, "192.168.0.9", 5353, 64));
    }

    @Test
    void icmpv6ErrorForAMasqueradedFlowReachesTheLanHost() throws Exception {
        Gateway g = new Gateway("", RULES6, HOST6);
        String server = "2001:db8:2::80";
        assertEquals("accept", g.receive("eth0", tcp6("fd00:1::10", 40000, server, 443, 64, SYN, 1, 0)));
        g.expectOut("ppp0", tcp6("2001:db8:1::2", 40000, server, 443, 63, SYN, 1, 0));
        byte[] quoted = tcp6("2001:db8:1::2", 40000, server, 443, 60, SYN, 1, 0).build();
        assertEquals("accept", g.receive("ppp0", PacketBuilder.ipv6(server, "2001:db8:1::2").ttl(50).icmp(1, 4)
                .quote(quoted)));
        byte[] inner = tcp6("fd00:1::10", 40000, server, 443, 60, SYN, 1, 0).build();
        g.expectOut("eth0", PacketBuilder.ipv6(server, "fd00:1::10").ttl(49).icmp(1, 4).quote(inner));
    }

    @Test
    void redirectWithoutAnAddressOnTheInInterfaceDrops() throws Exception {
        String host = """
                iface eth0
                iface ppp0 198.51.100.2/24
                route default via 198.51.100.1 dev ppp0
                route 192.168.0.0/24 dev eth0
                sysctl net.ipv4.ip_forward=1
                """;
        Gateway g = new Gateway("*nat\n-A PREROUTING -i eth0 -p tcp -j REDIRECT\nCOMMIT\n", "", host);
        assertEquals("drop", g.receive("eth0", PacketBuilder.ipv4("192.168.0.10", "203.0.113.1").tcp(1000, 80)
                .flags(SYN)));
        g.expectNothing();
        Gateway plain = new Gateway("*nat\n-A PREROUTING -i eth0 -p tcp -j ACCEPT\nCOMMIT\n", "", host);
        assertEquals("accept", plain.receive("eth0", PacketBuilder.ipv4("192.168.0.10", "203.0.113.1").tcp(1000, 80)
                .flags(SYN)), "the same packet without REDIRECT is forwarded");
    }

    @Test
    void dnatShiftedPortRangeKeepsTheOffset() throws Exception {
        String rules = """
                *nat
                -A PREROUTING -i ppp0 -p tcp --dport 1000:1099 -j DNAT --to-destination 192.168.0.5:10000-10099/1000
                COMMIT
                """;
        Gateway g = new Gateway(rules, "", HOST6);
        String client = "203.0.113.9";
        // NF_NAT_RANGE_PROTO_OFFSET: port = min + (dport - base) % size = 10000 + 5.
        assertEquals("accept", g.receive("ppp0", PacketBuilder.ipv4(client, "198.51.100.2").id(3).tcp(40000, 1005)
                .flags(SYN)));
        g.expectOut("eth0", PacketBuilder.ipv4(client, "192.168.0.5").ttl(63).id(3).tcp(40000, 10005).flags(SYN));
        assertEquals("accept", g.receive("ppp0", PacketBuilder.ipv4(client, "198.51.100.2").id(3).tcp(40000, 1099)
                .flags(SYN)));
        g.expectOut("eth0", PacketBuilder.ipv4(client, "192.168.0.5").ttl(63).id(3).tcp(40000, 10099).flags(SYN));
    }
}
