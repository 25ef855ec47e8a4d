package io.stockade.syntax;

import io.stockade.cli.IptablesCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test driver: runs stockade commands against a temporary state file and captures their output. */
final class Cli {
    final Path state;

    record Result(int rc, String out, String err) {
    }

    Cli() {
        try {
            Path dir = Files.createTempDirectory("stockade-syntax");
            state = dir.resolve("rules.state");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(String cmd, String... args) {
        return runWithInput("", cmd, args);
    }

    Result runWithInput(String input, String cmd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        IptablesCli.Io io = new IptablesCli.Io(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                HostResolver.STATIC);
        int rc = IptablesCli.run(cmd, List.of(args), state, io);
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs "iptables" with a shell-split line. */
    Result ipt(String line) {
        return run("iptables", ShellWords.split(line).toArray(new String[0]));
    }

    Result ip6t(String line) {
        return run("ip6tables", ShellWords.split(line).toArray(new String[0]));
    }

    /** iptables-save without the comment lines. */
    String save(String cmd) {
        StringBuilder sb = new StringBuilder();
        for (String l : run(cmd).out().split("\n", -1)) {
            if (!l.startsWith("#") && !l.isEmpty()) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }
}
