package io.stockade.ext.target;

import io.stockade.packet.IpText;
import io.stockade.rules.Family;
import io.stockade.rules.ParameterProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A NAT range as the kernel's {@code struct nf_nat_range2} holds it: an optional address range
 * (flat two-long addresses, IPv4 in the low 32 bits), an optional port range and an optional
 * port-shift base ({@code NF_NAT_RANGE_PROTO_OFFSET}). The NAT layer reads these fields; this
 * class also parses and prints the iptables text {@code addr[-addr][:port[-port][/base]]}
 * (IPv6 with brackets when ports follow: {@code [addr[-addr]]:ports}).
 *
 * @param hasAddress  NF_NAT_RANGE_MAP_IPS
 * @param hasPorts    NF_NAT_RANGE_PROTO_SPECIFIED
 * @param basePort    NF_NAT_RANGE_PROTO_OFFSET's base, 0 when not shifted
 */
public record NatRange(Family family, boolean hasAddress, long minHi, long minLo, long maxHi, long maxLo,
                       boolean hasPorts, int minPort, int maxPort, int basePort) {

    /** The protocols iptables allows a port specification with (TCP, UDP, SCTP, DCCP, ICMP, ICMPv6). */
    static boolean portProtocol(int proto) {
        return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 1 || proto == 58;
    }

    static final String NEED_PORTS = "Need TCP, UDP, SCTP or DCCP with port specification";

    /** Parses a {@code --to-source/--to-destination} argument. */
    static NatRange parse(Family family, String arg) throws ParameterProblem {
        String addr;
        String ports = null;
        if (family == Family.IPV6) {
            if (arg.startsWith("[")) {
                int close = arg.indexOf(']');
                if (close < 0) {
                    throw new ParameterProblem("Invalid address format");
                }
                addr = arg.substring(1, close);
                String rest = arg.substring(close + 1);
                if (rest.startsWith(":")) {
                    ports = rest.substring(1);
                } else if (!rest.isEmpty()) {
                    throw new ParameterProblem("Invalid address format");
                }
            } else {
                addr = arg;
            }
        } else {
            int colon = arg.indexOf(':');
            addr = colon < 0 ? arg : arg.substring(0, colon);
            ports = colon < 0 ? null : arg.substring(colon + 1);
        }
        long[] lo = {0, 0};
        long[] hi = {0, 0};
        boolean hasAddr = !addr.isEmpty();
        if (hasAddr) {
            int dash = addr.indexOf('-');
            lo = address(family, dash < 0 ? addr : addr.substring(0, dash));
            hi = dash < 0 ? lo : address(family, addr.substring(dash + 1));
        }
        int[] p = ports == null ? null : ports(ports, true);
        return new NatRange(family, hasAddr, lo[0], lo[1], hi[0], hi[1], p != null,
                p == null ? 0 : p[0], p == null ? 0 : p[1], p == null ? 0 : p[2]);
    }

    /** A port range for {@code --to-ports}: no address, no shift. */
    static NatRange ports(Family family, String arg) throws ParameterProblem {
        int[] p = ports(arg, false);
        return new NatRange(family, false, 0, 0, 0, 0, true, p[0], p[1], 0);
    }

    static long[] address(Family family, String s) throws ParameterProblem {
        try {
            if (family == Family.IPV4) {
                if (s.indexOf(':') >= 0) {
                    throw new IllegalArgumentException(s);
                }
                return new long[] {0, IpText.parseV4(s)};
            }
            return IpText.parseV6(s);
        } catch (IllegalArgumentException e) {
            throw new ParameterProblem(family == Family.IPV4 ? "Bad IP address \"" + s + "\""
                    : "Invalid address format");
        }
    }

    /**
     * {@code port[-port][/base]}: a number or service name, then digits only after the dash (as
     * the 1.8 parser: "10-ssh" is refused with "Port `ssh' not valid"); the base is a number
     * 1–65535 or a service name. Returns {min, max, base}.
     */
    static int[] ports(String s, boolean shiftAllowed) throws ParameterProblem {
        int slash = s.indexOf('/');
        String range = slash < 0 ? s : s.substring(0, slash);
        int min;
        int max;
        int service = service(range);
        if (service >= 0) {
            min = max = service;
        } else {
            int i = 0;
            while (i < range.length() && Character.isDigit(range.charAt(i))) {
                i++;
            }
            if (i == 0 || (i < range.length() && range.charAt(i) != '-')) {
                throw badPort(range);
            }
            min = number(range.substring(0, i));
            if (i == range.length()) {
                max = min;
            } else {
                String tail = range.substring(i + 1);
                max = number(tail);
                if (max < min) {
                    throw new ParameterProblem("Port range `" + tail + "' funky");
                }
            }
        }
        int base = 0;
        if (slash >= 0) {
            if (!shiftAllowed) {
                throw new ParameterProblem("Shifted portmap ranges not supported with this kernel");
            }
            String b = s.substring(slash + 1);
            base = service(b);
            if (base < 0) {
                base = number(b);
            }
            if (base == 0) {
                throw badPort(b);
            }
        }
        return new int[] {min, max, base};
    }

    private static int number(String s) throws ParameterProblem {
        boolean digits = !s.isEmpty() && s.length() <= 5 && s.chars().allMatch(Character::isDigit);
        if (!digits || Integer.parseInt(s) > 65535) {
            throw badPort(s);
        }
        return Integer.parseInt(s);
    }

    private static ParameterProblem badPort(String s) {
        return new ParameterProblem("Port `" + s + "' not valid");
    }

    private static volatile Map<String, Integer> services;

    /** A numeric port 0–65535 or a name from /etc/services (any protocol); -1 if neither. */
    static int service(String s) {
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            return s.length() <= 5 && Integer.parseInt(s) <= 65535 ? Integer.parseInt(s) : -1;
        }
        Map<String, Integer> m = services;
        if (m == null) {
            m = new HashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/etc/services"))) {
                    int hash = line.indexOf('#');
                    String[] f = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
                    if (f.length < 2 || f[1].indexOf('/') < 0) {
                        continue;
                    }
                    int port = Integer.parseInt(f[1].substring(0, f[1].indexOf('/')));
                    for (int i = 0; i < f.length; i++) {
                        if (i != 1) {
                            m.putIfAbsent(f[i], port);
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // No services database: only numeric ports, as with an empty /etc/services.
            }
            services = m;
        }
        Integer v = m.get(s);
        return v == null ? -1 : v;
    }

    /** The text iptables prints after {@code --to-source}/{@code to:}. */
    String text() {
        StringBuilder sb = new StringBuilder();
        boolean v6 = family == Family.IPV6;
        if (v6 && hasPorts) {
            sb.append('[');
        }
        if (hasAddress) {
            sb.append(addr(minHi, minLo));
            if (minHi != maxHi || minLo != maxLo) {
                sb.append('-').append(addr(maxHi, maxLo));
            }
        }
        if (v6 && hasPorts) {
            sb.append(']');
        }
        if (hasPorts) {
            sb.append(':');
            appendPorts(sb);
            if (basePort != 0) {
                sb.append('/').append(basePort);
            }
        }
        return sb.toString();
    }

    /** {@code min} or {@code min-max}. */
    void appendPorts(StringBuilder sb) {
        sb.append(minPort);
        if (maxPort != minPort) {
            sb.append('-').append(maxPort);
        }
    }

    private String addr(long hi, long lo) {
        return family == Family.IPV4 ? IpText.v4(lo) : IpText.v6(hi, lo);
    }
}
