package io.stockade.synproxy;

import io.stockade.conntrack.ConntrackConfig;
import io.stockade.conntrack.ConntrackTable;
import io.stockade.engine.CompiledRuleset;
import io.stockade.engine.Emitter;
import io.stockade.engine.Netfilter;
import io.stockade.engine.PacketDecoder;
import io.stockade.engine.PathResult;
import io.stockade.engine.Skb;
import io.stockade.engine.StateRegistry;
import io.stockade.host.Host;
import io.stockade.host.HostLoader;
import io.stockade.packet.PacketParser;
import io.stockade.rules.Ruleset;
import io.stockade.testing.GatewayRig;
import io.stockade.testing.GatewayRig.Out;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Test harness: a Stockade gateway (iptables-restore text for both families, a host.conf with
 * its sysctls, a conntrack table configured from them) and the packets that leave it, in order.
 */
final class ProxyGateway {
    final ConntrackTable conntrack;
    final Netfilter nf;
    final List<Out> out = new ArrayList<>();
    private final PacketParser parser = new PacketParser();
    long now;

    ProxyGateway(String rules4, String rules6, String hostConf, long startNanos) throws Exception {
        Ruleset rs = GatewayRig.restore(rules4, rules6);
        Host host = HostLoader.fromConf(hostConf);
        ConntrackConfig cfg = new ConntrackConfig();
        cfg.tcpLoose = host.sysctls.tcpLoose != 0;
        cfg.tcpBeLiberal = host.sysctls.tcpBeLiberal != 0;
        cfg.checksum = host.sysctls.conntrackChecksum != 0;
        conntrack = new ConntrackTable(cfg);
        PacketDecoder decoder = (pd, data, length) -> parser.parse(pd, data, 0, length);
        nf = new Netfilter(CompiledRuleset.compile(rs, new StateRegistry()), host, conntrack, Emitter.NONE, decoder);
        nf.tap((skb, iface, generated) -> out.add(new Out(iface,
                skb.pd.data.asSlice(skb.pd.base, skb.pd.ipTotalLength).toArray(ValueLayout.JAVA_BYTE))));
        now = startNanos;
    }

    /** Feeds a packet received on {@code iface} at the current time; returns the result. */
    PathResult receive(String iface, byte[] ip) {
        Skb skb = GatewayRig.skb(new PacketParser(), ip);
        skb.inIface = iface;
        skb.timeNanos = now;
        PathResult r = new PathResult();
        nf.receive(skb, r);
        return r;
    }

    /** Sends a packet from a local socket (OUTPUT path) at the current time; returns the result. */
    PathResult send(byte[] ip) {
        Skb skb = GatewayRig.skb(new PacketParser(), ip);
        skb.timeNanos = now;
        PathResult r = new PathResult();
        nf.send(skb, r);
        return r;
    }

    /** Everything that left since the last call, cleared. */
    List<Out> take() {
        List<Out> o = new ArrayList<>(out);
        out.clear();
        return o;
    }
}
