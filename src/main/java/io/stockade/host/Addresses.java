package io.stockade.host;

import io.stockade.packet.IpText;

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
        long v4 = IpText.pton4(t);
        if (v4 >= 0) {
            return new Ip(4, 0, v4);
        }
        long[] v6 = IpText.pton6(t);
        if (v6 == null) {
            throw new IllegalArgumentException("expected an IP address, found '" + text + "'");
        }
        return new Ip(6, v6[0], v6[1]);
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
        return IpText.format(version == 6, hi, lo);
    }

    /** True if the text looks like an IPv6 literal. */
    static boolean looksV6(String t) {
        return t.indexOf(':') >= 0;
    }
}
