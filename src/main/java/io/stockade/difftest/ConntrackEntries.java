package io.stockade.difftest;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises {@code conntrack -L} lines (plain or {@code -o extended}) for comparison: keeps the family, protocol,
 * TCP state, both tuples, the status flags ({@code [UNREPLIED]}, {@code [ASSURED]}) and the mark;
 * drops what depends on the clock or the kernel's bookkeeping (timeout, use count, id).
 */
final class ConntrackEntries {
    private ConntrackEntries() {
    }

    static List<String> normalise(String listing) {
        List<String> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] t = line.strip().split("\\s+");
            int first;
            String family;
            String proto;
            if (t.length >= 6 && (t[0].equals("ipv4") || t[0].equals("ipv6"))) { // -o extended
                family = t[0];
                proto = t[2];
                first = 5;
            } else if (t.length >= 4 && t[1].matches("\\d+") && t[2].matches("\\d+")) { // plain -L
                proto = t[0];
                first = 3;
                family = "ipv4";
                for (String tok : t) {
                    if (tok.startsWith("src=")) {
                        family = tok.indexOf(':') >= 0 ? "ipv6" : "ipv4";
                        break;
                    }
                }
            } else {
                continue;
            }
            StringBuilder b = new StringBuilder(family).append(' ').append(proto);
            for (int k = first; k < t.length; k++) {
                if (t[k].startsWith("use=") || t[k].startsWith("id=") || t[k].startsWith("zone=0")) {
                    continue;
                }
                b.append(' ').append(t[k]);
            }
            out.add(b.toString());
        }
        return out;
    }
}
