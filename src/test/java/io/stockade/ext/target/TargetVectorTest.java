package io.stockade.ext.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.ext.Extensions;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.TableKind;
import io.stockade.testing.UpstreamVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs every target line of the upstream vectors ({@code lib{xt,ipt,ip6t}_NAME.t} with an
 * upper-case NAME, read in place from ../shared) through parse, save and checkentry, judged as
 * the legacy backend (FORMAT.md §A.2–A.3): an OK line must parse and pass checkentry on every
 * chain of its list and save exactly as the SAVE field; a FAIL line must be refused (by the
 * parser or by checkentry) on at least one chain.
 */
class TargetVectorTest {
    static List<Path> files() {
        return UpstreamVectors.files(n -> n.matches("lib(xt|ipt|ip6t)_[A-Z][A-Z0-9]*\\.t"));
    }

    /** The target name a rule uses (the word after -j). */
    static String targetName(String rule) {
        List<String> t = UpstreamVectors.words(rule);
        int j = t.indexOf("-j");
        return j >= 0 && j + 1 < t.size() ? t.get(j + 1) : null;
    }

    @Test
    void everyTargetOfTheVectorsIsRegistered() {
        List<String> missing = new ArrayList<>();
        for (Path f : files()) {
            String file = f.getFileName().toString();
            String name = file.substring(file.indexOf('_') + 1, file.length() - 2);
            for (Family fam : UpstreamVectors.families(file)) {
                if (Extensions.target(name, fam) == null) {
                    missing.add(name + "/" + fam);
                }
            }
        }
        assertEquals(List.of(), missing, "target modules named by the vectors but not registered");
    }

    @Test
    void targetVectorsAsLegacy() {
        List<String> failures = new ArrayList<>();
        int run = 0;
        for (Path f : files()) {
            String file = f.getFileName().toString();
            for (UpstreamVectors.Entry entry : UpstreamVectors.read(f)) {
                if (!(entry instanceof UpstreamVectors.Rule v)) {
                    continue;
                }
                TableKind table = v.table() == null ? TableKind.FILTER : TableKind.byName(v.table());
                List<Hook> chains = v.chains().stream().map(Hook::valueOf).toList();
                String line = v.text();
                String rule = v.rule();
                String expected = v.legacyResult();
                boolean ok = !expected.equals("FAIL");
                String save = v.save();
                String wantTarget = save.isEmpty() ? null : save.substring(save.indexOf("-j "));
                String name = targetName(rule);
                for (Family fam : UpstreamVectors.families(file)) {
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
