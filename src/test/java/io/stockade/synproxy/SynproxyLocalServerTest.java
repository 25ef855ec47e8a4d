package io.stockade.synproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.engine.PathResult;
import io.stockade.packet.PacketBuilder;
import io.stockade.testing.GatewayRig;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SYNPROXY in INPUT in front of a local server (the man page's example): the SYN for the local
 * server leaves through lo and is seen by the POST_ROUTING hook there (a locally generated packet
 * is not a "loopback packet"; after looping back, at LOCAL_IN, it is, and is left alone); the
 * server's SYN-ACK, sent by the local socket, is taken at POST_ROUTING; the ACK to the server goes
 * through lo; data from the client is translated at LOCAL_IN before delivery.
 */
class SynproxyLocalServerTest {
    static final String RULES = """
            *raw
            -A PREROUTING -i eth1 -p tcp -m tcp --syn --dport 22 -j CT --notrack
            COMMIT
            *filter
            -A INPUT -i eth1 -p tcp -m tcp --dport 22 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460
            -A INPUT -m conntrack --ctstate INVALID -j DROP
            COMMIT
            """;
    static final int SYN = 0x02, PSH = 0x08, ACK = 0x10;
    static final String C = "198.51.100.7", ME = "198.51.100.1";

    private static PacketBuilder c2s() {
        return PacketBuilder.ipv4(C, ME).tcp(40000, 22);
    }

    private static PacketBuilder s2c() {
        return PacketBuilder.ipv4(ME, C).tcp(22, 40000);
    }

    private static void expect(String iface, PacketBuilder want, GatewayRig.Out got) {
        byte[] w = want.build();
        assertEquals(new GatewayRig.Out(iface, w).text(), got.text());
        assertEquals(HexFormat.of().formatHex(w), HexFormat.of().formatHex(got.ip()));
    }

    @Test
    void proxiesALocalServer() throws Exception {
        ProxyGateway gw = new ProxyGateway(RULES, "", SynproxyExchangeTest.HOST, SynproxyExchangeTest.START);
        gw.receive("eth1", c2s().flags(SYN).seq(1).window(1000).mss(1460).timestamp(10, 0).build());
        byte[] synack = gw.take().getFirst().ip();
        int cookie = SynproxyExchangeTest.u32(synack, 24);
        int tsCookie = SynproxyExchangeTest.u32(synack, 20 + 20 + 4 + 4);
        assertEquals(0xf, tsCookie & 0x3f, "no window scale, no SACK offered: 0xf in the low bits");

        PathResult r = gw.receive("eth1", c2s().flags(ACK).seq(2).ack(cookie + 1).window(1000)
                .tcpOption(1).tcpOption(1).timestamp(11, tsCookie).build());
        assertEquals(PathResult.STOLEN, r.outcome);
        List<GatewayRig.Out> out = gw.take();
        assertEquals(2, out.size(), () -> out.toString());
        PacketBuilder syn = c2s().ttl(64).id(0).dontFragment().flags(SYN).seq(1).ack(cookie).window(1000)
                .mss(1460).tcpOption(1).tcpOption(1).timestamp(11, tsCookie);
        expect("lo", syn, out.get(0));
        expect("local", syn, out.get(1));

        int serverTs = 500_000;
        r = gw.send(s2c().flags(SYN | ACK).seq(9000).ack(2).window(43690).mss(65483).tcpOption(1).tcpOption(1)
                .timestamp(serverTs, 11).build());
        assertEquals(PathResult.STOLEN, r.outcome);
        List<GatewayRig.Out> out2 = gw.take();
        assertEquals(3, out2.size(), () -> out2.toString());
        int tsoff = serverTs - tsCookie;
        PacketBuilder ack = c2s().ttl(64).id(0).dontFragment().flags(ACK).seq(2).ack(9001).window(1000)
                .tcpOption(1).tcpOption(1).timestamp(11, serverTs + tsoff);
        expect("lo", ack, out2.get(0));
        expect("local", ack, out2.get(1));
        expect("eth1", s2c().ttl(64).id(0).dontFragment().flags(ACK).seq(cookie + 1).ack(2).window(43690)
                .tcpOption(1).tcpOption(1).timestamp(tsCookie, 11), out2.get(2));

        r = gw.receive("eth1", c2s().flags(PSH | ACK).seq(2).ack(cookie + 1).window(1000)
                .tcpOption(1).tcpOption(1).timestamp(12, tsCookie).payload(5).build());
        assertEquals(PathResult.ACCEPTED, r.outcome);
        List<GatewayRig.Out> out3 = gw.take();
        assertEquals(1, out3.size(), () -> out3.toString());
        expect("local", c2s().flags(PSH | ACK).seq(2).ack(9001).window(1000)
                .tcpOption(1).tcpOption(1).timestamp(12, serverTs).payload(5), out3.getFirst());

        r = gw.send(s2c().flags(PSH | ACK).seq(9001).ack(7).window(43690).tcpOption(1).tcpOption(1)
                .timestamp(serverTs + 3, 12).payload(8).build());
        assertEquals(PathResult.ACCEPTED, r.outcome);
        List<GatewayRig.Out> out4 = gw.take();
        assertEquals(1, out4.size(), () -> out4.toString());
        expect("eth1", s2c().flags(PSH | ACK).seq(cookie + 1).ack(7).window(43690).tcpOption(1).tcpOption(1)
                .timestamp(tsCookie + 3, 12).payload(8), out4.getFirst());
    }
}
