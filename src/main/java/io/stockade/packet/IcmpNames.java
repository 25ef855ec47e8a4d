package io.stockade.packet;

import java.util.List;

/**
 * The ICMP and ICMPv6 type/code names of iptables ({@code libipt_icmp}/{@code libip6t_icmp6}
 * tables, in their order): the one table behind the icmp/icmp6 matches, the textual packet form
 * and the printer. A row names a type and a code range; 0-255 is "any code". IPv4's first row,
 * {@code any} (type 255), is iptables' wildcard, not a type: {@link #lookup} and {@link #name}
 * skip it.
 */
public final class IcmpNames {
    private IcmpNames() {
    }

    /** One table row: a name for a type and code range. */
    public record Name(String name, int type, int codeMin, int codeMax) {
    }

    private static final List<Name> ICMP = List.of(
        new Name("any", 0xff, 0, 0xff),
        new Name("echo-reply", 0, 0, 0xff),
        new Name("pong", 0, 0, 0xff),
        new Name("destination-unreachable", 3, 0, 0xff),
        new Name("network-unreachable", 3, 0, 0),
        new Name("host-unreachable", 3, 1, 1),
        new Name("protocol-unreachable", 3, 2, 2),
        new Name("port-unreachable", 3, 3, 3),
        new Name("fragmentation-needed", 3, 4, 4),
        new Name("source-route-failed", 3, 5, 5),
        new Name("network-unknown", 3, 6, 6),
        new Name("host-unknown", 3, 7, 7),
        new Name("network-prohibited", 3, 9, 9),
        new Name("host-prohibited", 3, 10, 10),
        new Name("TOS-network-unreachable", 3, 11, 11),
        new Name("TOS-host-unreachable", 3, 12, 12),
        new Name("communication-prohibited", 3, 13, 13),
        new Name("host-precedence-violation", 3, 14, 14),
        new Name("precedence-cutoff", 3, 15, 15),
        new Name("source-quench", 4, 0, 0xff),
        new Name("redirect", 5, 0, 0xff),
        new Name("network-redirect", 5, 0, 0),
        new Name("host-redirect", 5, 1, 1),
        new Name("TOS-network-redirect", 5, 2, 2),
        new Name("TOS-host-redirect", 5, 3, 3),
        new Name("echo-request", 8, 0, 0xff),
        new Name("ping", 8, 0, 0xff),
        new Name("router-advertisement", 9, 0, 0xff),
        new Name("router-solicitation", 10, 0, 0xff),
        new Name("time-exceeded", 11, 0, 0xff),
        new Name("ttl-exceeded", 11, 0, 0xff),
        new Name("ttl-zero-during-transit", 11, 0, 0),
        new Name("ttl-zero-during-reassembly", 11, 1, 1),
        new Name("parameter-problem", 12, 0, 0xff),
        new Name("ip-header-bad", 12, 0, 0),
        new Name("required-option-missing", 12, 1, 1),
        new Name("timestamp-request", 13, 0, 0xff),
        new Name("timestamp-reply", 14, 0, 0xff),
        new Name("address-mask-request", 17, 0, 0xff),
        new Name("address-mask-reply", 18, 0, 0xff)
    );

    private static final List<Name> ICMP6 = List.of(
        new Name("destination-unreachable", 1, 0, 0xff),
        new Name("no-route", 1, 0, 0),
        new Name("communication-prohibited", 1, 1, 1),
        new Name("beyond-scope", 1, 2, 2),
        new Name("address-unreachable", 1, 3, 3),
        new Name("port-unreachable", 1, 4, 4),
        new Name("failed-policy", 1, 5, 5),
        new Name("reject-route", 1, 6, 6),
        new Name("packet-too-big", 2, 0, 0xff),
        new Name("time-exceeded", 3, 0, 0xff),
        new Name("ttl-exceeded", 3, 0, 0xff),
        new Name("ttl-zero-during-transit", 3, 0, 0),
        new Name("ttl-zero-during-reassembly", 3, 1, 1),
        new Name("parameter-problem", 4, 0, 0xff),
        new Name("bad-header", 4, 0, 0),
        new Name("unknown-header-type", 4, 1, 1),
        new Name("unknown-option", 4, 2, 2),
        new Name("echo-request", 128, 0, 0xff),
        new Name("ping", 128, 0, 0xff),
        new Name("echo-reply", 129, 0, 0xff),
        new Name("pong", 129, 0, 0xff),
        new Name("mld-listener-query", 130, 0, 0xff),
        new Name("mld-listener-report", 131, 0, 0xff),
        new Name("mld-listener-done", 132, 0, 0xff),
        new Name("mld-listener-reduction", 132, 0, 0xff),
        new Name("router-solicitation", 133, 0, 0xff),
        new Name("router-advertisement", 134, 0, 0xff),
        new Name("neighbour-solicitation", 135, 0, 0xff),
        new Name("neighbor-solicitation", 135, 0, 0xff),
        new Name("neighbour-advertisement", 136, 0, 0xff),
        new Name("neighbor-advertisement", 136, 0, 0xff),
        new Name("redirect", 137, 0, 0xff)
    );


    /** The table of ICMPv6 ({@code v6}) or ICMP, in iptables' order. */
    public static List<Name> table(boolean v6) {
        return v6 ? ICMP6 : ICMP;
    }

    private static boolean wildcard(Name n, boolean v6) {
        return !v6 && n.type() == 0xff;
    }

    /** {type, code} for an exact (case-insensitive) name, code -1 for "any"; null if unknown. */
    public static int[] lookup(String name, boolean v6) {
        for (Name n : table(v6)) {
            if (!wildcard(n, v6) && n.name().equalsIgnoreCase(name)) {
                return new int[] {n.type(), n.codeMin() == n.codeMax() ? n.codeMin() : -1};
            }
        }
        return null;
    }

    /**
     * The most specific name for a type and code (the one naming the code, else the type's), or
     * null when the table has none.
     */
    public static String name(int type, int code, boolean v6) {
        String typeName = null;
        for (Name n : table(v6)) {
            if (n.type() == type && !wildcard(n, v6)) {
                if (n.codeMin() == code && n.codeMax() == code) {
                    return n.name();
                }
                if (n.codeMin() != n.codeMax() && typeName == null) {
                    typeName = n.name();
                }
            }
        }
        return typeName;
    }
}
