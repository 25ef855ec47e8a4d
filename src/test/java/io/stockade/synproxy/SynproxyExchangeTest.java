package io.stockade.synproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.PathResult;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.Wire;
import io.stockade.testing.GatewayRig;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The documented SYNPROXY setup on a forwarding gateway (raw NOTRACK for SYNs from the outside,
 * {@code --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460},
 * {@code nf_conntrack_tcp_loose=0}), the whole exchange byte for byte, IPv4 and IPv6: client SYN →
 * cookie SYN-ACK; client ACK → SYN to the server; server SYN-ACK → ACK to the server and window
 * update to the client; then data both ways with sequence and timestamp translation. The cookie
 * (our ISN) is read from the SYN-ACK and must decode to the client's MSS; every other byte is
 * derived here from the client's and server's packets.
 */
class SynproxyExchangeTest {
    static final String RULES = """
            *raw
            -A PREROUTING -i eth1 -p tcp -m tcp --syn -j CT --notrack
            COMMIT
            *filter
            :FORWARD DROP [0:0]
            -A FORWARD -i eth1 -p tcp -m tcp --dport 80 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460
            -A FORWARD -m conntrack --ctstate INVALID -j DROP
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            COMMIT
            """;
    static final String HOST = """
            iface eth0 192.168.10.1/24 fd00:10::1/64
            iface eth1 198.51.100.1/24 2001:db8:1::1/64
            route default via 198.51.100.254 dev eth1
            route ::/0 via 2001:db8:1::fe dev eth1
            sysctl net.ipv4.ip_forward=1
            sysctl net.ipv6.conf.all.forwarding=1
            sysctl net.netfilter.nf_conntrack_tcp_loose=0
            """;
    static final int FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10;
    static final long START = 1_700_000_000_123_456_789L;

    static String client(int v) {
        return v == 4 ? "198.51.100.7" : "2001:db8:1::7";
    }

    static String server(int v) {
        return v == 4 ? "192.168.10.20" : "fd00:10::20";
    }

    private static PacketBuilder c2s(int v) {
        return PacketBuilder.ip(client(v), server(v)).tcp(40000, 80);
    }

    private static PacketBuilder s2c(int v) {
        return PacketBuilder.ip(server(v), client(v)).tcp(80, 40000);
    }

    /** What the host itself sends: IPv4 ID 0 with DF, TTL/hop limit 64. */
    private static PacketBuilder own(PacketBuilder b, int v) {
        b.ttl(64);
        if (v == 4) {
            b.id(0).dontFragment();
        }
        return b;
    }

    private static void expect(String iface, byte[] want, GatewayRig.Out got) {
        GatewayRig.Out w = new GatewayRig.Out(iface, want);
        assertEquals(w.text(), got.text());
        assertEquals(HexFormat.of().formatHex(want), HexFormat.of().formatHex(got.ip()), "bytes of " + got.text());
    }

    private static int tcpOff(int v) {
        return v == 4 ? 20 : 40;
    }

    static int u32(byte[] ip, int off) {
        return Wire.i32(MemorySegment.ofArray(ip), off);
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void fullExchange(int v) throws Exception {
        ProxyGateway gw = new ProxyGateway(v == 4 ? RULES : "", v == 6 ? RULES : "", HOST, START);
        int t = tcpOff(v);
        int clientIsn = 1000;
        int clientTs = 12345;

        // 1. The client's SYN is stolen and answered with the cookie SYN-ACK.
        PathResult r = gw.receive("eth1", c2s(v).flags(SYN).seq(clientIsn).window(64240)
                .mss(1460).sackPermitted().timestamp(clientTs, 0).tcpOption(1).windowScale(7).build());
        assertEquals(PathResult.STOLEN, r.outcome);
        List<GatewayRig.Out> out = gw.take();
        assertEquals(1, out.size(), () -> out.toString());
        byte[] synack = out.getFirst().ip();
        int cookie = u32(synack, t + 4);
        int ms = (int) (START / 1_000_000L);
        int tsCookie = (ms & ~0x3f) | 7 | 1 << 4;
        expect("eth1", own(s2c(v), v).flags(SYN | ACK).seq(cookie).ack(clientIsn + 1).window(0)
                .mss(1460).sackPermitted().timestamp(tsCookie, clientTs).tcpOption(1).windowScale(7).build(), out.getFirst());
        int mssKept = v == 4 ? 1460 : 1440;
        assertEquals(mssKept, v == 4
                ? SynCookie.checkV4(cookie, ProxyTestAddrs.lo(client(v)), ProxyTestAddrs.lo(server(v)), 40000, 80, clientIsn, START)
                : SynCookie.checkV6(cookie, ProxyTestAddrs.hi(client(v)), ProxyTestAddrs.lo(client(v)),
                        ProxyTestAddrs.hi(server(v)), ProxyTestAddrs.lo(server(v)), 40000, 80, clientIsn, START));
        assertEquals(0, gw.conntrack.count(), "the SYN-ACK leaves no entry (INVALID in OUTPUT)");

        // 2. The client's ACK: the server gets the client's SYN with the options the cookie kept.
        gw.now += 3_000_000;
        r = gw.receive("eth1", c2s(v).flags(ACK).seq(clientIsn + 1).ack(cookie + 1).window(502)
                .tcpOption(1).tcpOption(1).timestamp(clientTs + 1, tsCookie).build());
        assertEquals(PathResult.STOLEN, r.outcome);
        List<GatewayRig.Out> out2 = gw.take();
        assertEquals(1, out2.size(), () -> out2.toString());
        expect("eth0", own(c2s(v), v).flags(SYN).seq(clientIsn).ack(cookie).window(502)
                .mss(mssKept).sackPermitted().timestamp(clientTs + 1, tsCookie).tcpOption(1).windowScale(7).build(), out2.getFirst());
        assertEquals(1, gw.conntrack.count());

        // 3. The server's SYN-ACK: ACK to the server, window update to the client, SYN-ACK stolen.
        int serverIsn = 0x7f000000;
        int serverTs = 777000;
        gw.now += 1_000_000;
        r = gw.receive("eth0", s2c(v).flags(SYN | ACK).seq(serverIsn).ack(clientIsn + 1).window(65160)
                .mss(1460).sackPermitted().timestamp(serverTs, clientTs + 1).tcpOption(1).windowScale(7).build());
        assertEquals(PathResult.STOLEN, r.outcome);
        assertEquals(2, r.emitted);
        List<GatewayRig.Out> out3 = gw.take();
        assertEquals(2, out3.size(), () -> out3.toString());
        int tsoff = serverTs - tsCookie;
        // The ACK leaves through POST_ROUTING after the offset was set: its TSecr is moved too (as Linux).
        expect("eth0", own(c2s(v), v).flags(ACK).seq(clientIsn + 1).ack(serverIsn + 1).window(502)
                .tcpOption(1).tcpOption(1).timestamp(clientTs + 1, serverTs + tsoff).build(), out3.get(0));
        expect("eth1", own(s2c(v), v).flags(ACK).seq(cookie + 1).ack(clientIsn + 1).window(65160 >> 7)
                .tcpOption(1).tcpOption(1).timestamp(serverTs - tsoff, clientTs + 1).build(), out3.get(1));

        // 4. Data both ways: the client's ack and TSecr move to the server's numbers and back.
        gw.now += 1_000_000;
        r = gw.receive("eth1", c2s(v).flags(PSH | ACK).seq(clientIsn + 1).ack(cookie + 1).window(502)
                .tcpOption(1).tcpOption(1).timestamp(clientTs + 2, tsCookie).payload(10).build());
        assertEquals(PathResult.ACCEPTED, r.outcome);
        List<GatewayRig.Out> out4 = gw.take();
        assertEquals(1, out4.size(), () -> out4.toString());
        expect("eth0", c2s(v).ttl(63).flags(PSH | ACK).seq(clientIsn + 1).ack(serverIsn + 1).window(502)
                .tcpOption(1).tcpOption(1).timestamp(clientTs + 2, serverTs).payload(10).build(), out4.getFirst());
        gw.now += 1_000_000;
        r = gw.receive("eth0", s2c(v).flags(PSH | ACK).seq(serverIsn + 1).ack(clientIsn + 11).window(509)
                .tcpOption(1).tcpOption(1).timestamp(serverTs + 5, clientTs + 2).payload(20).build());
        assertEquals(PathResult.ACCEPTED, r.outcome);
        List<GatewayRig.Out> out5 = gw.take();
        assertEquals(1, out5.size(), () -> out5.toString());
        expect("eth1", s2c(v).ttl(63).flags(PSH | ACK).seq(cookie + 1).ack(clientIsn + 11).window(509)
                .tcpOption(1).tcpOption(1).timestamp(serverTs + 5 - tsoff, clientTs + 2).payload(20).build(), out5.getFirst());
        assertNotEquals(serverIsn, cookie);
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void badAndStaleCookiesAreDropped(int v) throws Exception {
        ProxyGateway gw = new ProxyGateway(v == 4 ? RULES : "", v == 6 ? RULES : "", HOST, START);
        int t = tcpOff(v);
        gw.receive("eth1", c2s(v).flags(SYN).seq(5).mss(1400).build());
        byte[] synack = gw.take().getFirst().ip();
        int cookie = u32(synack, t + 4);
        // Without --timestamp offered by the client: MSS only (the rule's), no SACK/WS/TS.
        assertEquals(24, (synack[t + 12] >>> 4 & 0xf) * 4);
        // (cookie + 1 as the ACK would be the next MSS index: still a valid cookie, as in Linux)
        PathResult r = gw.receive("eth1", c2s(v).flags(ACK).seq(6).ack(cookie + 1 + 0x10000).build());
        assertEquals(PathResult.DROPPED, r.outcome, "a wrong cookie");
        assertTrue(gw.take().isEmpty());
        gw.now += 2 * 60_000_000_000L + 60_000_000_000L;
        r = gw.receive("eth1", c2s(v).flags(ACK).seq(6).ack(cookie + 1).build());
        assertEquals(PathResult.DROPPED, r.outcome, "a cookie from three minutes ago");
        assertTrue(gw.take().isEmpty());
        assertEquals(0, gw.conntrack.count());
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void cookieAcceptedInTheNextMinute(int v) throws Exception {
        ProxyGateway gw = new ProxyGateway(v == 4 ? RULES : "", v == 6 ? RULES : "", HOST, START);
        int t = tcpOff(v);
        gw.receive("eth1", c2s(v).flags(SYN).seq(5).mss(1300).build());
        int cookie = u32(gw.take().getFirst().ip(), t + 4);
        gw.now += 61_000_000_000L;
        PathResult r = gw.receive("eth1", c2s(v).flags(ACK).seq(6).ack(cookie + 1).window(1000).build());
        assertEquals(PathResult.STOLEN, r.outcome);
        List<GatewayRig.Out> out = gw.take();
        assertEquals(1, out.size());
        // The cookie encodes 1300 (IPv4 table) or 1220 (IPv6 table: the largest entry not above 1300).
        expect("eth0", own(c2s(v), v).flags(SYN).seq(5).ack(cookie).window(1000).mss(v == 4 ? 1300 : 1220).build(),
                out.getFirst());
    }
}
