package io.stockade.synproxy;

import java.security.SecureRandom;

/**
 * TCP SYN cookies as net/ipv4/syncookies.c and net/ipv6/syncookies.c build and check them for
 * SYNPROXY ({@code __cookie_v4_init_sequence}/{@code __cookie_v4_check},
 * {@code __cookie_v6_init_sequence}/{@code __cookie_v6_check}):
 * <pre>
 * cookie = H(secret0; saddr, daddr, sport, dport, 0) + their_seq + (count &lt;&lt; 24)
 *        + ((H(secret1; saddr, daddr, sport, dport, count) + mss_index) &amp; 0xffffff)
 * </pre>
 * where H is SipHash-2-4 (the low 32 bits; IPv4 hashes the four u32 words
 * {@code saddr, daddr, sport << 16 | dport, count}, IPv6 the 40-byte
 * {@code saddr, daddr, count, sport, dport} block), count the minute counter, and
 * {@code mss_index} the position in the family's MSS table (IPv4 536/1300/1440/1460, IPv6
 * 1220/1420/1440/8940) of the largest entry not above the client's MSS. A cookie is valid for
 * {@link #MAX_AGE} minutes (the counter may have advanced by 0 or 1).
 *
 * <p>LINUX-DIFF: the secrets are this JVM's own (random at start, as the kernel's are random at
 * boot), so cookie values differ from Linux's; the minute counter is packet time in minutes, not
 * jiffies since boot. Per packet: no allocation.
 */
public final class SynCookie {
    static final int COOKIEBITS = 24;
    static final int COOKIEMASK = (1 << COOKIEBITS) - 1;
    /** MAX_SYNCOOKIE_AGE: the counter may have moved on by at most one minute. */
    public static final int MAX_AGE = 2;
    private static final long MINUTE = 60_000_000_000L;
    private static final int[] MSSTAB4 = {536, 1300, 1440, 1460};
    private static final int[] MSSTAB6 = {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60};

    /** syncookie_secret[2] and syncookie6_secret[2]: key words k0, k1 of each. */
    private static final long[] SECRET = new long[8];

    static {
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = r.nextLong();
        }
    }

    private SynCookie() {
    }

    /** Replaces the secrets (tests that want reproducible cookies). */
    public static synchronized void seed(long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = r.nextLong();
        }
    }

    /** tcp_cookie_time(): the minute counter at packet time {@code nanos}. */
    public static int count(long nanos) {
        return (int) Math.floorDiv(nanos, MINUTE);
    }

    /** The MSS the cookie encodes for a client MSS: the largest table entry not above it (the first if none). */
    public static int encodedMss(int family, int mss) {
        int[] tab = family == 4 ? MSSTAB4 : MSSTAB6;
        return tab[mssIndex(tab, mss)];
    }

    private static int mssIndex(int[] tab, int mss) {
        int i;
        for (i = tab.length - 1; i > 0; i--) {
            if (mss >= tab[i]) {
                break;
            }
        }
        return i;
    }

    private static int hash4(long saddr, long daddr, int sport, int dport, int count, int c) {
        // siphash_4u32(saddr, daddr, sport << 16 | dport, count): the u32s as a little-endian host
        // holds them (addresses and ports in network byte order in memory).
        long a = Integer.reverseBytes((int) saddr) & 0xffffffffL;
        long b = Integer.reverseBytes((int) daddr) & 0xffffffffL;
        long ports = ((long) (Short.reverseBytes((short) sport) & 0xffff) << 16) | (Short.reverseBytes((short) dport) & 0xffff);
        return (int) SipHash.hash(SECRET[c * 2], SECRET[c * 2 + 1], 2, 16,
                b << 32 | a, (count & 0xffffffffL) << 32 | ports, 0, 0, 0);
    }

    private static int hash6(long sHi, long sLo, long dHi, long dLo, int sport, int dport, int count, int c) {
        long sp = Short.reverseBytes((short) sport) & 0xffffL;
        long dp = Short.reverseBytes((short) dport) & 0xffffL;
        return (int) SipHash.hash(SECRET[4 + c * 2], SECRET[4 + c * 2 + 1], 5, 40,
                Long.reverseBytes(sHi), Long.reverseBytes(sLo), Long.reverseBytes(dHi), Long.reverseBytes(dLo),
                (count & 0xffffffffL) | sp << 32 | dp << 48);
    }

    /** The SYN-ACK sequence number for an IPv4 SYN (addresses as the SYN carries them). */
    public static int initV4(long saddr, long daddr, int sport, int dport, int seq, int mss, long nanos) {
        int count = count(nanos);
        int idx = mssIndex(MSSTAB4, mss);
        return hash4(saddr, daddr, sport, dport, 0, 0) + seq + (count << COOKIEBITS)
                + ((hash4(saddr, daddr, sport, dport, count, 1) + idx) & COOKIEMASK);
    }

    /**
     * __cookie_v4_check for the client's ACK (addresses and ports as the ACK carries them,
     * {@code cookie} = ack − 1, {@code seq} = seq − 1). @return the encoded MSS, or 0 if invalid.
     */
    public static int checkV4(int cookie, long saddr, long daddr, int sport, int dport, int seq, long nanos) {
        int count = count(nanos);
        int c = cookie - (hash4(saddr, daddr, sport, dport, 0, 0) + seq);
        int diff = (count - (c >>> COOKIEBITS)) & (-1 >>> COOKIEBITS);
        if (diff >= MAX_AGE) {
            return 0;
        }
        int idx = (c - hash4(saddr, daddr, sport, dport, count - diff, 1)) & COOKIEMASK;
        return idx < MSSTAB4.length ? MSSTAB4[idx] : 0;
    }

    /** The SYN-ACK sequence number for an IPv6 SYN. */
    public static int initV6(long sHi, long sLo, long dHi, long dLo, int sport, int dport, int seq, int mss, long nanos) {
        int count = count(nanos);
        int idx = mssIndex(MSSTAB6, mss);
        return hash6(sHi, sLo, dHi, dLo, sport, dport, 0, 0) + seq + (count << COOKIEBITS)
                + ((hash6(sHi, sLo, dHi, dLo, sport, dport, count, 1) + idx) & COOKIEMASK);
    }

    /** __cookie_v6_check; @return the encoded MSS, or 0 if invalid. */
    public static int checkV6(int cookie, long sHi, long sLo, long dHi, long dLo, int sport, int dport, int seq, long nanos) {
        int count = count(nanos);
        int c = cookie - (hash6(sHi, sLo, dHi, dLo, sport, dport, 0, 0) + seq);
        int diff = (count - (c >>> COOKIEBITS)) & (-1 >>> COOKIEBITS);
        if (diff >= MAX_AGE) {
            return 0;
        }
        int idx = (c - hash6(sHi, sLo, dHi, dLo, sport, dport, count - diff, 1)) & COOKIEMASK;
        return idx < MSSTAB6.length ? MSSTAB6[idx] : 0;
    }
}
