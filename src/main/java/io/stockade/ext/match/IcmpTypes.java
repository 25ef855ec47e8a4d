package io.stockade.ext.match;

import io.stockade.rules.ParameterProblem;

/**
 * The ICMP / ICMPv6 type-name tables of libipt_icmp and libip6t_icmp6 and their parse and print
 * rules: a name (any unambiguous case-insensitive prefix), or {@code TYPE}, {@code TYPE/CODE},
 * {@code TYPE/MIN:MAX}. A parsed value is {type, codeMin, codeMax}.
 */
final class IcmpTypes {
    /** One table row: a name for a type and code range. */
    record Name(String name, int type, int codeMin, int codeMax) {
    }

    static final Name[] ICMP = {
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
        new Name("address-mask-reply", 18, 0, 0xff),
    };

    static final Name[] ICMP6 = {
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
        new Name("redirect", 137, 0, 0xff),
    };

    private IcmpTypes() {
    }

    /**
     * Parses a type argument.
     *
     * @param kind "ICMP" or "ICMPv6", used in the error texts
     */
    static int[] parse(String s, Name[] table, String kind) throws ParameterProblem {
        Name match = null;
        for (Name n : table) {
            if (n.name().regionMatches(true, 0, s, 0, s.length()) && s.length() <= n.name().length()) {
                if (match != null) {
                    throw new ParameterProblem("Ambiguous " + kind + " type `" + s + "': `" + match.name()
                            + "' or `" + n.name() + "'?");
                }
                match = n;
            }
        }
        if (match != null && !s.isEmpty()) {
            return new int[] {match.type(), match.codeMin(), match.codeMax()};
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        long type = i == 0 || i > 3 ? -1 : Long.parseLong(s.substring(0, i));
        if (type < 0 || type > 255 || (i < s.length() && s.charAt(i) != '/')) {
            throw new ParameterProblem("Unknown " + kind + " type `" + s + "'");
        }
        if (i == s.length()) {
            return new int[] {(int) type, 0, 0xff};
        }
        int[] codes = new int[2];
        int j = i + 1;
        for (int k = 0; k < 2; k++) {
            int start = j;
            while (j < s.length() && Character.isDigit(s.charAt(j))) {
                j++;
            }
            if (j == start || j - start > 3 || Integer.parseInt(s.substring(start, j)) > 255) {
                throw new ParameterProblem("Unknown " + kind + " code `" + s + "'");
            }
            codes[k] = Integer.parseInt(s.substring(start, j));
            if (k == 0) {
                codes[1] = codes[0];
                if (j < s.length() && s.charAt(j) == ':') {
                    j++;
                    continue;
                }
                break;
            }
        }
        if (j < s.length()) {
            throw new ParameterProblem("unknown character " + s.charAt(j));
        }
        if (codes[0] > codes[1]) {
            throw new ParameterProblem("Unknown " + kind + " code `" + s + "'");
        }
        return new int[] {(int) type, codes[0], codes[1]};
    }

    /** The first table name for exactly this type and code range, or null. */
    static String name(Name[] table, int type, int codeMin, int codeMax) {
        for (Name n : table) {
            if (n.type() == type && n.codeMin() == codeMin && n.codeMax() == codeMax) {
                return n.name();
            }
        }
        return null;
    }

    /** Appends the save form of a type and code range: {@code T}, {@code T/C} or {@code T/MIN:MAX}. */
    static void appendSave(StringBuilder out, int type, int codeMin, int codeMax) {
        out.append(type);
        if (codeMin != 0 || codeMax != 0xff) {
            out.append('/').append(codeMin);
            if (codeMax != codeMin) {
                // LINUX-DIFF: iptables 1.8.9 saves only the first code of a code range (3/0:5 as 3/0).
                out.append(':').append(codeMax);
            }
        }
    }

    /** Appends the -L text after the module word: " NAME" / " !NAME" or "type T[ code C| codes A-B]". */
    static void appendPrint(StringBuilder out, Name[] table, int type, int codeMin, int codeMax, boolean inv,
            boolean numeric) {
        if (!numeric) {
            String n = name(table, type, codeMin, codeMax);
            if (n != null) {
                out.append(' ').append(inv ? "!" : "").append(n);
                return;
            }
        }
        if (inv) {
            out.append(" !");
        }
        out.append("type ").append(type);
        if (codeMin == codeMax) {
            out.append(" code ").append(codeMin);
        } else if (codeMin != 0 || codeMax != 0xff) {
            out.append(" codes ").append(codeMin).append('-').append(codeMax);
        }
    }
}
