package io.stockade.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.packet.PacketBuilder;
import io.stockade.testing.GatewayRig;
import org.junit.jupiter.api.Test;

/**
 * The seeds' "Setting up a NAT gateway" (192.168.0.0/24 on eth0 and 10.3.0.0/16 on eth1
 * masqueraded out ppp0, DNAT of ppp0:22 and ppp0:8000), driven through the whole engine with
 * conntrack; every packet that leaves is compared byte for byte with the packet Linux sends.
 */
class NatGatewayTest {
    static final String RULES = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -i ppp0 -p tcp --dport 22 -j DNAT --to 192.168.0.5
            -A PREROUTING -i ppp0 -p tcp --dport 8000 -j DNAT --to 192.168.0.6:80
            -A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 8080
            -A POSTROUTING -s 192.168.0.0/24 -o ppp0 -j MASQUERADE
            -A POSTROUTING -s 10.3.0.0/16 -o ppp0 -j MASQUERADE
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :fw-interfaces - [0:0]
            :fw-open - [0:0]
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -j fw-interfaces
            -A FORWARD -j fw-open
            -A FORWARD -j REJECT --reject-with icmp-host-unreach
            -A fw-interfaces -i eth0 -j ACCEPT
            -A fw-interfaces -i eth1 -j ACCEPT
            -A fw-open -d 192.168.0.5/32 -p tcp -m tcp --dport 22 -j ACCEPT
            -A fw-open -d 192.168.0.6/32 -p tcp -m tcp --dport 80 -j ACCEPT
            COMMIT
            """;
    static final String HOST = """
            iface eth0 192.168.0.1/24
            iface eth1 10.3.0.1/16
            iface ppp0 198.51.100.2/24
            route default via 198.51.100.1 dev ppp0
            sysctl net.ipv4.ip_forward=1
            """;
    static final String PUBLIC = "198.51.100.2";
    static final String SERVER = "203.0.113.80";
    static final int SYN = 0x02, ACK = 0x10;

    static PacketBuilder tcp(String src, int sport, String dst, int dport, int ttl, int flags, int seq, int ack) {
        return PacketBuilder.ipv4(src, dst).ttl(ttl).id(0x1234).tcp(sport, dport).flags(flags).seq(seq).ack(ack)
                .window(64000);
    }

    static PacketBuilder udp(String src, int sport, String dst, int dport, int ttl) {
        return PacketBuilder.ipv4(src, dst).ttl(ttl).id(0x4321).udp(sport, dport).payload(20);
    }

    @Test
    void bothLansAreMasqueradedAndRepliesReachTheRightHost() throws Exception {
        Gateway g = new Gateway(RULES, "", HOST);
        assertEquals("accept", g.receive("eth0", tcp("192.168.0.10", 40000, SERVER, 443, 64, SYN, 100, 0)));
        g.expectOut("ppp0", tcp(PUBLIC, 40000, SERVER, 443, 63, SYN, 100, 0));
        assertEquals("accept", g.receive("eth1", tcp("10.3.7.9", 41000, SERVER, 443, 64, SYN, 500, 0)));
        g.expectOut("ppp0", tcp(PUBLIC, 41000, SERVER, 443, 63, SYN, 500, 0));

        assertEquals("accept", g.receive("ppp0", tcp(SERVER, 443, PUBLIC, 41000, 50, SYN | ACK, 9000, 501)));
        g.expectOut("eth1", tcp(SERVER, 443, "10.3.7.9", 41000, 49, SYN | ACK, 9000, 501));
        assertEquals("accept", g.receive("ppp0", tcp(SERVER, 443, PUBLIC, 40000, 50, SYN | ACK, 7000, 101)));
        g.expectOut("eth0", tcp(SERVER, 443, "192.168.0.10", 40000, 49, SYN | ACK, 7000, 101));
        assertEquals("accept", g.receive("eth0", tcp("192.168.0.10", 40000, SERVER, 443, 64, ACK, 101, 7001)));
        g.expectOut("ppp0", tcp(PUBLIC, 40000, SERVER, 443, 63, ACK, 101, 7001));
        assertEquals(2, g.conntrack.count());
    }

    @Test
    void unmatchedSubnetIsForwardedUntranslated() throws Exception {
        // 10.4.0.0/16 is neither LAN prefix: no MASQUERADE rule matches, the null binding keeps the source.
        Gateway g = new Gateway(RULES, "", HOST.replace("10.3.0.1/16", "10.3.0.1/8"));
        assertEquals("accept", g.receive("eth1", udp("10.4.0.9", 5000, SERVER, 53, 64)));
        g.expectOut("ppp0", udp("10.4.0.9", 5000, SERVER, 53, 63));
    }

    @Test
    void dnatSshAndPortForwardToTheWebServer() throws Exception {
        Gateway g = new Gateway(RULES, "", HOST);
        String client = "203.0.113.9";
        assertEquals("accept", g.receive("ppp0", tcp(client, 50000, PUBLIC, 22, 60, SYN, 1, 0)));
        g.expectOut("eth0", tcp(client, 50000, "192.168.0.5", 22, 59, SYN, 1, 0));
        assertEquals("accept", g.receive("eth0", tcp("192.168.0.5", 22, client, 50000, 64, SYN | ACK, 77, 2)));
        g.expectOut("ppp0", tcp(PUBLIC, 22, client, 50000, 63, SYN | ACK, 77, 2));

        assertEquals("accept", g.receive("ppp0", tcp(client, 50001, PUBLIC, 8000, 60, SYN, 1, 0)));
        g.expectOut("eth0", tcp(client, 50001, "192.168.0.6", 80, 59, SYN, 1, 0));
        assertEquals("accept", g.receive("eth0", tcp("192.168.0.6", 80, client, 50001, 64, SYN | ACK, 5, 2)));
        g.expectOut("ppp0", tcp(PUBLIC, 8000, client, 50001, 63, SYN | ACK, 5, 2));

        // Not forwarded to anyone: port 23 reaches the gateway itself (INPUT), nothing leaves.
        assertEquals("accept", g.receive("ppp0", tcp(client, 50002, PUBLIC, 23, 60, SYN, 1, 0)));
        assertEquals("local", g.out.removeFirst().iface());
        g.expectNothing();
    }

    @Test
    void twoLanHostsWithTheSameSourcePortGetDistinctTuples() throws Exception {
        Gateway g = new Gateway(RULES, "", HOST);
        assertEquals("accept", g.receive("eth0", udp("192.168.0.10", 5353, SERVER, 53, 64)));
        g.expectOut("ppp0", udp(PUBLIC, 5353, SERVER, 53, 63));
        assertEquals("accept", g.receive("eth0", udp("192.168.0.11", 5353, SERVER, 53, 64)));
        assertEquals(1, g.out.size());
        GatewayRig.Out second = g.out.getFirst();
        int port = ((second.ip()[20] & 0xff) << 8) | (second.ip()[21] & 0xff);
        assertNotEquals(5353, port, "the tuple is taken: the source port moves");
        assertTrue(port >= 1024 && port <= 65535, "a port >= 1024 is remapped within 1024-65535, got " + port);
        g.expectOut("ppp0", udp(PUBLIC, port, SERVER, 53, 63));

        assertEquals("accept", g.receive("ppp0", udp(SERVER, 53, PUBLIC, port, 50)));
        g.expectOut("eth0", udp(SERVER, 53, "192.168.0.11", 5353, 49));
        assertEquals("accept", g.receive("ppp0", udp(SERVER, 53, PUBLIC, 5353, 50)));
        g.expectOut("eth0", udp(SERVER, 53, "192.168.0.10", 5353, 49));
    }

    @Test
    void icmpPortUnreachableForAMasqueradedFlowReachesTheLanHost() throws Exception {
        Gateway g = new Gateway(RULES, "", HOST);
        assertEquals("accept", g.receive("eth1", udp("10.3.0.20", 6000, SERVER, 9999, 64)));
        g.expectOut("ppp0", udp(PUBLIC, 6000, SERVER, 9999, 63));
        // The server quotes the datagram as it arrived (TTL 55 after the internet's hops).
        byte[] quoted = udp(PUBLIC, 6000, SERVER, 9999, 55).build();
        assertEquals("accept", g.receive("ppp0", PacketBuilder.ipv4(SERVER, PUBLIC).ttl(50).id(7).icmp(3, 3)
                .quote(quoted)));
        byte[] inner = udp("10.3.0.20", 6000, SERVER, 9999, 55).build();
        g.expectOut("eth1", PacketBuilder.ipv4(SERVER, "10.3.0.20").ttl(49).id(7).icmp(3, 3).quote(inner));
    }

    @Test
    void redirectToALocalPort() throws Exception {
        Gateway g = new Gateway(RULES, "", HOST);
        assertEquals("accept", g.receive("eth0", tcp("192.168.0.10", 40000, SERVER, 80, 64, SYN, 1, 0)));
        // REDIRECT in PREROUTING: the in interface's primary address, port 8080, delivered locally.
        g.expectOut("local", tcp("192.168.0.10", 40000, "192.168.0.1", 8080, 64, SYN, 1, 0));
    }

    /**
     * The guide's "iptables -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu"
     * on a gateway whose LAN link has a smaller MTU (1400): a port-forwarded SYN offering MSS 1460
     * leaves on eth0 DNATed with MSS 1360 (route MTU − 40) and checksums fixed; the SYN/ACK back
     * (MSS 1360 already) is left alone.
     */
    @Test
    void tcpmssClampsToTheSmallerLanMtu() throws Exception {
        String mangle = """
                *mangle
                -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
                COMMIT
                """;
        Gateway g = new Gateway(mangle + RULES, "", HOST.replace("iface eth0 192.168.0.1/24", "iface eth0 192.168.0.1/24 mtu 1400"));
        String client = "203.0.113.9";
        assertEquals("accept", g.receive("ppp0", tcp(client, 50000, PUBLIC, 22, 60, SYN, 1, 0).mss(1460)));
        g.expectOut("eth0", tcp(client, 50000, "192.168.0.5", 22, 59, SYN, 1, 0).mss(1360));
        assertEquals("accept", g.receive("eth0", tcp("192.168.0.5", 22, client, 50000, 64, SYN | ACK, 77, 2).mss(1360)));
        g.expectOut("ppp0", tcp(PUBLIC, 22, client, 50000, 63, SYN | ACK, 77, 2).mss(1360));
    }
}
