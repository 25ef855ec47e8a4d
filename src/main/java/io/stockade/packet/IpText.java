package io.stockade.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Text forms of addresses in the descriptor's flat layout: parsing literals (never DNS) and
 * printing IPv4 dotted quads and IPv6 in RFC 5952 canonical form (what iptables and tcpdump print).
 * Control-plane and printing use only: these allocate.
 */
public final class IpText {
    private IpText() {
    }

    /** Parses an IPv4 literal into an unsigned 32-bit value, or throws IllegalArgumentException. */
    public static long parseV4(String s) {
        InetAddress a = literal(s);
        if (!(a instanceof Inet4Address) || isV6(s)) {
            throw new IllegalArgumentException("not an IPv4 address: " + s);
        }
        byte[] b = a.getAddress();
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** Parses an IPv6 literal into {hi, lo}, or throws IllegalArgumentException. */
    public static long[] parseV6(String s) {
        InetAddress a = literal(s);
        if (a instanceof Inet4Address && isV6(s)) {
            // Java turns IPv4-mapped literals (::ffff:a.b.c.d) into Inet4Address.
            byte[] b = a.getAddress();
            long v4 = ((b[0] & 0xffL) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            return new long[] {0, 0x0000ffff00000000L | v4};
        }
        if (!(a instanceof Inet6Address)) {
            throw new IllegalArgumentException("not an IPv6 address: " + s);
        }
        byte[] b = a.getAddress();
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[i + 8] & 0xff);
        }
        return new long[] {hi, lo};
    }

    /** True when {@code s} is an IPv6 literal (contains a colon). */
    public static boolean isV6(String s) {
        return s.indexOf(':') >= 0;
    }

    private static InetAddress literal(String s) {
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: " + s, e);
        }
    }

    public static String v4(long a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /**
     * RFC 5952 as glibc's {@code inet_ntop} prints it (what iptables and tcpdump show): lowercase
     * hex, leading zeros dropped, the first longest run (≥ 2) of zero groups as "::", and
     * IPv4-compatible / IPv4-mapped addresses with a dotted tail.
     */
    public static String v6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(45);
        // glibc inet_ntop: IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) end dotted.
        if (bestStart == 0 && (bestLen == 6 || (bestLen == 5 && g[5] == 0xffff))) {
            sb.append(bestLen == 5 ? "::ffff:" : "::");
            return sb.append(v4(((long) g[6] << 16) | g[7])).toString();
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** The source address of a parsed packet as text. */
    public static String src(PacketDescriptor pd) {
        return pd.ipVersion == 6 ? v6(pd.srcHi, pd.srcLo) : v4(pd.srcLo);
    }

    /** The destination address of a parsed packet as text. */
    public static String dst(PacketDescriptor pd) {
        return pd.ipVersion == 6 ? v6(pd.dstHi, pd.dstLo) : v4(pd.dstLo);
    }
}
