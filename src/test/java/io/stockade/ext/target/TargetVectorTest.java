package io.stockade.ext.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.ext.Extensions;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.TableKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs every target line of the upstream vectors ({@code lib{xt,ipt,ip6t}_NAME.t} with an
 * upper-case NAME, read in place from ../shared) through parse, save and checkentry, judged as
 * the legacy backend (FORMAT.md §A.2–A.3): an OK line must parse and pass checkentry on every
 * chain of its list and save exactly as the SAVE field; a FAIL line must be refused (by the
 * parser or by checkentry) on at least one chain.
 */
class TargetVectorTest {
    static final Path DIR = Path.of("..", "shared", "conformance", "iptables-extensions");

    static List<Path> files() throws IOException {
        assumeTrue(Files.isDirectory(DIR), "../shared/conformance/iptables-extensions is absent: vectors skipped");
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.getFileName().toString().matches("lib(xt|ipt|ip6t)_[A-Z][A-Z0-9]*\\.t"))
                    .sorted().toList();
        }
    }

    static List<Family> families(String file) {
        if (file.startsWith("libipt_")) {
            return List.of(Family.IPV4);
        }
        if (file.startsWith("libip6t_")) {
            return List.of(Family.IPV6);
        }
        return List.of(Family.IPV4, Family.IPV6);
    }

    /** The target name a rule uses (the word after -j). */
    static String targetName(String rule) {
        List<String> t = TargetHarness.tokenize(rule);
        int j = t.indexOf("-j");
        return j >= 0 && j + 1 < t.size() ? t.get(j + 1) : null;
    }

    @Test
    void everyTargetOfTheVectorsIsRegistered() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path f : files()) {
            String file = f.getFileName().toString();
            String name = file.substring(file.indexOf('_') + 1, file.length() - 2);
            for (Family fam : families(file)) {
                if (Extensions.target(name, fam) == null) {
                    missing.add(name + "/" + fam);
                }
            }
        }
        assertEquals(List.of(), missing, "target modules named by the vectors but not registered");
    }

    @Test
    void targetVectorsAsLegacy() throws IOException {
        List<String> failures = new ArrayList<>();
        int run = 0;
        for (Path f : files()) {
            String file = f.getFileName().toString();
            TableKind table = TableKind.FILTER;
            List<Hook> chains = List.of();
            for (String line : Files.readAllLines(f)) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("@") || line.startsWith("%")) {
                    continue;
                }
                if (line.startsWith(":")) {
                    chains = Stream.of(line.substring(1).split(",")).map(String::trim).map(Hook::valueOf).toList();
                    continue;
                }
                if (line.startsWith("*")) {
                    table = TableKind.byName(line.substring(1).trim());
                    continue;
                }
                String[] fld = line.split(";", -1);
                String rule = fld[0];
                String expected = fld[2].trim();
                if (fld.length > 3 && fld[3].trim().equals("NFT")) {
                    String alt = fld.length > 4 ? fld[4].trim() : "";
                    expected = alt.isEmpty() ? (expected.equals("OK") ? "FAIL" : "OK") : alt;
                }
                boolean ok = !expected.equals("FAIL");
                String save = fld[1].equals("=") ? rule : fld[1];
                String wantTarget = save.isEmpty() ? null : save.substring(save.indexOf("-j "));
                String name = targetName(rule);
                for (Family fam : families(file)) {
                    if (Extensions.target(name, fam) == null) {
                        continue;
                    }
                    run++;
                    String where = file + " [" + fam + "] " + line;
                    String firstError = null;
                    String saved = null;
                    for (Hook h : chains) {
                        try {
                            TargetHarness.Rule r = TargetHarness.parse(fam, table, rule);
                            String err = r.target().check(TargetHarness.env(fam, table, h, r.proto(), r.invProto(),
                                    r.matches()));
                            if (err != null && firstError == null) {
                                firstError = h + ": " + err;
                            }
                            saved = TargetHarness.save(r.target());
                        } catch (ParameterProblem e) {
                            if (firstError == null) {
                                firstError = e.getMessage();
                            }
                        }
                    }
                    if (ok && firstError != null) {
                        failures.add(where + "  -> refused: " + firstError);
                    } else if (ok && expected.equals("OK") && !saved.equals(wantTarget)) {
                        failures.add(where + "  -> saved as: " + saved);
                    } else if (!ok && firstError == null) {
                        failures.add(where + "  -> accepted, should fail (saved as " + saved + ")");
                    }
                }
            }
        }
        assertTrue(run > 0, "no vector line ran");
        assertEquals("", String.join("\n", failures), failures.size() + " of " + run + " vector lines failed");
    }
}
