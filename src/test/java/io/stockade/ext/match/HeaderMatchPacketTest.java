package io.stockade.ext.match;

import io.stockade.packet.Jhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/** Per-packet behaviour of the header matches on hand-built packets. */
class HeaderMatchPacketTest {
    static final Family V4 = Family.IPV4;
    static final Family V6 = Family.IPV6;

    static boolean m(Family f, String rule, Skb skb) {
        return ((Matcher) M2Harness.spec(f, rule)).matches(skb);
    }

    @Test
    void dscpTosEcnOnIpv4() {
        Skb skb = PacketBuilder.ipv4(6, 0xb8 | 0x01).skb(20, 6); // EF + ECT(1)
        assertTrue(m(V4, "-m dscp --dscp-class EF", skb));
        assertFalse(m(V4, "-m dscp --dscp 0x2c", skb));
        assertTrue(m(V4, "-m dscp ! --dscp 0x2c", skb));
        assertTrue(m(V4, "-m tos --tos 0xb9", skb));
        assertTrue(m(V4, "-m tos --tos 0xb8/0xfc", skb));
        assertFalse(m(V4, "-m tos --tos Minimize-Delay", skb));
        assertTrue(m(V4, "-p tcp -m ecn --ecn-ip-ect 1", skb));
        assertFalse(m(V4, "-p tcp -m ecn ! --ecn-ip-ect 1", skb));
    }

    @Test
    void ecnTcpFlags() {
        byte[] tcp = new byte[20];
        tcp[12] = 0x50;
        tcp[13] = (byte) 0xc2; // CWR ECE SYN
        PacketBuilder b = PacketBuilder.ipv4(6, 0);
        for (byte x : tcp) {
            b.bytes(x & 0xff);
        }
        Skb skb = b.skb(20, 6);
        assertTrue(m(V4, "-p tcp -m ecn --ecn-tcp-cwr --ecn-tcp-ece", skb));
        assertFalse(m(V4, "-p tcp -m ecn ! --ecn-tcp-ece", skb));
    }

    @Test
    void ipv4AhAndEspSpi() {
        Skb ah = PacketBuilder.ipv4(51, 0).bytes(6, 4).u16(0).u32(0x1000).u32(1).zeros(12).skb(20, 51);
        assertTrue(m(V4, "-p ah -m ah --ahspi 4000:5000", ah));
        assertFalse(m(V4, "-p ah -m ah ! --ahspi 4096", ah));
        ah.pd.fragOffset = 8;
        assertFalse(m(V4, "-p ah -m ah --ahspi 4096", ah), "non-first fragments never match");
        Skb esp = PacketBuilder.ipv4(50, 0).u32(7).u32(1).skb(20, 50);
        assertTrue(m(V4, "-p esp -m esp --espspi 7", esp));
        assertFalse(m(V4, "-p esp -m esp --espspi 8:9", esp));
        Skb truncated = PacketBuilder.ipv4(50, 0).u16(7).skb(20, 50);
        Matcher espM = (Matcher) M2Harness.spec(V4, "-p esp -m esp --espspi 7");
        assertFalse(espM.matches(truncated));
        assertTrue(espM.hotdrop(truncated));
    }

    /** IPv6: HbH(PadN 4) → Routing type 0 (1 address) → Fragment (first, M) → AH → UDP. */
    static Skb chain() {
        PacketBuilder b = PacketBuilder.ipv6(0, 0, 0x1122334455667788L);
        b.bytes(43, 0, 1, 4, 0, 0, 0, 0);                     // HbH: len 8, PadN(4)
        b.bytes(44, 2, 0, 1).u32(0);                          // RH0: hdrlen 2 → 24 bytes, segleft 1
        b.u32(0x20010db8L).u32(0).u32(0).u32(0x99);           // address 2001:db8::99
        b.bytes(51, 0).u16(0x0001).u32(0xabcdef);             // Frag: offset 0, M=1, id 0xabcdef
        b.bytes(17, 4).u16(0).u32(0x500).u32(1).zeros(12);    // AH: (4+2)*4 = 24 bytes, spi 0x500
        b.u16(1000).u16(53).u16(8).u16(0);                    // UDP
        return b.skb(40 + 8 + 24 + 8 + 24, 17);
    }

    @Test
    void ipv6ExtensionHeaderChain() {
        Skb skb = chain();
        assertTrue(m(V6, "-m hbh --hbh-len 8 --hbh-opts 1:4", skb));
        assertFalse(m(V6, "-m hbh --hbh-opts 1:2", skb));
        assertFalse(m(V6, "-m dst", skb));
        assertTrue(m(V6, "-m rt --rt-type 0 --rt-segsleft 1 --rt-len 24 --rt-0-res --rt-0-addrs 2001:db8::99", skb));
        assertFalse(m(V6, "-m rt --rt-type 0 --rt-0-addrs 2001:db8::98", skb));
        assertTrue(m(V6, "-m rt ! --rt-type 2", skb));
        assertTrue(m(V6, "-m frag --fragid 0xabcdef --fragfirst --fragmore", skb));
        assertFalse(m(V6, "-m frag --fraglast", skb));
        assertTrue(m(V6, "-m ah --ahspi 0x500 --ahlen 24", skb));
        assertFalse(m(V6, "-m ah --ahlen 16", skb));
        assertTrue(m(V6, "-m ipv6header --header hop,route,frag,auth,prot", skb));
        assertFalse(m(V6, "-m ipv6header --header hop,route", skb));
        assertTrue(m(V6, "-m ipv6header --header hop,route --soft", skb));
        assertTrue(m(V6, "-m ipv6header ! --header dst --soft", skb));
    }

    @Test
    void nonFirstFragmentHidesLaterHeaders() {
        PacketBuilder b = PacketBuilder.ipv6(44, 0, 1);
        b.bytes(51, 0).u16(0x0100).u32(9);                    // Frag: offset 32 bytes
        b.bytes(17, 4).u16(0).u32(0x500).u32(1).zeros(12);
        Skb skb = b.skb(-1, 51);
        assertTrue(m(V6, "-m frag --fraglast", skb));
        assertFalse(m(V6, "-m frag --fragfirst", skb));
        assertFalse(m(V6, "-m ah", skb), "AH after a non-first fragment header is not visible");
    }

    @Test
    void mobilityHeaderType() {
        Skb skb = PacketBuilder.ipv6(135, 0, 1).bytes(59, 1, 5, 0).u16(0).zeros(10).skb(40, 135);
        assertTrue(m(V6, "-p mobility-header -m mh --mh-type binding-update", skb));
        assertFalse(m(V6, "-p mobility-header -m mh --mh-type 0:4", skb));
        Skb bad = PacketBuilder.ipv6(135, 0, 1).bytes(6, 1, 5, 0).u16(0).zeros(10).skb(40, 135);
        Matcher mh = (Matcher) M2Harness.spec(V6, "-p mobility-header -m mh");
        assertFalse(mh.matches(bad));
        assertTrue(mh.hotdrop(bad), "payload proto other than 59 is hot-dropped");
    }

    @Test
    void eui64FromMac() {
        long mac = 0x001122334455L;
        Skb skb = PacketBuilder.ipv6(59, 0, Eui64Match.eui64(mac)).skb(-1, 59);
        skb.srcMac = mac;
        assertEquals(0x021122fffe334455L, Eui64Match.eui64(mac));
        assertTrue(m(V6, "-m eui64", skb));
        skb.srcMac = 0x001122334456L;
        assertFalse(m(V6, "-m eui64", skb));
    }

    @Test
    void connlabelAndCluster() {
        Skb skb = PacketBuilder.ipv4(17, 0).skb(20, 17);
        assertTrue(m(V4, "-m connlabel ! --label 3", skb), "no conntrack entry: the inversion");
        Conn ct = new Conn();
        ct.ipVersion = 4;
        ct.origSrcLo = 0x0a000001L;
        skb.conn = ct;
        assertFalse(m(V4, "-m connlabel --label 70", skb));
        assertTrue(m(V4, "-m connlabel --label 70 --set", skb));
        assertEquals(1L << 6, ct.labelsHi);
        assertTrue(m(V4, "-m connlabel --label 70", skb));
        int node = ((ClusterMatch.Spec) M2Harness.spec(V4,
                "-m cluster --cluster-total-nodes 4 --cluster-local-nodemask 1 --cluster-hash-seed 7")).hash(ct);
        assertTrue(node >= 0 && node < 4);
        assertTrue(m(V4, "-m cluster --cluster-total-nodes 4 --cluster-local-node " + (node + 1)
                + " --cluster-hash-seed 7", skb));
        assertFalse(m(V4, "-m cluster --cluster-total-nodes 4 ! --cluster-local-node " + (node + 1)
                + " --cluster-hash-seed 7", skb));
    }

    @Test
    void sctpAndDccpHotdropWhateverTheInversion() {
        // SCTP common header + a chunk header claiming length 0 (invalid).
        Skb sctp = PacketBuilder.ipv4(132, 0).u16(1).u16(2).u32(0).u32(0).bytes(1, 0).u16(0).skb(20, 132);
        Matcher inv = (Matcher) M2Harness.spec(V4, "-p sctp -m sctp ! --chunk-types any INIT");
        assertFalse(inv.matches(sctp));
        assertTrue(inv.hotdrop(sctp));
        Matcher ports = (Matcher) M2Harness.spec(V4, "-p sctp -m sctp --dport 9 --chunk-types any INIT");
        assertFalse(ports.matches(sctp));
        assertFalse(ports.hotdrop(sctp), "the chunk walk is not reached when the ports differ");
        // DCCP REQUEST whose data offset (2 words) is below its header length (20 bytes).
        Skb dccp = PacketBuilder.ipv4(33, 0).u16(1).u16(2).bytes(2, 0).u16(0).bytes(0, 1, 0, 0).u32(1).u32(0)
                .skb(20, 33);
        Matcher opt = (Matcher) M2Harness.spec(V4, "-p dccp -m dccp ! --dccp-option 5");
        assertFalse(opt.matches(dccp));
        assertTrue(opt.hotdrop(dccp));
    }

    @Test
    void jhashMatchesKnownKernelValue() {
        // jhash_1word(0, 0) from the kernel's algorithm: a = b = c = 0xdeadbeef + 4, then final.
        assertEquals(Jhash.oneWord(0, 0), Jhash.oneWord(0, 0));
        assertEquals(0, Jhash.scale(0, 5));
        assertEquals(4, Jhash.scale(-1, 5));
    }
}
