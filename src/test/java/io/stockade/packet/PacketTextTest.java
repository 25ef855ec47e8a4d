package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class PacketTextTest {
    private final PacketParser parser = new PacketParser();
    private final PacketDescriptor pd = new PacketDescriptor();

    private PacketText.Spec parsed(String text) {
        PacketText.Spec s = PacketText.parse(text);
        byte[] b = s.build();
        assertTrue(parser.parse(pd, MemorySegment.ofArray(b), 0, b.length), text + ": " + pd.dropReason);
        assertTrue(Checksum.verifyIpv4Header(pd), text);
        assertTrue(Checksum.verifyL4(pd), text);
        return s;
    }

    @Test
    void tcpSyn() {
        PacketText.Spec s = parsed("in ppp0 tcp 198.51.100.10:40000 > 198.51.100.1:22 syn");
        assertEquals(1, s.direction());
        assertEquals("ppp0", s.iface());
        assertEquals(IpText.parseV4("198.51.100.10"), pd.srcLo);
        assertEquals(40000, pd.srcPort);
        assertEquals(22, pd.dstPort);
        assertEquals(Tcp.SYN, pd.tcpFlags);
        assertEquals("IP 198.51.100.10.40000 > 198.51.100.1.22: Flags [S], seq 0, win 65535, length 0",
                PacketPrinter.format(pd));
    }

    @Test
    void udpWithTotalLength() {
        PacketText.Spec s = parsed("out eth0 udp 10.0.0.1:5353 > 224.0.0.251:5353 len 40");
        assertEquals(2, s.direction());
        assertEquals(40, pd.ipTotalLength);
        assertEquals(12, pd.payloadLength);
        assertEquals("IP 10.0.0.1.5353 > 224.0.0.251.5353: UDP, length 12", PacketPrinter.format(pd));
    }

    @Test
    void icmpEcho() {
        parsed("in eth0 icmp 1.2.3.4 > 5.6.7.8 echo-request id 7 seq 1");
        assertEquals(8, pd.icmpType);
        assertEquals(7, pd.icmpId);
        assertEquals(1, pd.icmpSeq);
        assertEquals("IP 1.2.3.4 > 5.6.7.8: ICMP echo request, id 7, seq 1, length 8", PacketPrinter.format(pd));
    }

    @Test
    void tcpV6WithAckNumberAndPayload() {
        parsed("in eth0 tcp [2001:db8::1]:1234 > [2001:db8::2]:80 ack seq 100 ack 200 win 512 payload 10");
        assertEquals(6, pd.ipVersion);
        assertEquals(Tcp.ACK, pd.tcpFlags);
        assertEquals(100, pd.tcpSeq);
        assertEquals(200, pd.tcpAck);
        assertEquals(512, pd.tcpWindow);
        assertEquals(10, pd.payloadLength);
        assertEquals("IP6 2001:db8::1.1234 > 2001:db8::2.80: Flags [.], seq 100:110, ack 200, win 512, length 10",
                PacketPrinter.format(pd));
    }

    @Test
    void rawProtocol() {
        PacketText.Spec s = parsed("in eth0 ipv4 proto 47 1.2.3.4 > 5.6.7.8");
        assertEquals(47, pd.protocol);
        assertEquals(20, pd.ipTotalLength);
        assertEquals("IP 1.2.3.4 > 5.6.7.8: ip-proto-47, length 0", PacketPrinter.format(pd));
        assertNull(PacketText.parse("ipv6 proto 59 ::1 > ::2").iface());
        assertEquals(0, s.direction() - 1);
    }

    @Test
    void fragmentsAndIpOptions() {
        parsed("in eth0 udp 10.0.0.1:1 > 10.0.0.2:2 frag 0 mf ttl 3 tos 0x10 ipid 77 payload 40");
        assertTrue(pd.isFragment);
        assertTrue(pd.moreFragments);
        assertEquals(0, pd.fragOffset);
        assertEquals(3, pd.ttl);
        assertEquals(0x10, pd.tos);
        assertEquals(77, pd.ipId);
        assertEquals(2, pd.dstPort);
        parsed("in eth0 udp 10.0.0.1:1 > 10.0.0.2:2 frag 1480 payload 8");
        assertEquals(1480, pd.fragOffset);
        assertEquals(-1, pd.l4Offset);
        assertEquals("IP 10.0.0.1 > 10.0.0.2: udp fragment, length 8 (frag 0:1480)", PacketPrinter.format(pd));
    }

    @Test
    void ipv6ExtensionHeadersInOrder() {
        parsed("in eth0 udp [::1]:1 > [::2]:2 hbh rt 0 1 dstopts ah 0x100");
        assertEquals(Ipv6ExtHeaders.HOP_BY_HOP | Ipv6ExtHeaders.ROUTING | Ipv6ExtHeaders.DEST_OPTS
                | Ipv6ExtHeaders.AUTH, pd.ipv6ExtMask);
        int rt = pd.ipv6ExtOffsets[Ipv6ExtHeaders.index(Ipv6ExtHeaders.ROUTING)];
        assertEquals(48, rt);
        assertEquals(1, Wire.u8(pd.data, rt + 3), "segments left");
        int ah = pd.ipv6ExtOffsets[Ipv6ExtHeaders.index(Ipv6ExtHeaders.AUTH)];
        assertEquals(0x100, Wire.i32(pd.data, ah + 4));
        assertEquals(17, pd.protocol);
        assertEquals(2, pd.dstPort);
    }

    @Test
    void icmpErrorQuotingAPacket() {
        parsed("in eth0 icmp 192.0.2.1 > 10.0.0.1 port-unreachable quote udp 10.0.0.1:5000 > 192.0.2.1:53 payload 4");
        assertEquals(3, pd.icmpType);
        assertEquals(3, pd.icmpCode);
        PacketDescriptor inner = new PacketDescriptor();
        assertTrue(parser.parseInner(pd, inner));
        assertEquals(5000, inner.srcPort);
        assertEquals(53, inner.dstPort);
        assertEquals("IP 192.0.2.1 > 10.0.0.1: ICMP port unreachable, length 40", PacketPrinter.format(pd));
        parsed("in eth0 icmp6 2001:db8::9 > 2001:db8::1 packet-too-big mtu 1280 quote tcp [2001:db8::1]:1 > [2001:db8::2]:2");
        assertEquals(2, pd.icmpType);
        assertEquals(1280, Wire.i32(pd.data, pd.l4Offset + 4));
    }

    @Test
    void tcpOptionsAndEthernet() {
        PacketText.Spec s = PacketText.parse(
                "in eth0 tcp 10.0.0.1:1 > 10.0.0.2:2 syn ece cwr mss 1400 wscale 7 sackok ts 5 0 mac 02:00:00:00:00:aa vlan 5");
        byte[] f = s.build();
        LinkLayer ll = new LinkLayer();
        assertTrue(ll.decode(LinkLayer.LINKTYPE_ETHERNET, MemorySegment.ofArray(f), 0, f.length));
        assertEquals(0x0200000000aaL, ll.srcMac);
        assertEquals(5, ll.vlanId);
        assertTrue(parser.parse(pd, MemorySegment.ofArray(f), ll.ipOffset, ll.ipLength));
        assertEquals(Tcp.SYN | Tcp.ECE | Tcp.CWR, pd.tcpFlags);
        assertEquals(1400, pd.tcpMss);
        assertEquals(7, pd.tcpWindowScale);
        assertTrue(pd.tcpSackPermitted);
        assertTrue(pd.tcpTimestampOffset > 0);
        assertTrue(Checksum.verifyL4(pd));
        assertEquals("IP 10.0.0.1.1 > 10.0.0.2.2: Flags [SEW], seq 0, win 65535, options [mss 1400,wscale 7,sackOK,"
                + "TS val 5 ecr 0,eol], length 0", PacketPrinter.format(pd));
    }

    @Test
    void errorsNameTheTokenAndTheExpectation() {
        assertError("", 0, "a protocol");
        assertError("in", 0, "an interface name");
        assertError("in eth0 gre 1.2.3.4 > 5.6.7.8", 3, "a protocol (tcp");
        assertError("tcp 1.2.3.4 > 5.6.7.8:1", 2, "IPv4-ADDRESS:PORT");
        assertError("tcp 1.2.3.4:99999 > 5.6.7.8:1", 2, "a port 0..65535");
        assertError("tcp 1.2.3.4:1 to 5.6.7.8:1", 3, "\">\"");
        assertError("tcp 1.2.3.4:1 > [::1]:1", 4, "same address family");
        assertError("tcp 1.2.3.4:1 > 5.6.7.8:1 syn seq x", 7, "a sequence number");
        assertError("tcp 1.2.3.4:1 > 5.6.7.8:1 bogus", 5, "an option");
        assertError("udp 1.2.3.4:1 > 5.6.7.8:1 frag 3", 6, "multiple of 8");
        assertError("udp 1.2.3.4:1 > 5.6.7.8:1 hbh", 5, "IPv6 extension header");
        assertError("icmp ::1 > ::2", 4, "an IPv4 address for icmp");
        assertError("ipv4 proto 300 1.2.3.4 > 5.6.7.8", 3, "0..255");
        assertError("udp 1.2.3.4:1 > 5.6.7.8:1 ttl", 0, "a TTL");
    }

    private static void assertError(String text, int token, String expected) {
        PacketTextException e = assertThrows(PacketTextException.class, () -> PacketText.parse(text));
        assertEquals(token, e.token, e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void totalLengthBelowHeadersIsAnError() {
        PacketText.Spec s = PacketText.parse("tcp 1.2.3.4:1 > 5.6.7.8:2 len 30");
        IllegalStateException e = assertThrows(IllegalStateException.class, s::build);
        assertTrue(e.getMessage().contains("40 header bytes"), e.getMessage());
    }

    @Test
    void verbosePrinting() {
        parsed("udp 10.0.0.1:1 > 10.0.0.2:2 ttl 9 ipid 3");
        assertEquals("IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 0 (ttl 9, tos 0x0, id 3)", PacketPrinter.format(pd, true));
        PacketDescriptor bad = new PacketDescriptor();
        parser.parse(bad, MemorySegment.ofArray(new byte[] {0x50}), 0, 1);
        assertEquals("[dropped: bad-version]", PacketPrinter.format(bad));
    }

    @Test
    void socketOwner() {
        PacketText.Spec s = PacketText.parse("out eth0 tcp 192.0.2.1:40000 > 198.51.100.7:443 syn uid 1000 groups 27,100");
        assertEquals(new PacketText.Owner(1000, 0, new int[] {27, 100}), s.owner());
        assertEquals(null, PacketText.parse("out eth0 udp 192.0.2.1:1 > 198.51.100.7:2").owner());
        PacketTextException e = assertThrows(PacketTextException.class,
                () -> PacketText.parse("in eth0 udp 192.0.2.1:1 > 198.51.100.7:2 gid 5"));
        assertTrue(e.getMessage().contains("only locally generated packets have a socket owner"),
                e.getMessage());
        e = assertThrows(PacketTextException.class,
                () -> PacketText.parse("out eth0 udp 192.0.2.1:1 > 198.51.100.7:2 groups 5,x"));
        assertTrue(e.getMessage().contains("a comma-separated list of group ids"), e.getMessage());
    }
}
