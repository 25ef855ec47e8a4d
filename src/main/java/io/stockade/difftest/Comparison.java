package io.stockade.difftest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares the kernel's {@link Observation} of a case with Stockade's and lists every
 * disagreement in words: whether the rules were accepted, each packet's fate (dropped, delivered,
 * forwarded and where), the forwarded bytes exactly, the packets the gateway emitted (normalised),
 * the deciding rule (the kernel's from its trace must equal Stockade's; as a second check, Stockade's
 * must be one of the rules whose counters grew in the kernel for that packet), the LOG lines
 * (normalised, {@link LogLines}), final counters of the chains Stockade lists and conntrack entries
 * (when Stockade reports them).
 */
final class Comparison {
    private Comparison() {
    }

    static List<String> compare(DiffCase c, Observation kernel, Observation stockade) {
        List<String> d = new ArrayList<>();
        boolean kRefused = kernel.packets().isEmpty() && kernel.error() != null;
        boolean sRefused = stockade.packets().isEmpty() && stockade.error() != null;
        if (kRefused || sRefused) {
            if (kRefused != sRefused) {
                d.add("rules: kernel " + (kRefused ? "refused (" + kernel.error() + ")" : "accepted")
                        + ", stockade " + (sRefused ? "refused (" + stockade.error() + ")" : "accepted"));
            }
            return d;
        }
        kernel = NatChoices.normalise(c, kernel);
        stockade = NatChoices.normalise(c, stockade);
        if (kernel.error() != null) { // a lost barrier: the kernel observation may be incomplete
            d.add("harness: kernel run incomplete: " + kernel.error());
        }
        int n = Math.min(kernel.packets().size(), stockade.packets().size());
        if (kernel.packets().size() != stockade.packets().size()) {
            d.add("packet count: kernel " + kernel.packets().size() + ", stockade " + stockade.packets().size());
        }
        for (int i = 0; i < n; i++) {
            Observation.PacketOutcome k = kernel.packets().get(i);
            Observation.PacketOutcome s = stockade.packets().get(i);
            String which = "packet " + (i + 1) + " (" + c.packets().get(i).label() + ")";
            if (!k.fate().equals(s.fate())) {
                d.add(which + ": kernel " + k.fate() + ", stockade " + s.fate());
            } else if (!sorted(k.forwarded()).equals(sorted(s.forwarded()))) {
                d.add(which + ": forwarded bytes differ: kernel " + k.forwarded() + ", stockade " + s.forwarded());
            }
            if (!sorted(k.emitted()).equals(sorted(s.emitted()))) {
                d.add(which + ": emitted differ: kernel " + k.emitted() + ", stockade " + s.emitted());
            }
            if (k.decided() != null && !k.decided().equals(s.decided())) {
                d.add(which + ": kernel's trace decided at " + k.decided() + ", stockade at " + s.decided());
            }
            if (k.trace() != null && s.trace() != null && !k.trace().equals(s.trace())) {
                d.add(which + ": trace lines differ: " + firstDifference(k.trace(), s.trace()));
            }
            if (!k.log().equals(s.log())) {
                d.add(which + ": log lines differ: kernel " + k.log() + ", stockade " + s.log());
            }
            int fam = c.packets().get(i).family();
            for (String r : s.rules()) {
                String key = r.matches("[46]:.*") ? r : fam + ":" + r;
                if (!k.rules().contains(key)) {
                    d.add(which + ": stockade decided at " + key + ", kernel matched " + k.rules());
                }
            }
        }
        if (kernel.counters() != null && stockade.counters() != null) {
            // Only what Stockade reports: its listing leaves out tables without rules, user chains or a
            // DROP policy, and counts too large to print exactly.
            TreeSet<String> keys = new TreeSet<>(stockade.counters().keySet());
            for (String key : keys) {
                long[] kc = kernel.counters().getOrDefault(key, new long[2]);
                long[] sc = stockade.counters().get(key);
                if (!Arrays.equals(kc, sc)) {
                    d.add("counters " + key + ": kernel " + kc[0] + "/" + kc[1] + ", stockade " + sc[0] + "/" + sc[1]);
                }
            }
        }
        if (kernel.conntrack() != null && stockade.conntrack() != null
                && !kernel.conntrack().equals(stockade.conntrack())) {
            d.add("conntrack: kernel " + kernel.conntrack() + ", stockade " + stockade.conntrack());
        }
        return d;
    }

    /** Where two line lists part: the first differing line of each (or the length). */
    static String firstDifference(List<String> k, List<String> s) {
        for (int i = 0; i < Math.min(k.size(), s.size()); i++) {
            if (!k.get(i).equals(s.get(i))) {
                return "line " + (i + 1) + ": kernel [" + k.get(i) + "], stockade [" + s.get(i) + "]";
            }
        }
        return "kernel " + k.size() + " lines, stockade " + s.size() + (k.size() > s.size()
                ? "; kernel goes on [" + k.get(s.size()) + "]" : "; stockade goes on [" + s.get(k.size()) + "]");
    }

    private static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }

    /** Per-area and overall agreement. */
    static final class Tally {
        private final Map<Area, int[]> byArea = new TreeMap<>();
        private int cases;
        private int agreed;
        /** Kernel LOG lines compared, packets whose deciding rule came from the kernel's trace, packets with none. */
        private long logLines;
        private long traceLines;
        private long traced;
        private long untraced;

        /** Counts what the kernel side of a case contributed to the comparison. */
        void observed(Observation kernel) {
            for (Observation.PacketOutcome p : kernel.packets()) {
                logLines += p.log().size();
                traceLines += p.trace() == null ? 0 : p.trace().size();
                if (p.decided() != null) {
                    traced++;
                } else {
                    untraced++;
                }
            }
        }

        long logLines() {
            return logLines;
        }

        long traced() {
            return traced;
        }

        void add(DiffCase c, boolean agree) {
            cases++;
            if (agree) {
                agreed++;
            }
            for (Area a : c.areas()) {
                int[] t = byArea.computeIfAbsent(a, x -> new int[2]);
                t[0]++;
                if (agree) {
                    t[1]++;
                }
            }
        }

        int cases() {
            return cases;
        }

        int agreed() {
            return agreed;
        }

        /** Agreement in percent of an area's cases, or -1 when it had none. */
        double percent(Area a) {
            int[] t = byArea.get(a);
            return t == null || t[0] == 0 ? -1 : 100.0 * t[1] / t[0];
        }

        static String pct(int ok, int n) {
            return n == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f %%", 100.0 * ok / n);
        }

        /** The report: one line per area, then {@code N cases, agreement X %} last. */
        List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add("compared: " + logLines + " kernel LOG lines, " + traceLines + " xtables-monitor trace lines; deciding rule from the kernel's trace for " + traced
                    + " packets (" + untraced + " without a traced decision: held fragments, host drops, counters only)");
            for (Area a : Area.values()) {
                int[] t = byArea.get(a);
                if (t != null) {
                    out.add(String.format(java.util.Locale.ROOT, "%-13s %d cases, agreement %s", a.label + ":", t[0], pct(t[1], t[0])));
                }
            }
            out.add(cases + " cases, agreement " + pct(agreed, cases));
            return out;
        }
    }
}
