package io.stockade.ext.match;

import io.stockade.packet.IpText;
import io.stockade.rules.Family;
import io.stockade.rules.ParameterProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Control-plane helpers shared by the match modules, the Java form of the libxtables parsing
 * functions they call ({@code xtables_strtoui}, {@code xtables_parse_port},
 * {@code xtables_parse_protocol}, {@code xtables_ipparse_any}, the {@code xtopt} error texts)
 * and of the name lookups of the listings ({@code getservbyport}, {@code getprotobynumber}).
 * Never used on the packet path.
 */
final class Xt {
    private Xt() {
    }

    // ---------------------------------------------------------------- numbers

    /**
     * strtoul with base 0 (decimal, {@code 0x} hex, leading-0 octal) over the whole string, as
     * xtables_strtoui: the value, or -1 if the text is not a number in [min, max].
     */
    static long number(String s, long min, long max) {
        return io.stockade.syntax.Numbers.parseUnsigned(s, min, max);
    }

    /** xtopt's "bad value" error for numeric options. */
    static ParameterProblem badValue(String module, String option, String arg, long min, long max) {
        return new ParameterProblem(module + ": bad value for option \"--" + option + "\" near \"" + arg
                + "\", or out of range (" + min + "-" + max + ").\n");
    }

    /** xtopt's "can only be used once" error. */
    static ParameterProblem once(String module, String option) {
        return new ParameterProblem(module + ": option \"--" + option + "\" can only be used once.\n");
    }

    /** xtopt's "must be specified" error. */
    static ParameterProblem required(String module, String option) {
        return new ParameterProblem(module + ": option \"--" + option + "\" must be specified\n");
    }

    /** xtopt's "cannot be inverted" error. */
    static ParameterProblem notInvertible(String module, String option) {
        return new ParameterProblem(module + ": option \"--" + option + "\" cannot be inverted.\n");
    }

    /** xtopt's exclusion error. */
    static ParameterProblem together(String module, String option, String other) {
        return new ParameterProblem(module + ": option \"--" + option + "\" cannot be used together with \"--"
                + other + "\".\n");
    }

    // ---------------------------------------------------------------- ports and services

    private static volatile Map<String, Integer> servicesByName;
    private static volatile Map<String, String> servicesByPort;

    private static void loadServices() {
        if (servicesByName != null) {
            return;
        }
        Map<String, Integer> byName = new HashMap<>();
        Map<String, String> byPort = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/services"))) {
                int hash = line.indexOf('#');
                if (hash >= 0) {
                    line = line.substring(0, hash);
                }
                String[] f = line.trim().split("\\s+");
                if (f.length < 2) {
                    continue;
                }
                int slash = f[1].indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String proto = f[1].substring(slash + 1);
                int port;
                try {
                    port = Integer.parseInt(f[1].substring(0, slash));
                } catch (NumberFormatException e) {
                    continue;
                }
                for (int i = 0; i < f.length; i++) {
                    if (i != 1) {
                        byName.putIfAbsent(f[i] + "/" + proto, port);
                    }
                }
                byPort.putIfAbsent(port + "/" + proto, f[0]);
            }
        } catch (IOException e) {
            // No services database: only numeric ports, as with an empty /etc/services.
        }
        servicesByPort = byPort;
        servicesByName = byName;
    }

    /**
     * xtables_parse_port: a number 0-65535 or a service name of {@code proto} (from
     * /etc/services); else "invalid port/service `X' specified".
     */
    static int port(String s, String proto) throws ParameterProblem {
        long v = number(s, 0, 65535);
        if (v >= 0) {
            return (int) v;
        }
        if (proto != null) {
            loadServices();
            Integer p = servicesByName.get(s + "/" + proto);
            if (p != null) {
                return p;
            }
        }
        throw new ParameterProblem("invalid port/service `" + s + "' specified");
    }

    /**
     * A port or range {@code A}, {@code A:B}, {@code A:}, {@code :B}, {@code :} (missing ends are
     * 0 and 65535), as libxt_tcp's parse_tcp_ports; min &gt; max is "invalid portrange (min &gt; max)".
     */
    static int[] portRange(String s, String proto) throws ParameterProblem {
        int colon = s.indexOf(':');
        if (colon < 0) {
            int p = port(s, proto);
            return new int[] {p, p};
        }
        String a = s.substring(0, colon);
        String b = s.substring(colon + 1);
        int lo = a.isEmpty() ? 0 : port(a, proto);
        int hi = b.isEmpty() ? 65535 : port(b, proto);
        if (lo > hi) {
            throw new ParameterProblem("invalid portrange (min > max)");
        }
        return new int[] {lo, hi};
    }

    /**
     * The xtopt port parser (udp, conntrack ports): a decimal number 0-65535 or a service name;
     * else "Port "X" does not resolve to anything.".
     */
    static int xtPort(String s, String proto) throws ParameterProblem {
        boolean digits = !s.isEmpty();
        for (int i = 0; i < s.length(); i++) {
            digits &= s.charAt(i) >= '0' && s.charAt(i) <= '9';
        }
        if (digits && s.length() <= 5 && Integer.parseInt(s) <= 65535) {
            return Integer.parseInt(s);
        }
        if (!digits && proto != null) {
            loadServices();
            Integer p = servicesByName.get(s + "/" + proto);
            if (p != null) {
                return p;
            }
        }
        throw new ParameterProblem("Port \"" + s + "\" does not resolve to anything.\n");
    }

    /** An xtopt port range (XTTYPE_PORTRC) with the same ends and checks as {@link #portRange}. */
    static int[] xtPortRange(String s, String proto) throws ParameterProblem {
        int colon = s.indexOf(':');
        if (colon < 0) {
            int p = xtPort(s, proto);
            return new int[] {p, p};
        }
        String a = s.substring(0, colon);
        String b = s.substring(colon + 1);
        int lo = a.isEmpty() ? 0 : xtPort(a, proto);
        int hi = b.isEmpty() ? 65535 : xtPort(b, proto);
        if (lo > hi) {
            // LINUX-DIFF: iptables 1.8.9 accepts an inverted xtopt range (e.g. udp --sport 4:3), which never matches; upstream vectors reject it.
            throw new ParameterProblem("invalid portrange (min > max)");
        }
        return new int[] {lo, hi};
    }

    /** The text the legacy backend prints when the kernel's checkentry refuses a rule (EINVAL). */
    static final String EINVAL = "Invalid argument. Run `dmesg' for more information.";

    /** True if the rule's -p is exactly {@code proto} (not inverted): the kernel's xt_check_match proto test. */
    static boolean protoIs(io.stockade.rules.CheckEnv env, int proto) {
        return env.ip().protocol() == proto && !env.ip().inverted(io.stockade.rules.IpHeaderFilter.INV_PROTO);
    }

    /** Appends " NAME" for a port in listings: the service name unless numeric. */
    static void appendPort(StringBuilder out, int port, String proto, boolean numeric) {
        out.append(numeric ? Integer.toString(port) : portName(port, proto));
    }

    /** The service name of a port for listings without -n (getservbyport), else the number. */
    static String portName(int port, String proto) {
        loadServices();
        String n = servicesByPort.get(port + "/" + proto);
        return n != null ? n : Integer.toString(port);
    }

    // ---------------------------------------------------------------- protocols

    /** libxtables' built-in protocol names (xtables_chain_protos), consulted before /etc/protocols. */
    private static final List<Map.Entry<String, Integer>> BUILTIN_PROTOS = List.of(
            Map.entry("tcp", 6), Map.entry("sctp", 132), Map.entry("udp", 17), Map.entry("udplite", 136),
            Map.entry("icmp", 1), Map.entry("icmpv6", 58), Map.entry("ipv6-icmp", 58), Map.entry("esp", 50),
            Map.entry("ah", 51), Map.entry("ipv6-mh", 135), Map.entry("mh", 135), Map.entry("all", 0));

    /** xtables_parse_protocol: number 0-255 or name; else "unknown protocol "X" specified". */
    static int protocol(String s) throws ParameterProblem {
        long v = number(s, 0, 255);
        if (v >= 0) {
            return (int) v;
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        for (Map.Entry<String, Integer> e : BUILTIN_PROTOS) {
            if (e.getKey().equals(lower)) {
                return e.getValue();
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/protocols"))) {
                String[] f = line.replaceAll("#.*", "").trim().split("\\s+");
                if (f.length >= 2 && (f[0].equals(s) || (f.length >= 3 && f[2].equals(s)))) {
                    return Integer.parseInt(f[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through to the error.
        }
        throw new ParameterProblem("unknown protocol \"" + s + "\" specified");
    }

    // ---------------------------------------------------------------- addresses

    /**
     * A numeric address with an optional {@code /prefix} or {@code /mask}, as xtables_ipparse_any /
     * xtables_ip6parse_any take it: {hi, lo, maskHi, maskLo}, address bits outside the mask cleared.
     */
    // LINUX-DIFF: host names are not resolved (iptables calls getaddrinfo); only numeric addresses.
    static long[] addressWithMask(String s, Family family) throws ParameterProblem {
        return addressWithMask(s, family, true);
    }

    /** As {@link #addressWithMask(String, Family)}; {@code clearHostBits} false keeps the address as typed. */
    static long[] addressWithMask(String s, Family family, boolean clearHostBits) throws ParameterProblem {
        int slash = s.indexOf('/');
        String a = slash < 0 ? s : s.substring(0, slash);
        long[] r = new long[4];
        long[] addr = family == Family.IPV4 ? ipv4(a) : ipv6(a);
        if (addr == null) {
            throw new ParameterProblem("host/network `" + a + "' not found");
        }
        int bits = family.addressBits;
        long mhi;
        long mlo;
        if (slash < 0) {
            mhi = family == Family.IPV4 ? 0 : -1L;
            mlo = family == Family.IPV4 ? 0xffffffffL : -1L;
        } else {
            String m = s.substring(slash + 1);
            long n = number(m, 0, bits);
            if (n >= 0 && !m.contains(".") && !m.contains(":")) {
                long[] pm = prefixMask((int) n, family);
                mhi = pm[0];
                mlo = pm[1];
            } else {
                long[] mm = family == Family.IPV4 ? ipv4(m) : ipv6(m);
                if (mm == null) {
                    throw new ParameterProblem("invalid mask `" + m + "' specified");
                }
                mhi = mm[0];
                mlo = mm[1];
            }
        }
        r[0] = clearHostBits ? addr[0] & mhi : addr[0];
        r[1] = clearHostBits ? addr[1] & mlo : addr[1];
        r[2] = mhi;
        r[3] = mlo;
        return r;
    }

    /** A prefix length as a mask {hi, lo} in the family's layout. */
    static long[] prefixMask(int n, Family family) {
        return IpText.prefixMask(n, family == Family.IPV6);
    }

    /**
     * A numeric IPv4 address as xtables_numeric_to_ipaddr reads it (C-number parts, completed on
     * the right): {0, addr}; null if not one.
     */
    // LINUX-DIFF: options that libxtables reads with getaddrinfo (conntrack --ctorigsrc, recent
    // --mask, …) take the same numeric forms here; getaddrinfo would complete "10" as 0.0.0.10.
    static long[] ipv4(String s) {
        return io.stockade.syntax.Addresses.numeric4(s);
    }

    /** Textual IPv6 (inet_pton) to {hi, lo}; null if not one. */
    static long[] ipv6(String s) {
        return IpText.pton6(s);
    }

    /** inet_ntop: dotted quad, or RFC 5952 text for IPv6 (as glibc prints it). */
    static String formatAddress(Family family, long hi, long lo) {
        return IpText.format(family == Family.IPV6, hi, lo);
    }

    /**
     * xtables_ipmask_to_numeric / ip6mask: "" for a host mask, "/N" for a prefix, else "/MASK".
     */
    static String formatMask(Family family, long mhi, long mlo) {
        int n = prefixLength(family, mhi, mlo);
        if (n == family.addressBits) {
            return "";
        }
        if (n >= 0) {
            return "/" + n;
        }
        return "/" + formatAddress(family, mhi, mlo);
    }

    /** Prefix length of a contiguous mask, else -1. */
    static int prefixLength(Family family, long mhi, long mlo) {
        return IpText.prefixLength(mhi, mlo, family == Family.IPV6);
    }

    /** addr/mask as iptables-save prints it (numeric). */
    static String formatNet(Family family, long hi, long lo, long mhi, long mlo) {
        return formatAddress(family, hi, lo) + formatMask(family, mhi, mlo);
    }

    /** True if {@code (a & m) == net} over both halves. */
    static boolean inNet(long aHi, long aLo, long netHi, long netLo, long mHi, long mLo) {
        return (aHi & mHi) == netHi && (aLo & mLo) == netLo;
    }
}
