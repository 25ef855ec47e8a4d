package io.stockade.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.stockade.host.HostLoader;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketBuilder;
import io.stockade.rules.Family;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ip_rcv_options through {@link Netfilter}: a malformed option is dropped and answered with ICMP
 * parameter problem pointing at the bad byte, a source-routed packet is dropped silently, and a
 * forwarded packet leaves with its record-route slot filled with the outgoing address.
 * Checked against Linux 6.18 by {@code KernelIpOptionsTest}.
 */
class Ipv4OptionsTest {
    private static final String ROUTER = """
            iface eth0 192.0.2.1/24
            iface eth1 10.0.0.1/24
            route default via 10.0.0.254 dev eth1
            sysctl net.ipv4.ip_forward=1
            sysctl net.ipv4.icmp_ratelimit=0
            """;

    private record Out(String iface, boolean generated, byte[] ip) {
        int u8(int off) {
            return ip[off] & 0xff;
        }
    }

    private final List<Out> out = new ArrayList<>();

    private Netfilter nf() throws Exception {
        Netfilter n = new Netfilter(CompiledRuleset.compile(MiniRules.parse(Family.IPV4, "*filter\nCOMMIT"), new StateRegistry()),
                HostLoader.fromConf(ROUTER), ConnTracker.NONE, Emitter.NONE, Packets.decoder());
        n.tap((skb, iface, generated) -> {
            MemorySegment d = skb.pd.data;
            out.add(new Out(iface, generated, d.asSlice(skb.pd.base, skb.pd.ipTotalLength).toArray(ValueLayout.JAVA_BYTE)));
        });
        return n;
    }

    private PathResult send(Netfilter n, String dst, int... opts) {
        byte[] o = new byte[opts.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = (byte) opts[i];
        }
        PathResult r = new PathResult();
        n.receive(Packets.skb("eth0", PacketBuilder.ipv4("192.0.2.9", dst).ipOptions(o).udp(4000, 53).payload(8)), r);
        return r;
    }

    private static void assertHeaderChecksum(Out o) {
        int hl = (o.u8(0) & 0xf) * 4;
        assertEquals(0xffff, Checksum.fold(Checksum.sum(MemorySegment.ofArray(o.ip()), 0, hl, 0)), "IP header checksum");
    }

    @Test
    void aMalformedOptionIsAParameterProblemPointingAtTheBadByte() throws Exception {
        Netfilter n = nf();
        // record route with length 2: ip_options_compile points at its length byte (offset 21)
        PathResult r = send(n, "10.0.0.7", 7, 2, 0, 0);
        assertEquals(EngineDrop.BAD_IP_OPTIONS, r.engineDrop);
        assertEquals(1, out.size(), () -> "only the error: " + out);
        Out e = out.getFirst();
        assertEquals("eth0", e.iface());
        assertEquals(12, e.u8(20), "parameter problem");
        assertEquals(0, e.u8(21));
        assertEquals(21, e.u8(24), "pointer");
        assertHeaderChecksum(e);
        out.clear();
        // an option longer than the header: the pointer names the option's type byte
        send(n, "10.0.0.7", 1, 68, 40, 5, 0);
        assertEquals(21, out.getFirst().u8(24));
        out.clear();
        // two record-route options: the second one is the bad one; local delivery is checked too
        send(n, "192.0.2.1", 7, 3, 4, 7, 3, 4, 0, 0);
        Out d = out.getFirst();
        assertEquals(0x46, d.u8(0), "the first record route echoed (__ip_options_echo)");
        assertEquals("7 3 4 0", d.u8(20) + " " + d.u8(21) + " " + d.u8(22) + " " + d.u8(23));
        assertEquals(12, d.u8(24));
        assertEquals(23, d.u8(28), "pointer");
        assertHeaderChecksum(d);
        assertEquals(3, n.engineDrops[EngineDrop.BAD_IP_OPTIONS.ordinal()]);
    }

    @Test
    void aSourceRoutedPacketIsDroppedSilently() throws Exception {
        Netfilter n = nf();
        PathResult r = send(n, "10.0.0.7", 131, 7, 4, 10, 0, 0, 9, 0);
        assertEquals(EngineDrop.SOURCE_ROUTE, r.engineDrop);
        r = send(n, "192.0.2.1", 137, 7, 4, 10, 0, 0, 9, 0);
        assertEquals(EngineDrop.SOURCE_ROUTE, r.engineDrop);
        assertEquals(0, out.size(), () -> "no answer: " + out);
        // a malformed source route is a parameter problem first (pointer below 4: its pointer byte)
        send(n, "10.0.0.7", 131, 7, 3, 10, 0, 0, 9, 0);
        assertEquals(22, out.getFirst().u8(24));
    }

    @Test
    void aForwardedPacketRecordsTheOutgoingAddress() throws Exception {
        Netfilter n = nf();
        PathResult r = send(n, "10.0.0.7", 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertNull(r.engineDrop);
        assertEquals(1, out.size());
        Out f = out.getFirst();
        assertEquals("eth1", f.iface());
        assertEquals(8, f.u8(22), "pointer advanced");
        assertEquals("10.0.0.1", f.u8(23) + "." + f.u8(24) + "." + f.u8(25) + "." + f.u8(26));
        assertEquals(0, f.u8(27) | f.u8(28) | f.u8(29) | f.u8(30), "the next slot untouched");
        assertEquals(63, f.u8(8));
        assertHeaderChecksum(f);
        out.clear();
        // a full record route passes unchanged; a full timestamp counts an overflow
        send(n, "10.0.0.7", 7, 7, 8, 1, 2, 3, 4, 68, 8, 9, 0x10, 0, 0, 0, 0);
        Out g = out.getFirst();
        assertEquals(8, g.u8(22));
        assertEquals("1.2.3.4", g.u8(23) + "." + g.u8(24) + "." + g.u8(25) + "." + g.u8(26));
        assertEquals(0x20, g.u8(30), "overflow 1 -> 2");
        assertHeaderChecksum(g);
    }
}
