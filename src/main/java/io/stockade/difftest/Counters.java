package io.stockade.difftest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads rule and policy counters from {@code iptables-save -c} text into keys
 * {@code <family>:<table>:<chain>:<rule number from 1>} and {@code <family>:<table>:<chain>:policy}
 * (the naming of Stockade's replay {@code rule} field, prefixed by the family), in file order.
 * Values are {packets, bytes}.
 */
final class Counters {
    private Counters() {
    }

    static Map<String, long[]> parseSave(int family, String save) {
        Map<String, long[]> out = new LinkedHashMap<>();
        Map<String, Integer> ruleNo = new LinkedHashMap<>();
        String table = "?";
        for (String raw : save.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("*")) {
                table = line.substring(1);
            } else if (line.startsWith(":")) {
                String[] f = line.substring(1).split("\\s+");
                if (f.length >= 3 && !f[1].equals("-")) {
                    out.put(family + ":" + table + ":" + f[0] + ":policy", pair(f[2]));
                }
            } else if (line.startsWith("[")) {
                int close = line.indexOf(']');
                String rest = line.substring(close + 1).strip();
                if (rest.startsWith("-A ")) {
                    String chain = rest.split("\\s+")[1];
                    int n = ruleNo.merge(table + ":" + chain, 1, Integer::sum);
                    out.put(family + ":" + table + ":" + chain + ":" + n, pair(line.substring(0, close + 1)));
                }
            }
        }
        return out;
    }

    private static long[] pair(String bracket) {
        String[] pb = bracket.substring(1, bracket.length() - 1).split(":");
        return new long[] {Long.parseLong(pb[0]), Long.parseLong(pb[1])};
    }

    /** Keys whose packet count grew from {@code before} to {@code after}, in {@code after}'s order. */
    static java.util.List<String> grown(Map<String, long[]> before, Map<String, long[]> after) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.get(e.getKey());
            if (e.getValue()[0] > (b == null ? 0 : b[0])) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
