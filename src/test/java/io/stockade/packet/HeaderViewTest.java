package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Per-header tests in smoltcp's shape: deconstruct a real packet, construct, truncated, bad fields. */
class HeaderViewTest {
    @Test
    void ipv4DeconstructAndConstruct() {
        MemorySegment s = Samples.seg(Samples.TCP_SYN);
        Ipv4 h = new Ipv4().wrap(s, 0, (int) s.byteSize());
        assertEquals(DropReason.NONE, h.check());
        assertEquals(4, h.version());
        assertEquals(20, h.headerLength());
        assertEquals(60, h.totalLength());
        assertEquals(0x1234, h.id());
        assertTrue(h.dontFragment());
        assertFalse(h.moreFragments());
        assertEquals(0, h.fragmentOffset());
        assertEquals(64, h.ttl());
        assertEquals(6, h.protocol());
        assertEquals(0xd415, h.checksum());
        assertTrue(h.checksumValid());
        assertEquals("198.51.100.10", IpText.v4(h.src()));
        assertEquals("198.51.100.1", IpText.v4(h.dst()));

        byte[] built = PacketBuilder.ipv4("198.51.100.10", "198.51.100.1").id(0x1234).dontFragment().tcp(40000, 22)
                .flags(Tcp.SYN).seq(1000).window(64240).mss(1460).sackPermitted().timestamp(123, 0)
                .tcpOption(Tcp.OPT_NOP).windowScale(7).build();
        assertEquals(Samples.TCP_SYN, Samples.hex(built), "builder emits what scapy emits");

        h.setTtl(1);
        h.setSrc(IpText.parseV4("10.9.8.7"));
        assertFalse(h.checksumValid());
        h.fillChecksum();
        assertTrue(h.checksumValid());
        assertEquals("10.9.8.7", IpText.v4(h.src()));
    }

    @Test
    void ipv4TruncatedAndBadFields() {
        byte[] b = Samples.bytes(Samples.TCP_SYN);
        Ipv4 h = new Ipv4();
        assertEquals(DropReason.SHORT, h.wrap(MemorySegment.ofArray(b), 0, 19).check());
        assertEquals(DropReason.BAD_TOTAL_LENGTH, h.wrap(MemorySegment.ofArray(b), 0, 59).check());
        b[0] = 0x65;
        assertEquals(DropReason.BAD_VERSION, h.wrap(MemorySegment.ofArray(b), 0, b.length).check());
        b[0] = 0x43;
        assertEquals(DropReason.BAD_HEADER_LENGTH, h.check());
        b[0] = 0x4f;
        assertEquals(DropReason.SHORT, h.wrap(MemorySegment.ofArray(b), 0, 40).check());
    }

    @Test
    void ipv6Deconstruct() {
        MemorySegment s = Samples.seg(Samples.ICMP6_ECHO);
        Ipv6 h = new Ipv6().wrap(s, 0, (int) s.byteSize());
        assertEquals(DropReason.NONE, h.check());
        assertEquals(6, h.version());
        assertEquals(12, h.payloadLength());
        assertEquals(58, h.nextHeader());
        assertEquals(64, h.hopLimit());
        assertEquals("fe80::1", IpText.v6(h.srcHi(), h.srcLo()));
        assertEquals("ff02::1", IpText.v6(h.dstHi(), h.dstLo()));
        h.setTrafficClass(0xb8);
        assertEquals(0xb8, h.trafficClass());
        assertEquals(0, h.flowLabel());
        assertEquals(6, h.version());
        assertEquals(DropReason.SHORT, h.wrap(s, 0, 39).check());
        assertEquals(DropReason.BAD_TOTAL_LENGTH, h.wrap(s, 0, 51).check());
    }

    @Test
    void ipv6FragmentHeader() {
        MemorySegment s = Samples.seg(Samples.FRAG6_FIRST);
        Ipv6Fragment f = new Ipv6Fragment().wrap(s, 40, 8);
        assertEquals(DropReason.NONE, f.check());
        assertEquals(6, f.nextHeader());
        assertEquals(0, f.fragmentOffset());
        assertTrue(f.moreFragments());
        assertEquals(0xabcd, f.identification());
        assertEquals(0, f.reservedBits());
        assertEquals(DropReason.BAD_EXT_HEADER, f.wrap(s, 40, 7).check());
    }

    @Test
    void tcpDeconstructAndOptions() {
        MemorySegment s = Samples.seg(Samples.TCP_SYN);
        Tcp t = new Tcp().wrap(s, 20, 40);
        assertEquals(DropReason.NONE, t.check());
        assertEquals(40000, t.srcPort());
        assertEquals(22, t.dstPort());
        assertEquals(1000, t.seq());
        assertEquals(0, t.ack());
        assertEquals(40, t.headerLength());
        assertEquals(Tcp.SYN, t.flags());
        assertEquals(64240, t.window());
        assertEquals(0x57e3, t.checksum());
        assertEquals(40, Tcp.findOption(s, 40, 20, Tcp.OPT_MSS));
        assertEquals(44, Tcp.findOption(s, 40, 20, Tcp.OPT_SACK_PERMITTED));
        assertEquals(46, Tcp.findOption(s, 40, 20, Tcp.OPT_TIMESTAMP));
        assertEquals(57, Tcp.findOption(s, 40, 20, Tcp.OPT_WSCALE));
        assertEquals(-1, Tcp.findOption(s, 40, 20, Tcp.OPT_SACK));
        assertEquals(DropReason.SHORT_L4, t.wrap(s, 20, 19).check());
        assertEquals(DropReason.BAD_TCP_OFFSET, t.wrap(s, 20, 39).check());
    }

    @Test
    void tcpOptionWalkIsBoundedOnGarbage() {
        // Length 0 option and an option running past the end both stop the walk.
        MemorySegment zero = Samples.seg("0200ffff");
        assertEquals(-1, Tcp.findOption(zero, 0, 4, Tcp.OPT_WSCALE));
        MemorySegment past = Samples.seg("01010308");
        assertEquals(-1, Tcp.findOption(past, 0, 4, Tcp.OPT_WSCALE));
        MemorySegment eol = Samples.seg("0003030700000000");
        assertEquals(-1, Tcp.findOption(eol, 0, 8, Tcp.OPT_WSCALE));
        MemorySegment nops = MemorySegment.ofArray(new byte[40]).fill((byte) 1);
        assertEquals(-1, Tcp.findOption(nops, 0, 40, Tcp.OPT_MSS));
    }

    @Test
    void udpAndIcmpDeconstruct() {
        MemorySegment s = Samples.seg(Samples.UDP6_EXT);
        Udp u = new Udp().wrap(s, 56, 13);
        assertEquals(DropReason.NONE, u.check());
        assertEquals(5353, u.srcPort());
        assertEquals(53, u.dstPort());
        assertEquals(13, u.length());
        assertEquals(DropReason.NONE, u.checkLength(13));
        assertEquals(DropReason.BAD_UDP_LENGTH, u.checkLength(12));
        assertEquals(DropReason.SHORT_L4, u.wrap(s, 56, 7).check());

        MemorySegment e = Samples.seg(Samples.ICMP_ERR);
        Icmp c = new Icmp().wrap(e, 20, 36);
        assertEquals(DropReason.NONE, c.check());
        assertEquals(Icmp.TIME_EXCEEDED, c.type());
        assertEquals(0, c.code());
        assertTrue(Icmp.isError(c.type()));
        assertFalse(Icmp.hasId(c.type()));
        assertEquals(DropReason.SHORT_L4, c.wrap(e, 20, 7).check());
        assertTrue(Icmpv6.isError(Icmpv6.PACKET_TOO_BIG));
        assertFalse(Icmpv6.isError(Icmpv6.ECHO_REQUEST));
    }

    @Test
    void ipv6TextIsCanonical() {
        assertEquals("::", IpText.v6(0, 0));
        assertEquals("::1", IpText.v6(0, 1));
        assertEquals("2001:db8::1:0:0:1", IpText.v6(0x20010db800000000L, 0x0001000000000001L));
        assertEquals("2001:0:0:1::1", IpText.v6(0x2001000000000001L, 1L));
        assertEquals("1:2:3:4:5:6:7:8", IpText.v6(0x0001000200030004L, 0x0005000600070008L));
        assertEquals("2001:db8:0:1:1:1:1:1", IpText.v6(0x20010db800000001L, 0x0001000100010001L));
        // Cases checked against glibc inet_ntop (python3 socket.inet_ntop).
        String[][] glibc = {
            {"::2", "::2"}, {"::ffff:1.2.3.4", "::ffff:1.2.3.4"}, {"::1.2.3.4", "::1.2.3.4"},
            {"::ffff:0:1", "::ffff:0.0.0.1"}, {"1::", "1::"}, {"::ffff", "::ffff"}, {"::1:0:0:1", "::1:0:0:1"},
            {"0:0:0:0:0:1:0:1", "::1:0:1"}, {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
        };
        for (String[] c : glibc) {
            long[] a = IpText.parseV6(c[0]);
            assertEquals(c[1], IpText.v6(a[0], a[1]), c[0]);
        }
    }
}
