package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketRewriteTest {
    private final PacketParser parser = new PacketParser();

    private static final List<byte[]> PACKETS = List.of(
            PacketBuilder.ipv4("10.0.0.1", "192.0.2.9").tcp(40000, 80).flags(Tcp.SYN).mss(1460).payload(13).build(),
            PacketBuilder.ipv4("10.0.0.1", "192.0.2.9").udp(5353, 53).payload(31).build(),
            PacketBuilder.ipv4("10.0.0.1", "192.0.2.9").echoRequest(99, 1).payload(8).build(),
            PacketBuilder.ipv6("2001:db8::1", "2001:db8::99").tcp(1, 2).payload(3).build(),
            PacketBuilder.ipv6("2001:db8::1", "2001:db8::99").hopByHop().udp(7, 8).payload(100).build(),
            PacketBuilder.ipv6("2001:db8::1", "2001:db8::99").echoRequest(5, 6).build());

    private PacketDescriptor parsed(byte[] b) {
        PacketDescriptor pd = new PacketDescriptor();
        assertTrue(parser.parse(pd, MemorySegment.ofArray(b), 0, b.length));
        return pd;
    }

    @Test
    void incrementalRewritesEqualFullRecomputation() {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            for (byte[] orig : PACKETS) {
                byte[] b = orig.clone();
                PacketDescriptor pd = parsed(b);
                if (pd.ipVersion == 4) {
                    PacketRewrite.setIpv4Src(pd, r.nextInt() & 0xffffffffL);
                    PacketRewrite.setIpv4Dst(pd, r.nextInt() & 0xffffffffL);
                } else {
                    PacketRewrite.setIpv6Src(pd, r.nextLong(), r.nextLong());
                    PacketRewrite.setIpv6Dst(pd, r.nextLong(), r.nextLong());
                }
                PacketRewrite.setSrcPort(pd, r.nextInt(65536));
                PacketRewrite.setDstPort(pd, r.nextInt(65536));
                PacketRewrite.setIcmpId(pd, r.nextInt(65536));
                PacketRewrite.setTtl(pd, r.nextInt(256));
                PacketRewrite.setTos(pd, r.nextInt(256));
                assertTrue(Checksum.verifyIpv4Header(pd), "round " + round);
                assertTrue(Checksum.verifyL4(pd), "round " + round + " proto " + pd.protocol);
                // The descriptor's fields agree with a fresh parse of the rewritten bytes.
                PacketDescriptor again = parsed(b);
                assertEquals(again.srcLo, pd.srcLo);
                assertEquals(again.dstHi, pd.dstHi);
                assertEquals(again.srcPort, pd.srcPort);
                assertEquals(again.dstPort, pd.dstPort);
                assertEquals(again.icmpId, pd.icmpId);
                assertEquals(again.ttl, pd.ttl);
                assertEquals(again.tos, pd.tos);
                byte[] full = b.clone();
                Checksum.fill(parsed(full));
                assertArrayEquals(full, b, "incremental and full checksums differ");
            }
        }
    }

    @Test
    void udpWithoutChecksumStaysWithout() {
        byte[] b = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(4).build();
        MemorySegment s = MemorySegment.ofArray(b);
        Wire.put16(s, 20 + Udp.CHECKSUM_OFFSET, 0);
        PacketDescriptor pd = parsed(b);
        PacketRewrite.setIpv4Dst(pd, IpText.parseV4("10.9.9.9"));
        PacketRewrite.setDstPort(pd, 53);
        assertEquals(0, Wire.u16(s, 20 + Udp.CHECKSUM_OFFSET));
        assertTrue(Checksum.verifyIpv4Header(pd));
    }

    @Test
    void laterFragmentHasNoPortsToRewrite() {
        byte[] b = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).fragment(8, false).payload(8).build();
        PacketDescriptor pd = parsed(b);
        assertFalse(PacketRewrite.setDstPort(pd, 9));
        PacketRewrite.setIpv4Src(pd, 1);
        assertTrue(Checksum.verifyIpv4Header(pd));
    }
}
