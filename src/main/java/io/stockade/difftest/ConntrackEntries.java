package io.stockade.difftest;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises {@code conntrack -L -o extended} lines for comparison: keeps the family, protocol,
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
            if (t.length < 6 || !(t[0].equals("ipv4") || t[0].equals("ipv6"))) {
                continue;
            }
            StringBuilder b = new StringBuilder(t[0]).append(' ').append(t[2]);
            for (int k = 5; k < t.length; k++) {
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
