package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/** u32: save/-L forms and errors as iptables 1.8.9 printed them; evaluation on built packets. */
class U32MatchTest {
    static String save(String rule) {
        return M2Harness.parse(Family.IPV4, rule).save();
    }

    @Test
    void normalisedLikeIptables() {
        assertEquals("-m u32 --u32 \"0x0>>0x16&0x3c@0xc>>0x1a&0x3c@0x0=0x474554\"",
                save("-m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0=0x474554\""));
        assertEquals("-m u32 ! --u32 \"0x6&0xff=0x1&&0x4&0x3fff=0x0&&0x0>>0x16&0x3c@0x0>>0x18=0x0\"",
                save("-m u32 ! --u32 \"6 & 0xFF = 1 && 4 & 0x3FFF = 0 && 0 >> 22 & 0x3C @ 0 >> 24 = 0\""));
        assertEquals("-m u32 --u32 \"0x0=0x1,0x2:0x3,0x10:0x20\"", save("-m u32 --u32 \"0=1,2:3,0x10:0x20\""));
        assertEquals("u32 ! \"0x0<<0x2>>0x3=0x1\"",
                M2Harness.print(M2Harness.spec(Family.IPV4, "-m u32 ! --u32 \"0<<2>>3=1\""), false));
    }

    @Test
    void errorsLikeIptables() {
        assertEquals("u32: test ended with no value specified", M2Harness.error(Family.IPV4, "-m u32 --u32 0="));
        assertEquals("u32: at char 0: location spec missing", M2Harness.error(Family.IPV4, "-m u32 --u32 =1"));
        assertEquals("u32: at char 2: a second '<' was expected", M2Harness.error(Family.IPV4, "-m u32 --u32 0<3=1"));
        assertEquals("u32: at char 4: a second '&' was expected", M2Harness.error(Family.IPV4, "-m u32 --u32 0=1&2"));
        assertEquals("u32: at char 4: expected \",\" or \"&&\"", M2Harness.error(Family.IPV4, "-m u32 --u32 \"0=1 2\""));
        assertEquals("u32: abrupt end of input after location specifier", M2Harness.error(Family.IPV4, "-m u32 --u32 0"));
        assertEquals("u32: at char 2: not a number or out of range", M2Harness.error(Family.IPV4, "-m u32 --u32 0=x"));
        assertEquals("u32: at char 22: too many operators",
                M2Harness.error(Family.IPV4, "-m u32 --u32 0&1&2&3&4&5&6&7&8&9&10=1"));
    }

    /** IPv4 (IHL 5) + TCP (data offset 5) + "GET / HTTP/1.0". */
    static Skb httpGet() {
        PacketBuilder b = PacketBuilder.ipv4(6, 0);
        b.u16(40000).u16(80).u32(1).u32(0).bytes(0x50, 0x18).u16(512).u16(0).u16(0);
        for (char c : "GET / HTTP/1.0".toCharArray()) {
            b.bytes(c);
        }
        return b.skb(20, 6);
    }

    @Test
    void evaluatesTheHttpGetExample() {
        Skb skb = httpGet();
        Matcher get = (Matcher) M2Harness.spec(Family.IPV4, "-m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0>>8=0x474554\"");
        assertTrue(get.matches(skb));
        Matcher post = (Matcher) M2Harness.spec(Family.IPV4, "-m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0>>8=0x504f53\"");
        assertFalse(post.matches(skb));
        Matcher tcpOrUdp = (Matcher) M2Harness.spec(Family.IPV4, "-m u32 --u32 \"0>>28=4 && 6&0xFF=6,17\"");
        assertTrue(tcpOrUdp.matches(skb));
        Matcher beyond = (Matcher) M2Harness.spec(Family.IPV4, "-m u32 --u32 \"1000=0:0xffffffff\"");
        assertFalse(beyond.matches(skb), "reading past the packet is false");
        Matcher inverted = (Matcher) M2Harness.spec(Family.IPV4, "-m u32 ! --u32 \"1000=0:0xffffffff\"");
        assertTrue(inverted.matches(skb));
    }
}
