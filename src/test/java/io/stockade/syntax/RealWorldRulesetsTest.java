package io.stockade.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.rules.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every save-format file of {@code ../shared/conformance/real-world-rulesets} (the "save" rows of
 * SOURCE.md, the ufw templates and every Docker golden; read in place) must restore, and
 * save∘restore must be a fixed point: save(restore(save(restore(x)))) == save(restore(x)). The
 * Docker goldens (iptables-nft output without comment lines) must come back byte for byte.
 * Files that need a match/target module Stockade does not have yet are counted separately (they
 * fail with iptables' own "Couldn't load match"/unknown option errors) and listed.
 */
class RealWorldRulesetsTest {
    static final Path DIR = Path.of("..", "shared", "conformance", "real-world-rulesets");

    /** Files that are genuinely broken as restore input, with the reason (iptables-restore fails too). */
    static final Map<String, String> BROKEN = Map.of(
            "net-network/config_private_root/iptables-save",
            "anonymised: addresses replaced by the placeholder `<private_ip>' (host/network not found)",
            "ufw/conf/after6.rules",
            "ufw template: jumps to ufw6-skip-to-policy-input, a chain ufw creates itself before loading it",
            "ufw/conf/after.rules",
            "ufw template: jumps to ufw-skip-to-policy-input, a chain ufw creates itself before loading it",
            "net-network/found_online/openwrt.org/iptables-save-AA.txt",
            "captured from a terminal: long lines are wrapped (`--to-destination 192.16' / `8.1.1:22')",
            "net-network/configs_chair_for_Network_Architectures_and_Services/ip6tables-save-2016-03-16_13-53-28",
            "anonymised: MAC addresses replaced by XX:XX:XX:XX:XX:XX (Invalid MAC address specified)",
            "net-network/configs_chair_for_Network_Architectures_and_Services/ip6tables-save-2016-06-27_16-29-01",
            "anonymised: MAC addresses replaced by XX:XX:XX:XX:XX:XX (Invalid MAC address specified)",
            "ufw/conf/before6.rules",
            "ufw template: jumps to ufw6-logging-deny, a chain ufw creates itself before loading it",
            "ufw/conf/before.rules",
            "ufw template: jumps to ufw-logging-deny, a chain ufw creates itself before loading it",
            "net-network/found_online/jvehent/firewall",
            "names the host ntp.example.net, which does not resolve (iptables-restore fails the same way)");

    /**
     * Input that iptables (or the upstream vectors Stockade follows) refuses as well, recognised by
     * the error and the text: anonymised MAC addresses, reversed port ranges (1.8.9 accepts them for
     * udp, the vectors refuse them), ipsets that are not loaded. Null when none applies.
     */
    static String brokenReason(String text, String err) {
        if (err.contains("Invalid MAC address specified.") && text.contains("XX:XX:XX:XX:XX:XX")) {
            return "anonymised MAC addresses";
        }
        if (err.contains("invalid portrange (min > max)")) {
            return "a reversed port range";
        }
        if (err.matches("(?s).*Set \\S+ doesn't exist\\..*")) {
            return "names an ipset that is not loaded";
        }
        // -m time --days is the iptables 1.3 spelling of --weekdays; 1.8.9 says: unknown option "--days".
        if (err.contains("unknown option \"--days\"") && text.contains("-m time")) {
            return "the pre-1.4 time option --days (real iptables 1.8.9: unknown option \"--days\")";
        }
        // The Iptables_Semantics parser test deliberately carries an option no module has.
        if (err.contains("unknown option \"--something-else\"")) {
            return "a deliberately bogus option (--something-else) from a parser test";
        }
        return null;
    }

    /** Minimum number of files that must load completely (raised as modules land). */
    static final int MIN_LOADED = 390;

    @Test
    void realWorldSaveFilesRoundTrip() throws IOException {
        assumeTrue(Files.isDirectory(DIR), "../shared/conformance/real-world-rulesets is absent; skipping");
        List<String> files = saveFiles();
        int loaded = 0;
        int pending = 0;
        List<String> problems = new ArrayList<>();
        Map<String, Integer> missing = new TreeMap<>();
        for (String rel : files) {
            Path p = DIR.resolve(rel);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            String text = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
            Family f = familyOf(rel, text);
            if (text.startsWith("-P ") || text.startsWith("-N ")) {
                String problem = listRulesGolden(rel, text);
                if (problem == null) {
                    loaded++;
                } else if (missingModule(problem) != null) {
                    pending++;
                    missing.merge(missingModule(problem), 1, Integer::sum);
                } else {
                    problems.add(rel + ": " + problem);
                }
                continue;
            }
            Harness h = new Harness();
            String err = h.restore(f, text, Restore.Options.DEFAULT);
            if (err != null) {
                if (BROKEN.containsKey(rel) || brokenReason(text, err) != null) {
                    continue;
                }
                String why = missingModule(err);
                if (why != null) {
                    pending++;
                    missing.merge(why, 1, Integer::sum);
                } else {
                    problems.add(rel + ": " + err.replace('\n', ' '));
                }
                continue;
            }
            loaded++;
            String once = h.save(f);
            Harness h2 = new Harness();
            String err2 = h2.restore(f, once, Restore.Options.DEFAULT);
            if (err2 != null) {
                problems.add(rel + ": own save output does not restore: " + err2.replace('\n', ' '));
                continue;
            }
            String twice = h2.save(f);
            if (!once.equals(twice)) {
                problems.add(rel + ": save/restore is not a fixed point: " + firstDiff(once, twice));
            }
            if (rel.startsWith("docker-moby/") && rel.endsWith(".golden") && !text.equals(once)) {
                problems.add(rel + ": differs from the golden: " + firstDiff(text, once));
            }
        }
        System.out.printf(Locale.ROOT, "real-world rulesets: %d files, %d loaded, %d need missing modules%n",
                files.size(), loaded, pending);
        missing.forEach((k, v) -> System.out.println("  missing " + k + ": " + v + " files"));
        problems.forEach(s -> System.out.println("  PROBLEM " + s));
        assertEquals(List.of(), problems);
        // Every module the corpus uses exists now: nothing may wait for one any more.
        assertEquals(Map.of(), missing, "files waiting for a module");
        assertTrue(loaded >= MIN_LOADED, loaded + " files loaded, expected at least " + MIN_LOADED);
    }

    /**
     * A Docker golden in {@code iptables -S} form: replay its lines as iptables commands (creating
     * chains it only jumps to) and compare {@code -S} of the same chain/table with it.
     */
    static String listRulesGolden(String rel, String text) {
        Family f = rel.endsWith("6.golden") ? Family.IPV6 : Family.IPV4;
        List<String> lines = text.lines().toList();
        boolean raw = text.contains("-P PREROUTING") && !text.contains("-P INPUT");
        String table = raw ? "raw" : "filter";
        long policies = lines.stream().filter(l -> l.startsWith("-P ")).count();
        String first = lines.get(0).split(" ")[1];
        Harness h = new Harness();
        java.util.Set<String> defined = new java.util.HashSet<>();
        for (String l : lines) {
            List<String> w = ShellWords.split(l);
            if (w.get(0).equals("-N")) {
                defined.add(w.get(1));
            }
        }
        for (String l : lines) {
            List<String> w = ShellWords.split(l);
            int j = Math.max(w.indexOf("-j"), w.indexOf("-g"));
            if (j > 0 && j + 1 < w.size() && w.get(j + 1).startsWith("DOCKER") && defined.add(w.get(j + 1))) {
                h.run(f, List.of("-t", table, "-N", w.get(j + 1)));
            }
        }
        for (String l : lines) {
            List<String> w = new ArrayList<>(List.of("-t", table));
            w.addAll(ShellWords.split(l));
            if (h.run(f, w) != 0) {
                return h.lastErr.replace('\n', ' ');
            }
        }
        List<String> list = new ArrayList<>(List.of("-t", table, "-S"));
        if (policies <= 1) {
            list.add(first);
        }
        h.run(f, list);
        return h.lastOut.equals(text) ? null : "differs from the golden: " + firstDiff(text, h.lastOut);
    }

    static List<String> saveFiles() throws IOException {
        List<String> out = new ArrayList<>();
        Pattern row = Pattern.compile("^\\| `([^`]+)` \\| save \\|");
        for (String l : Files.readAllLines(DIR.resolve("SOURCE.md"), StandardCharsets.UTF_8)) {
            Matcher m = row.matcher(l);
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        try (Stream<Path> s = Files.walk(DIR.resolve("docker-moby"))) {
            s.filter(p -> p.toString().endsWith(".golden")).sorted()
                    .forEach(p -> out.add(DIR.relativize(p).toString()));
        }
        for (String u : List.of("ufw/conf/after.rules", "ufw/conf/after6.rules", "ufw/conf/before.rules",
                "ufw/conf/before6.rules", "ufw/conf/user.rules", "ufw/conf/user6.rules")) {
            if (!out.contains(u)) {
                out.add(u);
            }
        }
        return out;
    }

    static Family familyOf(String rel, String text) {
        String name = rel.substring(rel.lastIndexOf('/') + 1);
        if (name.contains("ip6tables") || name.endsWith("6.rules") || text.contains("ip6tables-save")) {
            return Family.IPV6;
        }
        return Family.IPV4;
    }

    /** The module a failure is waiting for, or null if the failure is something else. */
    static String missingModule(String err) {
        Matcher m = Pattern.compile("Couldn't load match `([^']+)'").matcher(err);
        if (m.find()) {
            return "match " + m.group(1);
        }
        m = Pattern.compile("Chain '([A-Z][A-Z0-9_]+)' does not exist").matcher(err);
        if (m.find()) {
            return "target " + m.group(1);
        }
        m = Pattern.compile("unknown option \"(--[a-z-]+)\"").matcher(err);
        if (m.find()) {
            return "option " + m.group(1);
        }
        return null;
    }

    static String firstDiff(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String l = i < x.length ? x[i] : "<eof>";
            String r = i < y.length ? y[i] : "<eof>";
            if (!l.equals(r)) {
                return "line " + (i + 1) + ": [" + l + "] vs [" + r + "]";
            }
        }
        return "(none)";
    }
}
