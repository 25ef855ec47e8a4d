package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class LinkLayerTest {
    private final LinkLayer ll = new LinkLayer();
    private final byte[] ip = Samples.bytes(Samples.TCP_SYN);
    private final byte[] ip6 = Samples.bytes(Samples.ICMP6_ECHO);

    private boolean decode(int lt, byte[] f) {
        return ll.decode(lt, MemorySegment.ofArray(f), 0, f.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void ethernetUnicastBroadcastMulticastOtherhost() {
        byte[] f = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).ethernet(0x02000000000aL, 0x02000000000bL).build();
        assertTrue(decode(LinkLayer.LINKTYPE_ETHERNET, f));
        assertEquals(14, ll.ipOffset);
        assertEquals(f.length - 14, ll.ipLength);
        assertEquals(LinkLayer.ETHERTYPE_IPV4, ll.etherType);
        assertEquals(0x02000000000aL, ll.srcMac);
        assertEquals(LinkLayer.PACKET_HOST, ll.pktType);
        assertEquals(-1, ll.vlanId);
        ll.localMac = 0x02000000000cL;
        assertTrue(decode(LinkLayer.LINKTYPE_ETHERNET, f));
        assertEquals(LinkLayer.PACKET_OTHERHOST, ll.pktType);
        ll.localMac = -1;
        byte[] bc = PacketBuilder.ipv4("10.0.0.1", "10.0.0.255").udp(1, 2).ethernet(1, 0xffffffffffffL).build();
        assertTrue(decode(LinkLayer.LINKTYPE_ETHERNET, bc));
        assertEquals(LinkLayer.PACKET_BROADCAST, ll.pktType);
        byte[] mc = PacketBuilder.ipv4("10.0.0.1", "224.0.0.251").udp(1, 2).ethernet(1, 0x01005e0000fbL).build();
        assertTrue(decode(LinkLayer.LINKTYPE_ETHERNET, mc));
        assertEquals(LinkLayer.PACKET_MULTICAST, ll.pktType);
        assertEquals("01:00:5e:00:00:fb", LinkLayer.macText(0x01005e0000fbL));
    }

    @Test
    void vlanTagsAreSkipped() {
        byte[] f = PacketBuilder.ipv6("::1", "::2").udp(1, 2).vlan(42).build();
        assertTrue(decode(LinkLayer.LINKTYPE_ETHERNET, f));
        assertEquals(18, ll.ipOffset);
        assertEquals(42, ll.vlanId);
        assertEquals(LinkLayer.ETHERTYPE_IPV6, ll.etherType);
        byte[] cut = java.util.Arrays.copyOf(f, 15);
        assertFalse(decode(LinkLayer.LINKTYPE_ETHERNET, cut));
        assertEquals(DropReason.BAD_LINK_LAYER, ll.reason);
    }

    @Test
    void arpIsNotIp() {
        byte[] f = new byte[42];
        f[12] = 0x08;
        f[13] = 0x06;
        assertFalse(decode(LinkLayer.LINKTYPE_ETHERNET, f));
        assertEquals(DropReason.NOT_IP, ll.reason);
        assertFalse(decode(9999, f));
        assertEquals(DropReason.BAD_LINK_LAYER, ll.reason);
    }

    @Test
    void linuxSllAndSll2() {
        ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        h.putShort((short) 4).putShort((short) 1).putShort((short) 6).put(new byte[] {2, 0, 0, 0, 0, 9, 0, 0})
                .putShort((short) 0x0800);
        assertTrue(decode(LinkLayer.LINKTYPE_LINUX_SLL, concat(h.array(), ip)));
        assertEquals(16, ll.ipOffset);
        assertEquals(LinkLayer.PACKET_OUTGOING, ll.pktType);
        assertEquals(0x020000000009L, ll.srcMac);

        ByteBuffer h2 = ByteBuffer.allocate(20).order(ByteOrder.BIG_ENDIAN);
        h2.putShort((short) 0x86dd).putShort((short) 0).putInt(7).putShort((short) 1).put((byte) 1).put((byte) 6)
                .put(new byte[] {2, 0, 0, 0, 0, 8, 0, 0});
        assertTrue(decode(LinkLayer.LINKTYPE_LINUX_SLL2, concat(h2.array(), ip6)));
        assertEquals(20, ll.ipOffset);
        assertEquals(7, ll.ifIndex);
        assertEquals(LinkLayer.PACKET_BROADCAST, ll.pktType);
        assertEquals(0x020000000008L, ll.srcMac);
        assertEquals(LinkLayer.ETHERTYPE_IPV6, ll.etherType);
    }

    @Test
    void rawAndNullLinkTypes() {
        assertTrue(decode(LinkLayer.LINKTYPE_RAW, ip));
        assertEquals(0, ll.ipOffset);
        assertEquals(LinkLayer.ETHERTYPE_IPV4, ll.etherType);
        assertTrue(decode(LinkLayer.LINKTYPE_RAW, ip6));
        assertEquals(LinkLayer.ETHERTYPE_IPV6, ll.etherType);
        assertTrue(decode(LinkLayer.LINKTYPE_IPV6, ip6));
        assertTrue(decode(LinkLayer.LINKTYPE_IPV4, ip));
        // BSD null: AF_INET in little-endian host order, AF_INET6 = 30 (macOS) in big-endian.
        assertTrue(decode(LinkLayer.LINKTYPE_NULL, concat(new byte[] {2, 0, 0, 0}, ip)));
        assertEquals(4, ll.ipOffset);
        assertEquals(LinkLayer.ETHERTYPE_IPV4, ll.etherType);
        assertTrue(decode(LinkLayer.LINKTYPE_NULL, concat(new byte[] {0, 0, 0, 30}, ip6)));
        assertEquals(LinkLayer.ETHERTYPE_IPV6, ll.etherType);
        assertFalse(decode(LinkLayer.LINKTYPE_NULL, concat(new byte[] {7, 0, 0, 0}, ip)));
        assertEquals(DropReason.NOT_IP, ll.reason);
    }
}
