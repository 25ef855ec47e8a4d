package io.stockade.difftest;

import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.CommandFailure;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps generated rulesets inside what Stockade's restore parser accepts: a rule line it refuses
 * is dropped (and the reason counted, so the gap shows in the report) until the whole ruleset
 * parses. The generator therefore follows the modules as they land in Stockade, and the kernel
 * test's "kernel accepted every ruleset" still holds because only whole lines are removed.
 */
final class StockadeSyntax {
    private static final Pattern LINE = Pattern.compile("Error occurred at line: (\\d+)|line (\\d+) failed");
    /** Reason (first line of Stockade's error, version blanked) → how many rule lines it removed. */
    static final Map<String, Integer> DROPPED = new TreeMap<>();

    private StockadeSyntax() {
    }

    /** Null if Stockade accepts the ruleset, else its error text. */
    static String check(int family, String text) {
        try {
            if (Ipsets.used(text)) { // rules naming a set need it to exist, as in the kernel
                io.stockade.ext.match.IpSets.load(Ipsets.TEXT);
            }
            new Restore(family == 4 ? Family.IPV4 : Family.IPV6, HostResolver.STATIC)
                    .run(new Ruleset(), new BufferedReader(new StringReader(text)), Restore.Options.DEFAULT, new StringBuilder());
            return null;
        } catch (CommandFailure e) {
            return e.getMessage();
        } catch (io.stockade.rules.ParameterProblem e) {
            return "ipsets: " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "restore threw " + e;
        }
    }

    /** The ruleset without the rule lines Stockade refuses (at most 50 removals). */
    static String filter(int family, String text) {
        String cur = text;
        for (int round = 0; round < 50; round++) {
            String err = check(family, cur);
            if (err == null) {
                return cur;
            }
            Matcher m = LINE.matcher(err);
            if (!m.find()) {
                return cur;
            }
            int line = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            List<String> lines = new ArrayList<>(cur.lines().toList());
            if (line < 1 || line > lines.size() || !lines.get(line - 1).startsWith("-A ")) {
                return cur;
            }
            lines.remove(line - 1);
            String reason = err.lines().findFirst().orElse(err).replaceAll("v\\d+\\.\\d+\\.\\d+", "vX");
            synchronized (DROPPED) {
                DROPPED.merge(reason, 1, Integer::sum);
            }
            cur = String.join("\n", lines) + "\n";
        }
        return cur;
    }
}
