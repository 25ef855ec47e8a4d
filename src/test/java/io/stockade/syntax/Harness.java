package io.stockade.syntax;

import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;

/** In-memory iptables for tests: the same parser/executor/save as the CLI, without the state file. */
final class Harness {
    Ruleset rs = new Ruleset();
    String lastErr = "";
    String lastOut = "";

    /** Runs one iptables/ip6tables command line (already split); returns the exit status. */
    int run(Family f, List<String> args) {
        try {
            ParsedCommand p = new CommandParser(f, f.command, HostResolver.STATIC, false).parse(args);
            Ruleset work = rs.copy();
            StringBuilder out = new StringBuilder();
            new CommandExecutor(HostResolver.STATIC).execute(work, p, out);
            rs = work;
            lastOut = out.toString();
            lastErr = "";
            return 0;
        } catch (CommandFailure e) {
            lastErr = e.text();
            return e.exitCode();
        }
    }

    int run(Family f, String line) {
        return run(f, ShellWords.split(line));
    }

    /** The *-save output of one family, without the comment lines. */
    String save(Family f) {
        StringBuilder sb = new StringBuilder();
        SaveFormat.save(sb, rs, f, null, false, null);
        return sb.toString();
    }

    String saveCounters(Family f) {
        StringBuilder sb = new StringBuilder();
        SaveFormat.save(sb, rs, f, null, true, null);
        return sb.toString();
    }

    /** Runs *-restore with the given options; returns null on success or the error text. */
    String restore(Family f, String input, Restore.Options o) {
        try {
            new Restore(f, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(input)), o, new StringBuilder());
            return null;
        } catch (CommandFailure e) {
            return e.text();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
