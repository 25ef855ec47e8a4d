package io.stockade.synproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** SipHash-2-4 against the reference vectors, and the SYN cookie's structure: MSS index, minute counter, age. */
class SynCookieTest {
    private static final long K0 = 0x0706050403020100L, K1 = 0x0f0e0d0c0b0a0908L;
    private static final long W0 = 0x0706050403020100L, W1 = 0x0f0e0d0c0b0a0908L,
            W2 = 0x1716151413121110L, W3 = 0x1f1e1d1c1b1a1918L;
    private static final long MINUTE = 60_000_000_000L;

    @Test
    void sipHashMatchesTheReferenceVectors() {
        // SipHash-2-4, key 00..0f, message 00..(n-1) (github.com/veorq/SipHash vectors, as lib/test_siphash.c)
        assertEquals(0x726fdb47dd0e0e31L, SipHash.hash(K0, K1, 0, 0, 0, 0, 0, 0, 0));
        assertEquals(0x93f5f5799a932462L, SipHash.hash(K0, K1, 1, 8, W0, 0, 0, 0, 0));
        assertEquals(0x3f2acc7f57c29bdbL, SipHash.hash(K0, K1, 2, 16, W0, W1, 0, 0, 0));
        assertEquals(0xb8ad50c6f649af94L, SipHash.hash(K0, K1, 3, 24, W0, W1, W2, 0, 0));
        assertEquals(0x7127512f72f27cceL, SipHash.hash(K0, K1, 4, 32, W0, W1, W2, W3, 0));
    }

    @Test
    void everyMssIndexRoundTrips() {
        SynCookie.seed(7);
        long t = 1234 * MINUTE + 5;
        int[][] cases4 = {{0, 536}, {535, 536}, {536, 536}, {1299, 536}, {1300, 1300}, {1439, 1300}, {1440, 1440},
                {1452, 1440}, {1460, 1460}, {9000, 1460}};
        for (int[] c : cases4) {
            int cookie = SynCookie.initV4(0xc6336407L, 0xc0a80a14L, 40000, 80, 77, c[0], t);
            assertEquals(c[1], SynCookie.checkV4(cookie, 0xc6336407L, 0xc0a80a14L, 40000, 80, 77, t), "IPv4 MSS " + c[0]);
            assertEquals(c[1], SynCookie.encodedMss(4, c[0]));
        }
        int[][] cases6 = {{0, 1220}, {1280, 1220}, {1420, 1420}, {1460, 1440}, {8940, 8940}, {65535, 8940}};
        for (int[] c : cases6) {
            int cookie = SynCookie.initV6(0x20010db800010000L, 7, 0xfd00001000000000L, 0x20, 40000, 80, -5, c[0], t);
            assertEquals(c[1], SynCookie.checkV6(cookie, 0x20010db800010000L, 7, 0xfd00001000000000L, 0x20, 40000, 80, -5, t),
                    "IPv6 MSS " + c[0]);
        }
    }

    @Test
    void theCookieCarriesTheMinuteAndExpiresAfterTwo() {
        SynCookie.seed(8);
        long t = 99_999 * MINUTE + MINUTE - 1; // the last nanosecond of a minute
        int cookie = SynCookie.initV4(1, 2, 3, 4, 1000, 1460, t);
        int next = SynCookie.initV4(1, 2, 3, 4, 1000, 1460, t + 1);
        // count << 24 is added: one minute later the cookie moves by 2^24 plus the new count's hash
        assertNotEquals(cookie, next);
        assertEquals(1460, SynCookie.checkV4(cookie, 1, 2, 3, 4, 1000, t));
        assertEquals(1460, SynCookie.checkV4(cookie, 1, 2, 3, 4, 1000, t + 1), "the next minute");
        assertEquals(1460, SynCookie.checkV4(cookie, 1, 2, 3, 4, 1000, t + MINUTE), "still the next minute");
        assertEquals(0, SynCookie.checkV4(cookie, 1, 2, 3, 4, 1000, t + MINUTE + 1), "two minutes on");
        assertEquals(0, SynCookie.checkV4(cookie, 1, 2, 3, 4, 1000, t - MINUTE), "from the future");
        assertEquals(0, SynCookie.checkV4(cookie, 1, 2, 3, 5, 1000, t), "another destination port");
        // their sequence number is added linearly (as in Linux): one more lands on the next lower
        // MSS index, far more on no index at all
        assertEquals(1440, SynCookie.checkV4(cookie, 1, 2, 3, 4, 1001, t), "client sequence number + 1");
        assertEquals(0, SynCookie.checkV4(cookie, 1, 2, 3, 4, 1000 + (1 << 20), t), "another client sequence number");
        assertEquals(0, SynCookie.checkV4(cookie, 1, 9, 3, 4, 1000, t), "another server address");
    }
}
