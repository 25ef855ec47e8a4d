package io.stockade.ext.match;

import io.stockade.packet.IcmpNames.Name;
import io.stockade.rules.ParameterProblem;
import java.util.List;

/**
 * The parse and print rules of libipt_icmp and libip6t_icmp6 over their type-name tables
 * ({@link io.stockade.packet.IcmpNames}): a name (any unambiguous case-insensitive prefix), or
 * {@code TYPE}, {@code TYPE/CODE}, {@code TYPE/MIN:MAX}. A parsed value is {type, codeMin, codeMax}.
 */
final class IcmpTypes {
    private IcmpTypes() {
    }

    /**
     * Parses a type argument.
     *
     * @param kind "ICMP" or "ICMPv6", used in the error texts
     */
    static int[] parse(String s, List<Name> table, String kind) throws ParameterProblem {
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
    static String name(List<Name> table, int type, int codeMin, int codeMax) {
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
    static void appendPrint(StringBuilder out, List<Name> table, int type, int codeMin, int codeMax, boolean inv,
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
