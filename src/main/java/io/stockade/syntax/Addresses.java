package io.stockade.syntax;

import io.stockade.rules.Family;
import io.stockade.rules.ParameterProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsing and printing of {@code -s}/{@code -d} arguments as libxtables does
 * (xtables_ipparse_multiple / xtables_ip6parse_multiple): a comma list of
 * {@code host[/mask]} where mask is a prefix length or a dotted (IPv6: colon) mask; the address
 * is masked. Addresses travel as two longs (hi, lo), IPv4 in the low 32 bits of lo.
 */
public final class Addresses {
    private Addresses() {
    }

    /** One parsed address/mask: {hi, lo, maskHi, maskLo}. */
    public record Net(long hi, long lo, long maskHi, long maskLo) {
    }

    /** Parses a comma list; duplicates (after masking) are dropped as libxtables does for one host. */
    public static List<Net> parseMultiple(String arg, Family family, HostResolver resolver) throws ParameterProblem {
        List<Net> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int comma = arg.indexOf(',', start);
            String item = comma < 0 ? arg.substring(start) : arg.substring(start, comma);
            parseOne(item, family, resolver, out);
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        return out;
    }

    private static void parseOne(String item, Family family, HostResolver resolver, List<Net> out)
            throws ParameterProblem {
        int slash = item.indexOf('/');
        String host = slash < 0 ? item : item.substring(0, slash);
        long mHi;
        long mLo;
        if (family == Family.IPV4) {
            long m = slash < 0 ? 0xffffffffL : parseMask4(item.substring(slash + 1));
            mHi = 0;
            mLo = m;
            if (m == 0 && (host.equals("0") || host.isEmpty())) {
                host = "0.0.0.0";
            }
        } else {
            long[] m = slash < 0 ? new long[] {-1L, -1L} : parseMask6(item.substring(slash + 1));
            mHi = m[0];
            mLo = m[1];
            if (mHi == 0 && mLo == 0 && host.isEmpty()) {
                host = "::";
            }
        }
        List<long[]> addrs = new ArrayList<>();
        long[] numeric = family == Family.IPV4 ? numeric4(host) : numeric6(host);
        if (numeric != null) {
            addrs.add(numeric);
        } else {
            for (byte[] b : resolver.resolve(host, family)) {
                addrs.add(fromBytes(b));
            }
            if (addrs.isEmpty()) {
                throw new ParameterProblem("host/network `" + host + "' not found");
            }
        }
        int first = out.size();
        for (long[] a : addrs) {
            Net n = new Net(a[0] & mHi, a[1] & mLo, mHi, mLo);
            boolean dup = false;
            for (int i = first; i < out.size(); i++) {
                dup |= out.get(i).equals(n);
            }
            if (!dup) {
                out.add(n);
            }
        }
    }

    private static long parseMask4(String m) throws ParameterProblem {
        if (m.indexOf('.') >= 0) {
            long[] a = numeric4(m);
            if (a == null) {
                throw new ParameterProblem("host/network `" + m + "' not found");
            }
            return a[1];
        }
        int bits = Numbers.parseUnsigned(m, 0, 32);
        if (bits < 0) {
            throw new ParameterProblem("invalid mask `" + m + "' specified");
        }
        return bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
    }

    private static long[] parseMask6(String m) throws ParameterProblem {
        if (m.indexOf(':') >= 0) {
            long[] a = numeric6(m);
            if (a == null) {
                throw new ParameterProblem("host/network `" + m + "' not found");
            }
            return a;
        }
        int bits = Numbers.parseUnsigned(m, 0, 128);
        if (bits < 0) {
            throw new ParameterProblem("invalid mask `" + m + "' specified");
        }
        return prefixMask6(bits);
    }

    /** A /bits IPv6 mask as {hi, lo}. */
    public static long[] prefixMask6(int bits) {
        long hi = bits == 0 ? 0 : (bits >= 64 ? -1L : -1L << (64 - bits));
        long lo = bits <= 64 ? 0 : (bits == 128 ? -1L : -1L << (128 - bits));
        return new long[] {hi, lo};
    }

    /** xtables_numeric_to_ipaddr: exactly four parts, each a C number 0..255; null otherwise. */
    public static long[] numeric4(String s) {
        long v = 0;
        int start = 0;
        for (int part = 0; part < 4; part++) {
            int dot = part < 3 ? s.indexOf('.', start) : s.length();
            if (dot < 0 || (part == 3 && s.indexOf('.', start) >= 0)) {
                return null;
            }
            int b = -1;
            // fast path: plain decimal without leading zero
            int len = dot - start;
            if (len >= 1 && len <= 3 && (s.charAt(start) != '0' || len == 1)) {
                int x = 0;
                for (int i = start; i < dot; i++) {
                    char c = s.charAt(i);
                    if (c < '0' || c > '9') {
                        x = -1;
                        break;
                    }
                    x = x * 10 + (c - '0');
                }
                b = x <= 255 ? x : -1;
            }
            if (b < 0) {
                String p = s.substring(start, dot);
                b = p.startsWith("-") ? -1 : Numbers.parseUnsigned(p, 0, 255);
                if (b < 0) {
                    return null;
                }
            }
            v = (v << 8) | b;
            start = dot + 1;
        }
        return new long[] {0, v};
    }

    /** inet_pton(AF_INET6): null if not a valid textual IPv6 address. */
    public static long[] numeric6(String s) {
        if (s.isEmpty() || s.indexOf(':') < 0) {
            return null;
        }
        int[] groups = new int[8];
        int n = 0;
        int dbl = -1;
        int i = 0;
        int len = s.length();
        if (s.startsWith("::")) {
            dbl = 0;
            i = 2;
            if (i == len) {
                return new long[] {0, 0};
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < len) {
            int j = i;
            while (j < len && s.charAt(j) != ':') {
                j++;
            }
            String g = s.substring(i, j);
            if (g.indexOf('.') >= 0) {
                if (j != len || n > 6) {
                    return null;
                }
                long[] v4 = numeric4Strict(g);
                if (v4 == null) {
                    return null;
                }
                groups[n++] = (int) (v4[1] >>> 16);
                groups[n++] = (int) (v4[1] & 0xffff);
                i = j;
                break;
            }
            if (g.isEmpty() || g.length() > 4 || n >= 8) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < g.length(); k++) {
                int d = Character.digit(g.charAt(k), 16);
                if (d < 0) {
                    return null;
                }
                v = v * 16 + d;
            }
            groups[n++] = v;
            if (j == len) {
                i = j;
                break;
            }
            // j is at ':'
            if (j + 1 < len && s.charAt(j + 1) == ':') {
                if (dbl >= 0) {
                    return null;
                }
                dbl = n;
                i = j + 2;
            } else {
                if (j + 1 == len) {
                    return null;
                }
                i = j + 1;
            }
        }
        int[] full = new int[8];
        if (dbl >= 0) {
            if (n >= 8) {
                return null;
            }
            int tail = n - dbl;
            System.arraycopy(groups, 0, full, 0, dbl);
            System.arraycopy(groups, dbl, full, 8 - tail, tail);
        } else {
            if (n != 8) {
                return null;
            }
            full = groups;
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | full[k];
            lo = (lo << 16) | full[k + 4];
        }
        return new long[] {hi, lo};
    }

    private static long[] numeric4Strict(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int b = Integer.parseInt(p);
            if (b > 255) {
                return null;
            }
            v = (v << 8) | b;
        }
        return new long[] {0, v};
    }

    static long[] fromBytes(byte[] b) {
        long hi = 0;
        long lo = 0;
        if (b.length == 4) {
            for (byte x : b) {
                lo = (lo << 8) | (x & 0xff);
            }
            return new long[] {0, lo};
        }
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[i + 8] & 0xff);
        }
        return new long[] {hi, lo};
    }

    static byte[] toBytes(Family f, long hi, long lo) {
        if (f == Family.IPV4) {
            return new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    /** Dotted quad of the low 32 bits. */
    public static String format4(long v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /** inet_ntop(AF_INET6): RFC 5952 compressed form, IPv4-mapped/compatible as glibc prints them. */
    public static String format6(long hi, long lo) {
        int[] g = new int[8];
        for (int k = 0; k < 4; k++) {
            g[k] = (int) ((hi >>> (48 - 16 * k)) & 0xffff);
            g[k + 4] = (int) ((lo >>> (48 - 16 * k)) & 0xffff);
        }
        // glibc: ::a.b.c.d for IPv4-compatible (first 6 zero, not ::/::1 shape) and ::ffff:a.b.c.d
        boolean first5zero = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0;
        if (first5zero && (g[5] == 0xffff || (g[5] == 0 && g[6] != 0))) {
            String v4 = format4(lo & 0xffffffffL);
            return g[5] == 0xffff ? "::ffff:" + v4 : "::" + v4;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestLen = j - i;
                    bestStart = i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
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

    /** The address in numeric form for the family. */
    public static String format(Family f, long hi, long lo) {
        return f == Family.IPV4 ? format4(lo) : format6(hi, lo);
    }
}
