package io.stockade.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.rules.Family;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The upstream iptables test vectors ({@code ../shared/conformance/iptables-extensions/*.t}),
 * read in place — never copied — and split as FORMAT.md describes: {@code :CHAIN,…} sets the
 * chains of the lines that follow, {@code *table} their table, {@code @cmd}/{@code %cmd} are
 * commands run in order, and {@code RULE;SAVE;RESULT[;VARIANT[;RESULT]]} is one vector line.
 * Every vector test of the project reads the files through this class; each judges the lines
 * with its own harness. Tests call {@link #assumePresent()} first, so they skip with a clear
 * message when {@code ../shared} is absent.
 */
public final class UpstreamVectors {
    /** The vector directory relative to the project root (the tests' working directory). */
    public static final Path DIR = Path.of("..", "shared", "conformance", "iptables-extensions");

    private UpstreamVectors() {
    }

    /** One line of a file, in file order: a {@link Rule} or a {@link Command}. */
    public sealed interface Entry permits Rule, Command {
        /** The 1-based line number in the file. */
        int line();
    }

    /**
     * A vector line with the chains and table in force where it stands.
     *
     * @param line   1-based line number
     * @param text   the whole line
     * @param chains the chain names of the last {@code :} line (empty before any)
     * @param table  the table of the last {@code *} line, or null (filter)
     * @param rule   the rule text (first field)
     * @param save   the expected save text ({@code =} resolved to the rule; empty when none)
     * @param fields the raw fields
     */
    public record Rule(int line, String text, List<String> chains, String table, String rule, String save,
                       String[] fields) implements Entry {
        /** The RESULT field as written (OK, FAIL, NOMATCH). */
        public String result() {
            return fields[2].trim();
        }

        /** The result the legacy backend must give (FORMAT.md §A.2: an NFT variant inverts or replaces it). */
        public String legacyResult() {
            String res = result();
            if (fields.length > 3 && fields[3].trim().equals("NFT")) {
                if (fields.length > 4 && !fields[4].isBlank()) {
                    return fields[4].trim();
                }
                return res.equals("OK") ? "FAIL" : "OK";
            }
            return res;
        }
    }

    /**
     * A command line ({@code @iptables …}, {@code %nfacct …}).
     *
     * @param line  1-based line number
     * @param kind  {@code '@'} or {@code '%'}
     * @param text  the command text after the marker
     */
    public record Command(int line, char kind, String text) implements Entry {
    }

    /** One vector line for one family, as the per-area tests iterate them. */
    public record Case(String file, Family family, Rule rule) {
    }

    /** Skips the calling test when the vectors are absent. */
    public static void assumePresent() {
        assumeTrue(Files.isDirectory(DIR), "../shared/conformance/iptables-extensions is absent: upstream vectors skipped");
    }

    /** The {@code .t} files whose file name passes {@code name}, sorted by name. */
    public static List<Path> files(Predicate<String> name) {
        assumePresent();
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".t") && name.test(n);
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The families a file runs in: libxt_ both, libip6t_ IPv6, libebt_/libarpt_ none, others IPv4. */
    public static List<Family> families(String fileName) {
        if (fileName.startsWith("libxt_")) {
            return List.of(Family.IPV4, Family.IPV6);
        }
        if (fileName.startsWith("libip6t_")) {
            return List.of(Family.IPV6);
        }
        if (fileName.startsWith("libebt_") || fileName.startsWith("libarpt_")) {
            return List.of();
        }
        return List.of(Family.IPV4);
    }

    /** The entries of one file (name with or without {@code .t}) in file order. */
    public static List<Entry> read(String fileName) {
        return read(DIR.resolve(fileName.endsWith(".t") ? fileName : fileName + ".t"));
    }

    /** The entries of one file in file order; lines with fewer than three fields are not vectors. */
    public static List<Entry> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> out = new ArrayList<>();
        List<String> chains = List.of();
        String table = null;
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            char k = line.charAt(0);
            if (k == ':') {
                chains = Stream.of(line.substring(1).split(",")).map(String::trim).toList();
            } else if (k == '*') {
                table = line.substring(1).trim();
            } else if (k == '@' || k == '%') {
                out.add(new Command(n, k, line.substring(1)));
            } else {
                String[] fields = line.split(";", -1);
                if (fields.length >= 3) {
                    String save = fields[1].equals("=") ? fields[0] : fields[1];
                    out.add(new Rule(n, line, chains, table, fields[0], save, fields));
                }
            }
        }
        return out;
    }

    /** The vector lines of the named files, each once per family of its file (file, line, family order). */
    public static List<Case> cases(List<String> fileNames) {
        assumePresent();
        List<Case> out = new ArrayList<>();
        for (String name : fileNames) {
            String file = name.endsWith(".t") ? name : name + ".t";
            List<Family> fams = families(file);
            for (Entry e : read(file)) {
                if (e instanceof Rule r) {
                    for (Family f : fams) {
                        out.add(new Case(file, f, r));
                    }
                }
            }
        }
        return out;
    }

    /** True when the file has command lines ({@code @}/{@code %}): its rules depend on state they create. */
    public static boolean hasCommands(List<Entry> entries) {
        return entries.stream().anyMatch(e -> e instanceof Command);
    }

    /**
     * Splits a rule as the test scripts' shell would for these files: white space separates
     * words, double quotes group (and are removed), a backslash inside quotes takes the next
     * character literally.
     */
    public static List<String> words(String rule) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        boolean quoted = false;
        for (int i = 0; i < rule.length(); i++) {
            char c = rule.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                if (cur == null) {
                    cur = new StringBuilder();
                }
            } else if (c == '\\' && quoted && i + 1 < rule.length()) {
                cur.append(rule.charAt(++i));
            } else if (Character.isWhitespace(c) && !quoted) {
                if (cur != null) {
                    out.add(cur.toString());
                    cur = null;
                }
            } else {
                if (cur == null) {
                    cur = new StringBuilder();
                }
                cur.append(c);
            }
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out;
    }
}
