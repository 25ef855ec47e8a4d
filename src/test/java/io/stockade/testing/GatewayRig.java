package io.stockade.testing;

import io.stockade.engine.Skb;
import io.stockade.packet.PacketParser;
import io.stockade.packet.PacketPrinter;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The parts the in-process gateway harnesses share (nat's {@code Gateway}, synproxy's
 * {@code ProxyGateway}): a ruleset restored from iptables-restore text for both families, a
 * received or sent packet as an {@link Skb} over a native copy of its bytes, and a packet that
 * left the host ({@link Out}) with its printed form for comparisons.
 */
public final class GatewayRig {
    private GatewayRig() {
    }

    /** A packet that left the host: its interface and its IP bytes. */
    public record Out(String iface, byte[] ip) {
        /** {@code iface} and the packet as {@link PacketPrinter} shows it. */
        public String text() {
            PacketParser p = new PacketParser();
            Skb s = new Skb();
            p.parse(s.pd, MemorySegment.ofArray(ip), 0, ip.length);
            return iface + " " + PacketPrinter.format(s.pd);
        }
    }

    /** {@code rules4} restored with iptables-restore's and {@code rules6} with ip6tables-restore's defaults, into one ruleset. */
    public static Ruleset restore(String rules4, String rules6) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(rules4)),
                Restore.Options.DEFAULT, new StringBuilder());
        new Restore(Family.IPV6, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(rules6)),
                Restore.Options.DEFAULT, new StringBuilder());
        return rs;
    }

    /** A fresh skb over a native copy of the IP packet {@code ip}, parsed by {@code parser}. */
    public static Skb skb(PacketParser parser, byte[] ip) {
        Skb skb = new Skb();
        MemorySegment seg = Arena.ofAuto().allocate(ip.length);
        MemorySegment.copy(MemorySegment.ofArray(ip), 0, seg, 0, ip.length);
        parser.parse(skb.pd, seg, 0, ip.length);
        return skb;
    }
}
