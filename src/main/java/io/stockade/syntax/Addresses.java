package io.stockade.syntax;

import io.stockade.packet.IpText;
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
        long[] a = numeric4(m, true);
        if (a != null) {
            return a[1];
        }
        int bits = Numbers.parseUnsigned(m, 0, 32);
        if (bits < 0) {
            throw new ParameterProblem("invalid mask `" + m + "' specified");
        }
        return bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
    }

    private static long[] parseMask6(String m) throws ParameterProblem {
        long[] a = numeric6(m);
        if (a != null) {
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
        return IpText.prefixMask(bits, true);
    }

    /**
     * xtables_numeric_to_ipaddr: up to four parts, each a C number 0..255 (decimal, 0x hex,
     * leading-zero octal); an address with fewer parts is completed with zero bytes on the right
     * ({@code 10} is 10.0.0.0, {@code 10.1} is 10.1.0.0). {0, addr}, or null.
     */
    public static long[] numeric4(String s) {
        return numeric4(s, false);
    }

    /** As {@link #numeric4(String)}; a mask ({@code isMask}) needs all four parts. */
    static long[] numeric4(String s, boolean isMask) {
        long v = 0;
        int start = 0;
        for (int part = 0; part < 4; part++) {
            int dot = s.indexOf('.', start);
            boolean last = dot < 0 || part == 3;
            if (last && part < 3 && isMask) {
                return null;
            }
            String p = last ? s.substring(start) : s.substring(start, dot);
            int b = p.startsWith("-") ? -1 : Numbers.parseUnsigned(p, 0, 255);
            if (b < 0) {
                return null;
            }
            v = (v << 8) | b;
            if (last) {
                return new long[] {0, (v << (8 * (3 - part))) & 0xffffffffL};
            }
            start = dot + 1;
        }
        return null;
    }

    /** xtables_numeric_to_ip6addr (inet_pton(AF_INET6)): {hi, lo}, or null. */
    public static long[] numeric6(String s) {
        return IpText.pton6(s);
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
        return IpText.v4(v & 0xffffffffL);
    }

    /** inet_ntop(AF_INET6). */
    public static String format6(long hi, long lo) {
        return IpText.v6(hi, lo);
    }

    /** The address in numeric form for the family. */
    public static String format(Family f, long hi, long lo) {
        return IpText.format(f == Family.IPV6, hi, lo);
    }
}
