package io.stockade.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.conntrack.ConntrackTable;
import io.stockade.engine.CompiledRuleset;
import io.stockade.engine.Emitter;
import io.stockade.engine.Netfilter;
import io.stockade.engine.PacketDecoder;
import io.stockade.engine.PathResult;
import io.stockade.engine.Skb;
import io.stockade.engine.StateRegistry;
import io.stockade.host.HostLoader;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import io.stockade.rules.Ruleset;
import io.stockade.testing.GatewayRig;
import io.stockade.testing.GatewayRig.Out;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A NAT gateway under test: iptables-restore text for IPv4 and IPv6, a host.conf, a real
 * conntrack table, and the packets that leave it (interface and bytes) for exact comparison.
 */
final class Gateway {
    final ConntrackTable conntrack = new ConntrackTable();
    final Netfilter nf;
    final List<Out> out = new ArrayList<>();
    long now = 1_000_000_000_000L;

    Gateway(String rules4, String rules6, String hostConf) throws Exception {
        Ruleset rs = GatewayRig.restore(rules4, rules6);
        PacketParser parser = new PacketParser();
        PacketDecoder decoder = (pd, data, length) -> parser.parse(pd, data, 0, length);
        nf = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), HostLoader.fromConf(hostConf), conntrack,
                Emitter.NONE, decoder);
        nf.tap((skb, iface, generated) -> out.add(new Out(iface,
                skb.pd.data.asSlice(skb.pd.base, skb.pd.length - skb.pd.base).toArray(ValueLayout.JAVA_BYTE))));
    }

    private final PacketParser parser = new PacketParser();

    /** Feeds a packet received on {@code iface}; returns the verdict name. */
    String receive(String iface, byte[] ip) {
        Skb skb = GatewayRig.skb(parser, ip);
        skb.inIface = iface;
        now += 1_000_000;
        skb.timeNanos = now;
        PathResult r = new PathResult();
        nf.receive(skb, r);
        return r.verdictName();
    }

    /** Sends a locally generated packet (OUTPUT path); returns the verdict name. */
    String send(PacketBuilder b) {
        byte[] ip = b.build();
        Skb skb = GatewayRig.skb(parser, ip);
        now += 1_000_000;
        skb.timeNanos = now;
        PathResult r = new PathResult();
        nf.send(skb, r);
        return r.verdictName();
    }

    String receive(String iface, PacketBuilder b) {
        return receive(iface, b.build());
    }

    /** The only packet that left since the last call (cleared), asserted to equal {@code expected} on {@code iface}. */
    Out expectOut(String iface, byte[] expected) {
        assertEquals(1, out.size(), () -> "packets out: " + out.stream().map(Out::text).toList());
        Out o = out.removeFirst();
        Out want = new Out(iface, expected);
        assertEquals(want.text(), o.text());
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(o.ip()), "bytes of " + o.text());
        return o;
    }

    Out expectOut(String iface, PacketBuilder expected) {
        return expectOut(iface, expected.build());
    }

    /** Nothing left the host since the last call. */
    void expectNothing() {
        assertEquals(List.of(), out.stream().map(Out::text).toList());
    }
}
