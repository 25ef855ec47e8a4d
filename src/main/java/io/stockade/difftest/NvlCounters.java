package io.stockade.difftest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the counters {@code stockade replay} prints at the end (blocks headed
 * {@code # iptables -t TABLE -nvL}) into {@link Counters} keys. Counts printed with a K/M/G suffix
 * are not exact and are left out.
 */
final class NvlCounters {
    private static final Pattern BLOCK = Pattern.compile("^# (ip6?tables) -t (\\w+) -nvL");
    private static final Pattern CHAIN = Pattern.compile("^Chain (\\S+) \\((?:policy \\S+ (\\S+) packets, (\\S+) bytes|.*references?)\\)");
    private static final Pattern RULE = Pattern.compile("^\\s*(\\d+[KMGT]?)\\s+(\\d+[KMGT]?)\\s");

    private NvlCounters() {
    }

    static Map<String, long[]> parse(String text) {
        Map<String, long[]> out = new LinkedHashMap<>();
        int family = 0;
        String table = null;
        String chain = null;
        int ruleNo = 0;
        for (String line : text.split("\n")) {
            Matcher b = BLOCK.matcher(line);
            if (b.find()) {
                family = b.group(1).equals("iptables") ? 4 : 6;
                table = b.group(2);
                chain = null;
                continue;
            }
            if (table == null) {
                continue;
            }
            Matcher c = CHAIN.matcher(line);
            if (c.find()) {
                chain = c.group(1);
                ruleNo = 0;
                if (c.group(2) != null) {
                    put(out, family + ":" + table + ":" + chain + ":policy", c.group(2), c.group(3));
                }
                continue;
            }
            if (chain == null || line.stripLeading().startsWith("pkts")) {
                continue;
            }
            Matcher r = RULE.matcher(line);
            if (r.find()) {
                ruleNo++;
                put(out, family + ":" + table + ":" + chain + ":" + ruleNo, r.group(1), r.group(2));
            }
        }
        return out;
    }

    private static void put(Map<String, long[]> out, String key, String pkts, String bytes) {
        if (pkts.matches("\\d+") && bytes.matches("\\d+")) {
            out.put(key, new long[] {Long.parseLong(pkts), Long.parseLong(bytes)});
        }
    }
}
