package io.stockade.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.conntrack.Conn;
import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketParser;
import org.junit.jupiter.api.Test;

/**
 * SCTP and DCCP through source NAT. DCCP as Linux 6.16+ does it (checked against Linux 6.18: SNAT of a DCCP
 * packet changes the address only): no DCCP tracker, so the conntrack tuple has no ports, and no
 * DCCP case in nf_nat_l4proto_manip_pkt, so the ports and the DCCP checksum stay as they were.
 */
class NatSctpDccpTest {
    static final String RULES = """
            *nat
            -A POSTROUTING -s 192.168.0.0/24 -o ppp0 -j MASQUERADE
            COMMIT
            """;
    static final String HOST = """
            iface eth0 192.168.0.1/24
            iface ppp0 198.51.100.2/24
            route default via 198.51.100.1 dev ppp0
            sysctl net.ipv4.ip_forward=1
            """;

    static PacketBuilder dccp(String src, String dst, int ttl) {
        return PacketBuilder.ipv4(src, dst).ttl(ttl).id(0x77).ports(PacketParser.PROTO_DCCP, 6000, 7000).payload(8);
    }

    @Test
    void masqueradedDccpKeepsItsPortsAndChecksum() throws Exception {
        Gateway g = new Gateway(RULES, "", HOST);
        assertEquals("accept", g.receive("eth0", dccp("192.168.0.10", "203.0.113.9", 64)));
        byte[] out = g.out.getFirst().ip();
        byte[] in = dccp("192.168.0.10", "203.0.113.9", 63).build();
        // addresses and IP checksum differ; the DCCP header (ports, checksum) is byte-identical
        assertEquals(java.util.HexFormat.of().formatHex(in, 20, in.length),
                java.util.HexFormat.of().formatHex(out, 20, out.length));
        assertEquals("198.51.100.2", (out[12] & 0xff) + "." + (out[13] & 0xff) + "." + (out[14] & 0xff) + "."
                + (out[15] & 0xff));
        Conn c = g.conntrack.entries(g.now).getFirst();
        assertEquals(0, c.origSrcPort);
        assertEquals(0, c.replyDstPort);
    }

    @Test
    void snatOfSctpRecomputesTheCrc32c() throws Exception {
        Gateway g = new Gateway("""
                *nat
                -A POSTROUTING -o ppp0 -p sctp -j SNAT --to-source 198.51.100.2:3000
                COMMIT
                """, "", HOST);
        byte[] in = PacketBuilder.ipv4("192.168.0.10", "203.0.113.9").ttl(64).id(0x78)
                .ports(PacketParser.PROTO_SCTP, 5000, 80).payload(new byte[] {
                    1, 0, 0, 20, 0x11, 0x11, 0x11, 0x11, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1}).build(); // INIT
        java.lang.foreign.MemorySegment ins = java.lang.foreign.MemorySegment.ofArray(in);
        ins.set(io.stockade.packet.Wire.LE32, 28, io.stockade.packet.Crc32c.sctp(ins, 20, in.length));
        assertEquals("accept", g.receive("eth0", in));
        byte[] out = g.out.getFirst().ip();
        java.lang.foreign.MemorySegment outs = java.lang.foreign.MemorySegment.ofArray(out);
        assertEquals(3000, io.stockade.packet.Wire.u16(outs, 20));
        assertEquals(io.stockade.packet.Crc32c.sctp(outs, 20, out.length), io.stockade.packet.Crc32c.field(outs, 20));
    }
}
