package io.stockade.packet;

/**
 * ICMP and ICMPv6 type/code names as iptables spells them ({@code libipt_icmp}/{@code libip6t_icmp6}
 * tables), for the textual packet form and the printer. A name stands for a type and, when it
 * names one code, that code; -1 means "any code" (the text form then uses code 0).
 */
public final class IcmpNames {
    private IcmpNames() {
    }

    private static final Object[][] ICMP = {
        {"echo-reply", 0, -1}, {"pong", 0, -1},
        {"destination-unreachable", 3, -1}, {"network-unreachable", 3, 0}, {"host-unreachable", 3, 1},
        {"protocol-unreachable", 3, 2}, {"port-unreachable", 3, 3}, {"fragmentation-needed", 3, 4},
        {"source-route-failed", 3, 5}, {"network-unknown", 3, 6}, {"host-unknown", 3, 7},
        {"network-prohibited", 3, 9}, {"host-prohibited", 3, 10}, {"TOS-network-unreachable", 3, 11},
        {"TOS-host-unreachable", 3, 12}, {"communication-prohibited", 3, 13},
        {"host-precedence-violation", 3, 14}, {"precedence-cutoff", 3, 15},
        {"source-quench", 4, -1}, {"redirect", 5, -1}, {"network-redirect", 5, 0}, {"host-redirect", 5, 1},
        {"TOS-network-redirect", 5, 2}, {"TOS-host-redirect", 5, 3},
        {"echo-request", 8, -1}, {"ping", 8, -1},
        {"router-advertisement", 9, -1}, {"router-solicitation", 10, -1},
        {"time-exceeded", 11, -1}, {"ttl-exceeded", 11, -1}, {"ttl-zero-during-transit", 11, 0},
        {"ttl-zero-during-reassembly", 11, 1},
        {"parameter-problem", 12, -1}, {"ip-header-bad", 12, 0}, {"required-option-missing", 12, 1},
        {"timestamp-request", 13, -1}, {"timestamp-reply", 14, -1},
        {"address-mask-request", 17, -1}, {"address-mask-reply", 18, -1},
    };

    private static final Object[][] ICMP6 = {
        {"destination-unreachable", 1, -1}, {"no-route", 1, 0}, {"communication-prohibited", 1, 1},
        {"beyond-scope", 1, 2}, {"address-unreachable", 1, 3}, {"port-unreachable", 1, 4},
        {"failed-policy", 1, 5}, {"reject-route", 1, 6},
        {"packet-too-big", 2, -1},
        {"time-exceeded", 3, -1}, {"ttl-exceeded", 3, -1}, {"ttl-zero-during-transit", 3, 0},
        {"ttl-zero-during-reassembly", 3, 1},
        {"parameter-problem", 4, -1}, {"bad-header", 4, 0}, {"unknown-header-type", 4, 1},
        {"unknown-option", 4, 2},
        {"echo-request", 128, -1}, {"ping", 128, -1}, {"echo-reply", 129, -1}, {"pong", 129, -1},
        {"mld-listener-query", 130, -1}, {"mld-listener-report", 131, -1}, {"mld-listener-done", 132, -1},
        {"router-solicitation", 133, -1}, {"router-advertisement", 134, -1},
        {"neighbour-solicitation", 135, -1}, {"neighbor-solicitation", 135, -1},
        {"neighbour-advertisement", 136, -1}, {"neighbor-advertisement", 136, -1},
        {"redirect", 137, -1},
    };

    /** {type, code} for an exact (case-insensitive) name, code -1 for "any"; null if unknown. */
    public static int[] lookup(String name, boolean v6) {
        for (Object[] row : v6 ? ICMP6 : ICMP) {
            if (((String) row[0]).equalsIgnoreCase(name)) {
                return new int[] {(Integer) row[1], (Integer) row[2]};
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
        for (Object[] row : v6 ? ICMP6 : ICMP) {
            if ((Integer) row[1] == type) {
                if ((Integer) row[2] == code) {
                    return (String) row[0];
                }
                if ((Integer) row[2] == -1 && typeName == null) {
                    typeName = (String) row[0];
                }
            }
        }
        return typeName;
    }
}
