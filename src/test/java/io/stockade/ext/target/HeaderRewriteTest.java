package io.stockade.ext.target;

import static io.stockade.ext.target.TargetHarness.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.Family;
import io.stockade.rules.TableKind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * TOS, DSCP, TTL, HL, ECN, TCPOPTSTRIP and SNPT rewrite packets in place. Expected bytes: the same
 * packets built by scapy 2.5 with the new field values (full checksum recomputation, so the
 * RFC 1624 updates are checked); SNPT against Linux (ip6tables -t mangle … -j SNPT in a
 * namespace, datagrams captured with tcpdump on the peer).
 */
class HeaderRewriteTest {
    static final String BASE = "4503003c00010000400666b60a0000010a000002000100020000000000000000a0c2200013380000"
            + "020405b40402080a000000010000000201030307";
    static final String TCP_TAIL = "000100020000000000000000a0c2200013380000020405b40402080a000000010000000201030307";
    static final String V6 = "6030000000091140fd000000000000000000000000000001fd000000000000000000000000000002"
            + "0001000200098dd478";

    private static String run(Family f, String rule, String packet) {
        Skb skb = Packets.skb(packet);
        int v = ((TargetAction) spec(f, TableKind.MANGLE, rule)).execute(skb, Emitter.NONE);
        assertEquals(Verdict.CONTINUE, v, rule);
        byte[] b = new byte[skb.pd.length - (int) skb.pd.base];
        MemorySegment.copy(skb.pd.data, ValueLayout.JAVA_BYTE, skb.pd.base, b, 0, b.length);
        return Packets.hex(b);
    }

    @Test
    void tosAndDscp() {
        assertEquals("451f003c000100004006669a0a0000010a000002" + TCP_TAIL,
                run(Family.IPV4, "-j TOS --set-tos 0x1f", BASE));
        assertEquals("451f003c000100004006669a0a0000010a000002" + TCP_TAIL,
                run(Family.IPV4, "-j TOS --or-tos 0x1c", BASE));
        assertEquals(BASE, run(Family.IPV4, "-j TOS --and-tos 0xff", BASE));
        assertEquals("45bb003c00010000400665fe0a0000010a000002" + TCP_TAIL,
                run(Family.IPV4, "-j DSCP --set-dscp-class EF", BASE));
        assertEquals("62b0000000091140fd000000000000000000000000000001fd000000000000000000000000000002"
                + "0001000200098dd478", run(Family.IPV6, "-j DSCP --set-dscp 0x0a", V6));
    }

    @Test
    void ttlAndHopLimit() {
        assertEquals("4503003c000100000a069cb60a0000010a000002" + TCP_TAIL, run(Family.IPV4, "-j TTL --ttl-set 10", BASE));
        assertEquals("4503003c000100000a069cb60a0000010a000002" + TCP_TAIL, run(Family.IPV4, "-j TTL --ttl-dec 54", BASE));
        assertEquals("4503003c00010000ff06a7b50a0000010a000002" + TCP_TAIL, run(Family.IPV4, "-j TTL --ttl-inc 255", BASE));
        assertEquals("6030000000091105fd000000000000000000000000000001fd000000000000000000000000000002"
                + "0001000200098dd478", run(Family.IPV6, "-j HL --hl-dec 59", V6));
    }

    @Test
    void ecnRewritesIpAndTcpBits() {
        assertEquals("4501003c00010000400666b80a0000010a000002000100020000000000000000a002200013f80000"
                + "020405b40402080a000000010000000201030307",
                run(Family.IPV4, "-p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 1", BASE));
    }

    @Test
    void tcpoptstripOverwritesWithNops() {
        assertEquals("4503003c00010000400666b60a0000010a000002000100020000000000000000a0c220001bef0000"
                + "010101010101080a000000010000000201030307",
                run(Family.IPV4, "-p tcp -j TCPOPTSTRIP --strip-options mss,sack-permitted", BASE));
    }

    @Test
    void snptAsLinux() {
        String in64 = "6001c3dd000f1140fd000000000000000000000000000002fd000000000000000000000000000001"
                + "15b31b59000ffa246e70742d6f6e65";
        String out64 = "6001c3dd000f114020010db800010002cf44000000000002fd000000000000000000000000000001"
                + "15b31b59000ffa246e70742d6f6e65";
        assertEquals(out64, run(Family.IPV6, "-j SNPT --src-pfx fd00::/64 --dst-pfx 2001:db8:1:2::/64", in64));
        String in48 = "6003c16e000f1140fd000000000000000000000000000002fd000000000000000000000000000001"
                + "15b31b5a000ffa246e70742d74776f";
        String out48 = "6003c16e000f114020010db800aace9d0000000000000002fd000000000000000000000000000001"
                + "15b31b5a000ffa246e70742d74776f";
        assertEquals(out48, run(Family.IPV6, "-j SNPT --src-pfx fd00::/48 --dst-pfx 2001:db8:aa::/48", in48));
    }
}
