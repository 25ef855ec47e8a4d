package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class PacketParserTest {
    private final PacketParser parser = new PacketParser();
    private final PacketDescriptor pd = new PacketDescriptor();

    private boolean parse(byte[] b) {
        return parser.parse(pd, MemorySegment.ofArray(b), 0, b.length);
    }

    private DropReason dropOf(byte[] b) {
        assertFalse(parse(b));
        return pd.dropReason;
    }

    @Test
    void tcpSynDeconstructed() {
        assertTrue(parse(Samples.bytes(Samples.TCP_SYN)));
        assertEquals(4, pd.ipVersion);
        assertEquals(60, pd.ipTotalLength);
        assertEquals(20, pd.l3HeaderLength);
        assertEquals(20, pd.l4Offset);
        assertEquals(6, pd.protocol);
        assertEquals(IpText.parseV4("198.51.100.10"), pd.srcLo);
        assertEquals(IpText.parseV4("198.51.100.1"), pd.dstLo);
        assertEquals(0x1234, pd.ipId);
        assertTrue(pd.dontFragment);
        assertFalse(pd.isFragment);
        assertEquals(64, pd.ttl);
        assertEquals(40000, pd.srcPort);
        assertEquals(22, pd.dstPort);
        assertEquals(Tcp.SYN, pd.tcpFlags);
        assertEquals(1000, pd.tcpSeq);
        assertEquals(64240, pd.tcpWindow);
        assertEquals(40, pd.tcpHeaderLength);
        assertEquals(40, pd.tcpOptionsOffset);
        assertEquals(20, pd.tcpOptionsLength);
        assertEquals(1460, pd.tcpMss);
        assertEquals(7, pd.tcpWindowScale);
        assertTrue(pd.tcpSackPermitted);
        assertEquals(46, pd.tcpTimestampOffset);
        assertEquals(-1, pd.tcpSackOffset);
        assertEquals(60, pd.payloadOffset);
        assertEquals(0, pd.payloadLength);
        assertTrue(pd.hasL4());
    }

    @Test
    void offsetsAreAbsoluteWhenThePacketIsInsideALargerBuffer() {
        byte[] p = Samples.bytes(Samples.TCP_SYN);
        byte[] buf = new byte[p.length + 100];
        System.arraycopy(p, 0, buf, 37, p.length);
        assertTrue(parser.parse(pd, MemorySegment.ofArray(buf), 37, p.length));
        assertEquals(37, pd.base);
        assertEquals(57, pd.l4Offset);
        assertEquals(22, Wire.u16(pd.data, pd.l4Offset + 2));
        assertEquals(97, pd.end());
        assertEquals(97, pd.length, "length is the absolute end of the valid bytes");
        assertEquals(60, pd.validBytes());
    }

    @Test
    void ipv6ExtensionHeadersWalked() {
        assertTrue(parse(Samples.bytes(Samples.UDP6_EXT)));
        assertEquals(6, pd.ipVersion);
        assertEquals(Ipv6ExtHeaders.HOP_BY_HOP | Ipv6ExtHeaders.DEST_OPTS, pd.ipv6ExtMask);
        assertEquals(40, pd.ipv6ExtOffsets[Ipv6ExtHeaders.index(Ipv6ExtHeaders.HOP_BY_HOP)]);
        assertEquals(48, pd.ipv6ExtOffsets[Ipv6ExtHeaders.index(Ipv6ExtHeaders.DEST_OPTS)]);
        assertEquals(-1, pd.ipv6ExtOffsets[Ipv6ExtHeaders.index(Ipv6ExtHeaders.ROUTING)]);
        assertEquals(2, pd.ipv6ExtCount);
        assertEquals(56, pd.l3HeaderLength);
        assertEquals(17, pd.protocol);
        assertEquals(5353, pd.srcPort);
        assertEquals(53, pd.dstPort);
        assertEquals(64, pd.payloadOffset);
        assertEquals(5, pd.payloadLength);
        assertEquals("2001:db8::1", IpText.src(pd));
    }

    @Test
    void icmpErrorQuoteParsedIntoSecondDescriptor() {
        assertTrue(parse(Samples.bytes(Samples.ICMP_ERR)));
        assertEquals(11, pd.icmpType);
        assertEquals(0, pd.icmpCode);
        assertTrue(pd.icmpError);
        assertEquals(28, pd.icmpInnerOffset);
        PacketDescriptor inner = new PacketDescriptor();
        assertTrue(parser.parseInner(pd, inner));
        assertEquals(28, inner.base);
        assertEquals(17, inner.protocol);
        assertEquals(IpText.parseV4("10.0.0.1"), inner.srcLo);
        assertEquals(IpText.parseV4("1.2.3.4"), inner.dstLo);
        assertEquals(33434, inner.srcPort);
        assertEquals(33435, inner.dstPort);
        assertTrue(inner.truncated);
        assertEquals(1, inner.ttl);
    }

    @Test
    void innerParseWorksAtANonZeroBase() {
        byte[] p = Samples.bytes(Samples.ICMP_ERR);
        byte[] buf = new byte[p.length + 30];
        System.arraycopy(p, 0, buf, 14, p.length);
        assertTrue(parser.parse(pd, MemorySegment.ofArray(buf), 14, p.length));
        assertEquals(42, pd.icmpInnerOffset);
        PacketDescriptor inner = new PacketDescriptor();
        assertTrue(parser.parseInner(pd, inner));
        assertEquals(42, inner.base);
        assertEquals(pd.length, inner.length);
        assertEquals(33435, inner.dstPort);
        assertTrue(Checksum.verifyL4(pd));
    }

    @Test
    void icmpv6Echo() {
        assertTrue(parse(Samples.bytes(Samples.ICMP6_ECHO)));
        assertEquals(58, pd.protocol);
        assertEquals(128, pd.icmpType);
        assertEquals(7, pd.icmpId);
        assertEquals(1, pd.icmpSeq);
        assertFalse(pd.icmpError);
        assertEquals(-1, pd.icmpInnerOffset);
    }

    @Test
    void ipv6FirstFragmentHasPortsLaterFragmentDoesNot() {
        assertTrue(parse(Samples.bytes(Samples.FRAG6_FIRST)));
        assertTrue(pd.isFragment);
        assertTrue(pd.moreFragments);
        assertEquals(0, pd.fragOffset);
        assertEquals(0xabcd, pd.ipId);
        assertEquals(6, pd.protocol);
        assertEquals(1, pd.srcPort);
        assertEquals(40, pd.ipv6ExtOffsets[Ipv6ExtHeaders.index(Ipv6ExtHeaders.FRAGMENT)]);

        byte[] later = PacketBuilder.ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).id(9).fragment(8, false)
                .payload(16).build();
        assertTrue(parse(later));
        assertTrue(pd.isFragment);
        assertEquals(8, pd.fragOffset);
        assertEquals(17, pd.protocol);
        assertEquals(-1, pd.l4Offset);
        assertEquals(0, pd.srcPort);
        assertFalse(pd.hasL4());
    }

    @Test
    void ipv4LaterFragmentKnowsProtocolNotPorts() {
        byte[] later = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).id(5).fragment(1480, true)
                .payload(100).build();
        assertTrue(parse(later));
        assertTrue(pd.isFragment);
        assertTrue(pd.moreFragments);
        assertEquals(1480, pd.fragOffset);
        assertEquals(6, pd.protocol);
        assertEquals(-1, pd.l4Offset);
        assertEquals(0, pd.dstPort);
        assertEquals(5, pd.ipId);
    }

    @Test
    void dropReasonsOfTheIpLayer() {
        byte[] ok = Samples.bytes(Samples.TCP_SYN);
        assertEquals(DropReason.SHORT, dropOf(new byte[0]));
        assertEquals(DropReason.SHORT, dropOf(java.util.Arrays.copyOf(ok, 19)));
        byte[] v = ok.clone();
        v[0] = 0x55;
        assertEquals(DropReason.BAD_VERSION, dropOf(v));
        byte[] ihl = ok.clone();
        ihl[0] = 0x44;
        assertEquals(DropReason.BAD_HEADER_LENGTH, dropOf(ihl));
        byte[] ihlLong = ok.clone();
        ihlLong[0] = 0x4f;
        assertEquals(DropReason.SHORT, dropOf(java.util.Arrays.copyOf(ihlLong, 40)));
        byte[] tl = ok.clone();
        tl[3] = 0x10; // total length 16 < header length
        assertEquals(DropReason.BAD_TOTAL_LENGTH, dropOf(tl));
        assertEquals(DropReason.BAD_TOTAL_LENGTH, dropOf(java.util.Arrays.copyOf(ok, 50)));
        byte[] v6 = Samples.bytes(Samples.UDP6_EXT);
        assertEquals(DropReason.SHORT, dropOf(java.util.Arrays.copyOf(v6, 39)));
        assertEquals(DropReason.BAD_TOTAL_LENGTH, dropOf(java.util.Arrays.copyOf(v6, 60)));
        assertEquals(DropReason.OUT_OF_RANGE,
                parser.parse(pd, MemorySegment.ofArray(ok), -1, ok.length) ? DropReason.NONE : pd.dropReason);
    }

    @Test
    void trailingPaddingIsIgnored() {
        byte[] ok = Samples.bytes(Samples.TCP_SYN);
        assertTrue(parse(java.util.Arrays.copyOf(ok, ok.length + 6)));
        assertEquals(60, pd.length);
        assertFalse(pd.truncated);
    }

    @Test
    void snapLengthTruncationIsNotADrop() {
        byte[] full = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1000, 53).payload(200).build();
        assertTrue(parser.parse(pd, MemorySegment.ofArray(full), 0, 64, full.length));
        assertTrue(pd.truncated);
        assertEquals(64, pd.length);
        assertEquals(64, pd.validBytes());
        assertEquals(228, pd.ipTotalLength);
        assertEquals(53, pd.dstPort);
        assertTrue(Checksum.verifyL4(pd), "truncated packets cannot be checked and pass");
    }

    @Test
    void ipv6ExtensionHeaderDropReasons() {
        // Hop-by-hop claiming 16 bytes in an 8-byte payload.
        byte[] b = Samples.bytes(Samples.UDP6_EXT);
        b[41] = 5;
        assertEquals(DropReason.BAD_EXT_HEADER, dropOf(b));
        // 17 destination-options headers in a chain.
        PacketBuilder many = PacketBuilder.ipv6("::1", "::2").udp(1, 2);
        for (int i = 0; i < Ipv6.MAX_EXT_HEADERS + 1; i++) {
            many.destOptions();
        }
        assertEquals(DropReason.TOO_MANY_EXT_HEADERS, dropOf(many.build()));
        // Two fragment headers.
        byte[] twice = PacketBuilder.ipv6("::1", "::2").udp(1, 2)
                .extHeader(Ipv6ExtHeaders.NEXTHDR_FRAGMENT, new byte[6]).fragment(0, true).build();
        assertEquals(DropReason.BAD_EXT_HEADER, dropOf(twice));
    }

    @Test
    void transportProblemsAreReportedNotDropped() {
        byte[] tcp = Samples.bytes(Samples.TCP_SYN);
        tcp[Ipv4.MIN_HEADER_LENGTH + Tcp.DATA_OFFSET_OFFSET] = 0x40; // data offset 4
        assertTrue(parse(tcp));
        assertEquals(DropReason.BAD_TCP_OFFSET, pd.l4Problem);
        assertEquals(22, pd.dstPort, "fixed header facts stay readable");
        tcp[Ipv4.MIN_HEADER_LENGTH + Tcp.DATA_OFFSET_OFFSET] = (byte) 0xf0; // 60 > 40 bytes of TCP
        assertTrue(parse(tcp));
        assertEquals(DropReason.BAD_TCP_OFFSET, pd.l4Problem);

        byte[] shortTcp = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").protocol(6).payload(10).build();
        assertTrue(parse(shortTcp));
        assertEquals(DropReason.SHORT_L4, pd.l4Problem);
        assertFalse(pd.hasL4());

        byte[] udp = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(4).build();
        udp[Ipv4.MIN_HEADER_LENGTH + Udp.LENGTH_OFFSET + 1] = 40; // claims 40 > 12
        assertTrue(parse(udp));
        assertEquals(DropReason.BAD_UDP_LENGTH, pd.l4Problem);

        byte[] icmp = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").protocol(1).payload(5).build();
        assertTrue(parse(icmp));
        assertEquals(DropReason.SHORT_L4, pd.l4Problem);
        assertEquals(-1, pd.icmpType);
    }

    @Test
    void ipv4OptionsFlaggedAndChecked() {
        byte[] rr = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").ipOptions(new byte[] {7, 7, 4, 0, 0, 0, 0})
                .udp(1, 2).build();
        assertTrue(parse(rr));
        assertTrue(pd.hasIpOptions);
        assertEquals(28, pd.l3HeaderLength);
        assertEquals(1, pd.srcPort);
        Ipv4 h = new Ipv4().wrap(MemorySegment.ofArray(rr), 0, rr.length);
        assertEquals(DropReason.NONE, h.checkOptions());
        rr[21] = 1; // option length 1
        assertEquals(DropReason.BAD_IP_OPTIONS, h.checkOptions());
    }

    @Test
    void innerOfNonErrorAndFamilyMismatch() {
        assertTrue(parse(Samples.bytes(Samples.TCP_SYN)));
        PacketDescriptor inner = new PacketDescriptor();
        assertFalse(parser.parseInner(pd, inner));
        byte[] v6inV4 = PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").icmp(3, 1)
                .quote(Samples.bytes(Samples.UDP6_EXT)).build();
        assertTrue(parse(v6inV4));
        assertFalse(parser.parseInner(pd, inner));
        assertEquals(DropReason.BAD_VERSION, inner.dropReason);
    }

    @Test
    void parsingDoesNotAllocateAfterWarmUp() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        MemorySegment[] segs = {
            Samples.seg(Samples.TCP_SYN), Samples.seg(Samples.UDP6_EXT), Samples.seg(Samples.ICMP_ERR),
            Samples.seg(Samples.ICMP6_ECHO), Samples.seg(Samples.FRAG6_FIRST)
        };
        int[] lens = new int[segs.length];
        for (int i = 0; i < segs.length; i++) {
            lens[i] = (int) segs[i].byteSize();
        }
        PacketDescriptor inner = new PacketDescriptor();
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int n = 0; n < 200_000; n++) {
                int i = n % segs.length;
                if (parser.parse(pd, segs[i], 0, lens[i])) {
                    sink += pd.srcPort + pd.icmpType;
                    if (pd.icmpError && parser.parseInner(pd, inner)) {
                        sink += inner.dstPort;
                    }
                    if (Checksum.verifyL4(pd)) {
                        sink++;
                    }
                }
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                // 200k packets: anything per packet would be megabytes; allow a little JIT/runtime noise.
                assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 200000 packets");
            }
        }
        assertTrue(sink > 0);
    }
}
