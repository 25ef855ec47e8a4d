package io.stockade.packet;

/**
 * Text forms of addresses in the descriptor's flat layout, as glibc's {@code inet_pton} and
 * {@code inet_ntop} read and write them: parsing literals (never DNS), printing IPv4 dotted quads
 * and IPv6 in RFC 5952 canonical form (what iptables and tcpdump print), and prefix masks. The one
 * place for numeric address text: the rule syntax, the match modules and the host model use it.
 * Control-plane and printing use only: these allocate.
 */
public final class IpText {
    private IpText() {
    }

    /** Parses an IPv4 literal into an unsigned 32-bit value, or throws IllegalArgumentException. */
    public static long parseV4(String s) {
        long v = pton4(s);
        if (v < 0) {
            throw new IllegalArgumentException("not an IPv4 address: " + s);
        }
        return v;
    }

    /** Parses an IPv6 literal into {hi, lo}, or throws IllegalArgumentException. */
    public static long[] parseV6(String s) {
        long[] a = pton6(s);
        if (a == null) {
            throw new IllegalArgumentException("not an IPv6 address: " + s);
        }
        return a;
    }

    /** True when {@code s} is an IPv6 literal (contains a colon). */
    public static boolean isV6(String s) {
        return s.indexOf(':') >= 0;
    }

    /**
     * glibc's {@code inet_pton(AF_INET)}: exactly four decimal parts 0-255 without leading zeros;
     * the address as an unsigned 32-bit value, or -1.
     */
    public static long pton4(String s) {
        return pton4(s, 0, s.length());
    }

    private static long pton4(String s, int from, int to) {
        long v = 0;
        int parts = 0;
        int i = from;
        while (true) {
            int j = i;
            int b = 0;
            while (j < to && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                b = b * 10 + (s.charAt(j) - '0');
                if (b > 255 || (j > i && s.charAt(i) == '0')) {
                    return -1;
                }
                j++;
            }
            if (j == i) {
                return -1;
            }
            v = (v << 8) | b;
            parts++;
            if (j == to) {
                return parts == 4 ? v : -1;
            }
            if (s.charAt(j) != '.' || parts == 4) {
                return -1;
            }
            i = j + 1;
        }
    }

    /**
     * glibc's {@code inet_pton(AF_INET6)}: groups of up to four hex digits, one {@code ::}, an
     * optional dotted-quad tail; {hi, lo}, or null.
     */
    public static long[] pton6(String s) {
        int[] w = new int[8];
        int n = 0;
        int gap = -1;
        int i = 0;
        int len = s.length();
        if (len == 0) {
            return null;
        }
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == len) {
                return new long[] {0, 0};
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < len) {
            int j = i;
            while (j < len && Character.digit(s.charAt(j), 16) >= 0) {
                j++;
            }
            if (j < len && s.charAt(j) == '.') {
                long v4 = pton4(s, i, len);
                if (v4 < 0 || n > 6) {
                    return null;
                }
                w[n++] = (int) (v4 >>> 16);
                w[n++] = (int) (v4 & 0xffff);
                break;
            }
            if (j == i || j - i > 4 || n == 8) {
                return null;
            }
            w[n++] = Integer.parseInt(s, i, j, 16);
            if (j == len) {
                break;
            }
            if (s.charAt(j) != ':') {
                return null;
            }
            if (j + 1 < len && s.charAt(j + 1) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = n;
                i = j + 2;
            } else {
                i = j + 1;
                if (i == len) {
                    return null;
                }
            }
        }
        int[] out = w;
        if (gap >= 0) {
            if (n == 8) {
                return null;
            }
            out = new int[8];
            System.arraycopy(w, 0, out, 0, gap);
            System.arraycopy(w, gap, out, 8 - (n - gap), n - gap);
        } else if (n != 8) {
            return null;
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | out[k];
            lo = (lo << 16) | out[k + 4];
        }
        return new long[] {hi, lo};
    }

    /** A /bits prefix mask as {hi, lo}: IPv4 in the low 32 bits of lo (hi 0), IPv6 over both. */
    public static long[] prefixMask(int bits, boolean v6) {
        if (!v6) {
            return new long[] {0, bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL};
        }
        long hi = bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
        long lo = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
        return new long[] {hi, lo};
    }

    /** The prefix length of a contiguous mask {hi, lo} (layout as {@link #prefixMask}), else -1. */
    public static int prefixLength(long mhi, long mlo, boolean v6) {
        int bits = v6 ? 128 : 32;
        for (int n = 0; n <= bits; n++) {
            long[] m = prefixMask(n, v6);
            if (m[0] == mhi && m[1] == mlo) {
                return n;
            }
        }
        return -1;
    }

    /** The numeric text of an address: {@link #v6} or, for IPv4, {@link #v4} of the low 32 bits. */
    public static String format(boolean v6, long hi, long lo) {
        return v6 ? v6(hi, lo) : v4(lo);
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
