package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** IpText against glibc's inet_pton/inet_ntop rules (the cases the callers used to disagree on). */
class IpTextTest {
    @Test
    void pton4IsStrictDottedDecimal() {
        assertEquals(0xc0000201L, IpText.pton4("192.0.2.1"));
        assertEquals(0, IpText.pton4("0.0.0.0"));
        assertEquals(-1, IpText.pton4("192.0.2.01"), "leading zero");
        assertEquals(-1, IpText.pton4("192.0.2"), "three parts");
        assertEquals(-1, IpText.pton4("192.0.2.256"));
        assertEquals(-1, IpText.pton4("192.0.2.1."));
        assertEquals(-1, IpText.pton4("1.2.3.4.5"));
        assertEquals(-1, IpText.pton4(""));
    }

    @Test
    void pton6() {
        assertArrayEquals(new long[] {0x20010db800000000L, 1}, IpText.pton6("2001:db8::1"));
        assertArrayEquals(new long[] {0, 0}, IpText.pton6("::"));
        assertArrayEquals(new long[] {0, 0x0000ffff01020304L}, IpText.pton6("::ffff:1.2.3.4"));
        assertArrayEquals(new long[] {0x0001000200030004L, 0x0005000600070000L}, IpText.pton6("1:2:3:4:5:6:7::"));
        assertNull(IpText.pton6("::01.2.3.4"), "leading zero in the dotted tail");
        assertNull(IpText.pton6("1::2::3"));
        assertNull(IpText.pton6(":1::2"));
        assertNull(IpText.pton6("1:2:3:4:5:6:7:8::"));
        assertNull(IpText.pton6("12345::"));
        assertNull(IpText.pton6("1.2.3.4"));
    }

    @Test
    void ntop6DottedTails() {
        assertEquals("::1.2.3.4", IpText.v6(0, 0x01020304L), "IPv4-compatible");
        assertEquals("::ffff:1.2.3.4", IpText.v6(0, 0x0000ffff01020304L), "IPv4-mapped");
        assertEquals("::5", IpText.v6(0, 5));
        assertEquals("2001:db8::1:0:0:1", IpText.v6(0x20010db800000000L, 0x0001000000000001L));
        assertEquals("1.2.3.4", IpText.format(false, 0, 0x01020304L));
    }

    @Test
    void prefixMasks() {
        assertArrayEquals(new long[] {0, 0xffffff00L}, IpText.prefixMask(24, false));
        assertArrayEquals(new long[] {-1L, 0x8000000000000000L}, IpText.prefixMask(65, true));
        assertEquals(24, IpText.prefixLength(0, 0xffffff00L, false));
        assertEquals(-1, IpText.prefixLength(0, 0xff00ff00L, false));
        assertEquals(128, IpText.prefixLength(-1L, -1L, true));
    }
}
