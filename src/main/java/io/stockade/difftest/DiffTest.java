package io.stockade.difftest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code stockade difftest [--rules FILE] [--rules6 FILE] [--seed S] [--cases N] [--case I]
 * [--shrink K] [--kernel-twice] [-v]}: runs seeded cases through the real kernel (in namespaces of
 * its own; needs root) and through Stockade's replay, compares them ({@link Comparison}) and prints
 * agreement per area and, last, {@code N cases, agreement X %}. With {@code --rules}/{@code --rules6}
 * the user's rulesets are used and only packets are generated. The first K disagreements are
 * shrunk and printed as a reproduction with a JUnit snippet. {@code --kernel-twice} compares the
 * kernel with itself instead (checks that the harness is deterministic).
 * Exit status: 0 all agree, 1 some disagree, 2 usage or environment error.
 */
public final class DiffTest {
    /** Options of one run. */
    public record Options(long seed, int cases, int onlyCase, String rules4, String rules6, int shrink, boolean kernelTwice,
            boolean verbose) {
    }

    /** Outcome of a run: the tally and the printed reproductions. */
    public record Result(Comparison.Tally tally, List<String> disagreements, int kernelRefused) {
    }

    private DiffTest() {
    }

    public static int main(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("stockade difftest: " + e.getMessage());
            err.println("usage: stockade difftest [--rules FILE] [--rules6 FILE] [--seed S] [--cases N] [--case I] [--shrink K] [--kernel-twice] [-v]");
            return 2;
        }
        String why = KernelLab.unavailableReason();
        if (why != null) {
            err.println("stockade difftest: " + why);
            return 2;
        }
        try {
            Result r = run(o, out, err);
            return r.tally().agreed() == r.tally().cases() ? 0 : 1;
        } catch (IOException e) {
            err.println("stockade difftest: " + e.getMessage());
            return 2;
        }
    }

    static Options parse(String[] args) {
        long seed = 1;
        int cases = 100;
        int only = -1;
        int shrink = 3;
        String r4 = null;
        String r6 = null;
        boolean twice = false;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--cases" -> cases = Integer.parseInt(value(args, ++i, a));
                case "--case" -> only = Integer.parseInt(value(args, ++i, a));
                case "--shrink" -> shrink = Integer.parseInt(value(args, ++i, a));
                case "--rules" -> r4 = read(value(args, ++i, a));
                case "--rules6" -> r6 = read(value(args, ++i, a));
                case "--kernel-twice" -> twice = true;
                case "-v", "--verbose" -> verbose = true;
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (cases < 1) {
            throw new IllegalArgumentException("--cases must be at least 1");
        }
        return new Options(seed, cases, only, r4, r6, shrink, twice, verbose);
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + opt + " needs a value");
        }
        return args[i];
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Runs the cases; prints the report to {@code out}, progress to {@code err}. */
    public static Result run(Options o, PrintStream out, PrintStream err) throws IOException {
        CaseGenerator gen = o.rules4() != null || o.rules6() != null
                ? CaseGenerator.withRules(o.seed(), o.rules4(), o.rules6()) : new CaseGenerator(o.seed());
        Comparison.Tally tally = new Comparison.Tally();
        List<String> repros = new ArrayList<>();
        int refused = 0;
        boolean warnedNoStockade = false;
        java.util.Map<String, Integer> refusals = new java.util.TreeMap<>();
        java.util.Set<String> signatures = new java.util.HashSet<>();
        java.util.Map<String, int[]> kinds = new java.util.TreeMap<>();
        try (KernelLab lab = KernelLab.start()) {
            KernelRunner kernel = new KernelRunner(lab);
            StockadeSide stockade = new StockadeSide(lab.tempDir().resolve("stockade"));
            Path[] hosts = {lab.tempDir().resolve("host-noforward"), lab.tempDir().resolve("host-forward")};
            lab.writeHostModel(hosts[0], false);
            lab.writeHostModel(hosts[1], true);
            Shrinker.Oracle oracle = c -> compare(c, kernel, stockade, hosts, o.kernelTwice()).diffs();
            int from = o.onlyCase() >= 0 ? o.onlyCase() : 0;
            int to = o.onlyCase() >= 0 ? o.onlyCase() + 1 : o.cases();
            for (int i = from; i < to; i++) {
                DiffCase c = gen.generate(i);
                Outcome r = compare(c, kernel, stockade, hosts, o.kernelTwice());
                if (r.kernel().packets().isEmpty() && r.kernel().error() != null) {
                    refused++;
                }
                tally.add(c, r.diffs().isEmpty());
                tally.observed(r.kernel());
                if (o.verbose()) {
                    out.println("case " + i + " " + c.areas() + ": " + (r.diffs().isEmpty() ? "agree" : r.diffs().size() + " differences"));
                }
                boolean noStockade = r.other().packets().isEmpty() && r.other().error() != null
                        && r.other().error().contains("unknown command");
                if (noStockade && !warnedNoStockade) {
                    out.println("note: this build has no `stockade replay`; every case counts as a disagreement");
                    warnedNoStockade = true;
                }
                boolean rulesOnly = r.diffs().size() == 1 && r.diffs().getFirst().startsWith("rules: ");
                if (rulesOnly) {
                    refusals.merge(r.diffs().getFirst().replaceAll("\\(rule \\d+ in chain \\w+\\)", "")
                            .replaceAll("rule \\d+", "rule N"), 1, Integer::sum);
                }
                String signature = r.diffs().isEmpty() ? "" : signature(r.diffs().getFirst());
                if (!r.diffs().isEmpty() && !rulesOnly) {
                    for (String d : r.diffs()) {
                        kinds.computeIfAbsent(signature(d), x -> new int[] {0, c.index()})[0]++;
                    }
                }
                if (!r.diffs().isEmpty() && !noStockade && !rulesOnly && repros.size() < o.shrink() && signatures.add(signature)) {
                    DiffCase small = Shrinker.shrink(c, oracle, 120);
                    Outcome sr = compare(small, kernel, stockade, hosts, o.kernelTwice());
                    String repro = Reproduction.format(small, sr.kernel(), sr.diffs().isEmpty() ? r.diffs() : sr.diffs());
                    repros.add(repro);
                    out.println(repro);
                }
                if ((i - from + 1) % 50 == 0) {
                    err.println("difftest: " + (i - from + 1) + "/" + (to - from) + " cases, " + tally.agreed() + " agree");
                }
            }
        }
        if (!kinds.isEmpty()) {
            out.println("disagreements by kind (count, first case, kind):");
            kinds.entrySet().stream().sorted((a, b) -> b.getValue()[0] - a.getValue()[0]).forEach(e ->
                    out.println(String.format("  %5d  case %-5d %s", e.getValue()[0], e.getValue()[1],
                            e.getKey().length() > 160 ? e.getKey().substring(0, 160) + "…" : e.getKey())));
        }
        if (!refusals.isEmpty()) {
            out.println("rulesets the kernel accepted and Stockade refused (count, reason):");
            refusals.forEach((why, count) -> out.println(String.format("  %5d  %s", count, why)));
        }
        if (!StockadeSyntax.DROPPED.isEmpty()) {
            out.println("generator: rule lines left out because Stockade refuses them (count, first error line):");
            StockadeSyntax.DROPPED.forEach((why, count) -> out.println(String.format("  %5d  %s", count, why)));
        }
        if (refused > 0) {
            out.println("note: the kernel refused the rules of " + refused + " case(s) (counted as agreement when Stockade refuses too)");
        }
        for (String line : tally.lines()) {
            out.println(line);
        }
        return new Result(tally, repros, refused);
    }

    /** A disagreement's kind: the first difference without packet numbers, addresses and bytes. */
    static String signature(String diff) {
        if (diff.startsWith("conntrack: ")) {
            return "conntrack: entries differ";
        }
        return diff.replaceAll("^packet \\d+ \\([^)]*\\)", "packet")
                .replaceAll("[0-9a-f]{16,}", "HEX")
                .replaceAll("\\d+", "N");
    }

    private record Outcome(Observation kernel, Observation other, List<String> diffs) {
    }

    private static Outcome compare(DiffCase c, KernelRunner kernel, StockadeSide stockade, Path[] hosts, boolean twice)
            throws IOException {
        Observation k = kernel.run(c);
        Observation s;
        if (twice) {
            s = kernel.run(c);
        } else if (k.packets().isEmpty()) {
            s = stockade.run(c, hosts[c.forward() ? 1 : 0], fakeTimes(c));
        } else {
            List<Long> times = k.packets().stream().map(Observation.PacketOutcome::timeNanos).toList();
            s = stockade.run(c, hosts[c.forward() ? 1 : 0], times);
        }
        return new Outcome(k, s, Comparison.compare(c, k, s));
    }

    private static List<Long> fakeTimes(DiffCase c) {
        List<Long> t = new ArrayList<>();
        for (int k = 0; k < c.packets().size(); k++) {
            t.add(1_000_000_000L + k * 1_000_000L);
        }
        return t;
    }
}
