package io.stockade.host;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * IP address text ↔ the flat two-long layout of {@code PacketDescriptor} / {@code IpHeaderFilter}
 * (IPv4 in the low 32 bits of {@code lo}). Control plane and output only; never resolves names.
 */
public final class Addresses {
    private Addresses() {
    }

    /** A parsed address: version 4 or 6 and its bits. */
    public record Ip(int version, long hi, long lo) {
    }

    /** A parsed prefix ({@code addr/len}; a bare address is a full-length prefix), bits outside the mask cleared. */
    public record Prefix(int version, long hi, long lo, int length) {
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @throws IllegalArgumentException naming the text if it is not an address literal
     */
    public static Ip parse(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int pct = t.indexOf('%');
        if (pct >= 0) {
            t = t.substring(0, pct);
        }
        boolean plausible = !t.isEmpty() && t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
        if (!plausible) {
            throw new IllegalArgumentException("expected an IP address, found '" + text + "'");
        }
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected an IP address, found '" + text + "'");
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return new Ip(4, 0, ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
        }
        if (b.length == 4) {
            return new Ip(4, 0, ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[i + 8] & 0xff);
        }
        return new Ip(6, hi, lo);
    }

    /** Parses {@code addr[/len]}; {@code default} is 0.0.0.0/0 (or ::/0 with {@code v6}). */
    public static Prefix parsePrefix(String text, boolean v6Default) {
        String t = text.trim();
        if (t.equals("default")) {
            return new Prefix(v6Default ? 6 : 4, 0, 0, 0);
        }
        int slash = t.indexOf('/');
        Ip ip = parse(slash < 0 ? t : t.substring(0, slash));
        int max = ip.version() == 4 ? 32 : 128;
        int len = max;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                len = -1;
            }
            if (len < 0 || len > max) {
                throw new IllegalArgumentException("expected a prefix length 0-" + max + ", found '" + text + "'");
            }
        }
        long mhi = maskHi(ip.version(), len);
        long mlo = maskLo(ip.version(), len);
        return new Prefix(ip.version(), ip.hi() & mhi, ip.lo() & mlo, len);
    }

    /** Parses an interface address {@code addr/len}, keeping the host bits (the address itself). */
    public static Prefix parseInterfaceAddress(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        Ip ip = parse(slash < 0 ? t : t.substring(0, slash));
        Prefix p = parsePrefix(t, ip.version() == 6);
        return new Prefix(ip.version(), ip.hi(), ip.lo(), p.length());
    }

    /** High 64 bits of a prefix mask (0 for IPv4). */
    public static long maskHi(int version, int len) {
        if (version == 4) {
            return 0;
        }
        return len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
    }

    /** Low 64 bits of a prefix mask (IPv4: the 32-bit mask in the low bits). */
    public static long maskLo(int version, int len) {
        if (version == 4) {
            return len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
        }
        return len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
    }

    /** The usual text form (IPv6 compressed as {@code inet_ntop} prints it). */
    public static String format(int version, long hi, long lo) {
        if (version == 4) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
            g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        // inet_ntop: IPv4-mapped/compatible forms print the last 32 bits dotted.
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return "::ffff:" + format(4, 0, lo & 0xffffffffL);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    /** True if the text looks like an IPv6 literal. */
    static boolean looksV6(String t) {
        return t.indexOf(':') >= 0;
    }
}
