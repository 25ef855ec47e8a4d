package io.stockade.difftest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a disagreeing case smaller while it keeps disagreeing: drops packets (last first), then
 * rule lines ({@code -A …}) one at a time, and repeats until nothing more can go or the attempt
 * budget is spent. Every attempt re-runs both sides.
 */
final class Shrinker {
    /** Re-runs a candidate; returns its disagreements (empty when the sides agree). */
    interface Oracle {
        List<String> disagreements(DiffCase c) throws IOException;
    }

    private Shrinker() {
    }

    static DiffCase shrink(DiffCase c, Oracle oracle, int maxAttempts) throws IOException {
        DiffCase best = c;
        int attempts = 0;
        boolean progress = true;
        while (progress && attempts < maxAttempts) {
            progress = false;
            for (int j = best.packets().size() - 1; j >= 0 && attempts < maxAttempts && best.packets().size() > 1; j--) {
                List<CasePacket> fewer = new ArrayList<>(best.packets());
                fewer.remove(j);
                DiffCase cand = best.withPackets(fewer);
                attempts++;
                if (!oracle.disagreements(cand).isEmpty()) {
                    best = cand;
                    progress = true;
                }
            }
            for (int fam : new int[] {4, 6}) {
                String rules = fam == 4 ? best.rules4() : best.rules6();
                List<String> lines = new ArrayList<>(rules.lines().toList());
                for (int j = lines.size() - 1; j >= 0 && attempts < maxAttempts; j--) {
                    if (!lines.get(j).startsWith("-A ")) {
                        continue;
                    }
                    List<String> fewer = new ArrayList<>(lines);
                    fewer.remove(j);
                    String text = String.join("\n", fewer) + "\n";
                    DiffCase cand = fam == 4 ? best.withRules(text, best.rules6()) : best.withRules(best.rules4(), text);
                    attempts++;
                    if (!oracle.disagreements(cand).isEmpty()) {
                        best = cand;
                        lines = fewer;
                        progress = true;
                    }
                }
            }
        }
        return best;
    }

    /** Lines removed from a ruleset by dropping rules in {@code -A} form (for tests). */
    static long ruleCount(String rules) {
        return rules.lines().filter(l -> l.startsWith("-A ")).count();
    }
}
