package io.stockade.cli;

import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.rules.TableKind;
import io.stockade.syntax.CommandExecutor;
import io.stockade.syntax.CommandFailure;
import io.stockade.syntax.CommandParser;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.ParsedCommand;
import io.stockade.syntax.Restore;
import io.stockade.syntax.SaveFormat;
import io.stockade.syntax.ShellWords;
import io.stockade.syntax.StateStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The control-plane commands of {@code stockade}: {@code iptables}, {@code ip6tables},
 * {@code iptables-save}, {@code iptables-restore} (and the ip6 forms) and {@code batch}, acting on
 * the ruleset state file. Output and exit statuses are those of iptables 1.8.9 (nf_tables).
 */
public final class IptablesCli {

    /** Where a command reads and writes. */
    public record Io(InputStream in, PrintStream out, PrintStream err, HostResolver resolver) {
        public static Io system() {
            return new Io(System.in, System.out, System.err, HostResolver.system());
        }
    }

    private IptablesCli() {
    }

    /** True if {@code cmd} is one of the commands handled here. */
    public static boolean handles(String cmd) {
        return switch (cmd) {
            case "iptables", "ip6tables", "iptables-save", "ip6tables-save", "iptables-restore",
                 "ip6tables-restore", "batch" -> true;
            default -> false;
        };
    }

    /** Runs {@code cmd args…} against the state file {@code state}; returns the exit status. */
    public static int run(String cmd, List<String> args, Path state, Io io) {
        try {
            return switch (cmd) {
                case "iptables" -> iptables(Family.IPV4, args, state, io);
                case "ip6tables" -> iptables(Family.IPV6, args, state, io);
                case "iptables-save" -> save(Family.IPV4, args, state, io);
                case "ip6tables-save" -> save(Family.IPV6, args, state, io);
                case "iptables-restore" -> restore(Family.IPV4, args, state, io);
                case "ip6tables-restore" -> restore(Family.IPV6, args, state, io);
                case "batch" -> batch(args, state, io);
                default -> {
                    io.err().println("stockade: unknown command '" + cmd + "'");
                    yield 2;
                }
            };
        } catch (IOException e) {
            io.err().println(cmd + ": " + e.getMessage());
            return 1;
        }
    }

    private static int report(CommandFailure f, Io io) {
        if (f.kind() == CommandFailure.Kind.INFO && f.exitCode() == 0) {
            io.out().println(f.text());
        } else {
            io.err().println(f.text());
        }
        return f.exitCode();
    }

    private static int iptables(Family f, List<String> args, Path state, Io io) throws IOException {
        CommandParser parser = new CommandParser(f, f.command, io.resolver(), false);
        ParsedCommand p;
        try {
            p = parser.parse(args);
        } catch (CommandFailure e) {
            return report(e, io);
        }
        try (StateStore store = new StateStore(state)) {
            store.lock(p.waitSeconds, f.command);
            Ruleset rs = store.load();
            Ruleset work = rs.copy();
            StringBuilder out = new StringBuilder();
            boolean wasActive = rs.table(f, p.table).active();
            new CommandExecutor(io.resolver()).execute(work, p, out);
            io.out().print(out);
            if (modifies(p) || !wasActive) {
                store.store(work);
            }
            return 0;
        } catch (CommandFailure e) {
            return report(e, io);
        }
    }

    private static boolean modifies(ParsedCommand p) {
        return (p.command & ~(ParsedCommand.CMD_LIST | ParsedCommand.CMD_LIST_RULES | ParsedCommand.CMD_CHECK)) != 0;
    }

    private static int save(Family f, List<String> args, Path state, Io io) throws IOException {
        String prog = f.command + "-save";
        TableKind only = null;
        boolean counters = false;
        Path file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String val = null;
            int eq = a.indexOf('=');
            String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            if (a.startsWith("--") && eq > 0) {
                val = a.substring(eq + 1);
            }
            switch (name) {
                case "-c", "--counters" -> counters = true;
                case "-t", "--table", "-f", "--file", "-M", "--modprobe" -> {
                    if (val == null) {
                        if (i + 1 >= args.size()) {
                            io.err().println(Messagesx.tryHelp(prog));
                            return 1;
                        }
                        val = args.get(++i);
                    }
                    if (name.equals("-t") || name.equals("--table")) {
                        only = TableKind.byName(val);
                        if (only == null) {
                            io.err().println("Table `" + val + "' does not exist");
                            return 1;
                        }
                    } else if (name.equals("-f") || name.equals("--file")) {
                        file = Path.of(val);
                    }
                }
                case "-V", "--version" -> {
                    io.out().println(prog + " v1.8.9 (nf_tables)");
                    return 0;
                }
                case "-h", "--help" -> {
                    io.out().println("Usage: " + prog + " [-c] [-t table] [-f file]");
                    return 0;
                }
                default -> {
                    io.err().println(prog + ": " + unrecognized(a));
                    io.err().println("Look at manual page `" + prog + ".8' for more information.");
                    return 1;
                }
            }
        }
        try (StateStore store = new StateStore(state)) {
            store.lock(0, prog);
            Ruleset rs = store.load();
            StringBuilder out = new StringBuilder();
            SaveFormat.save(out, rs, f, only, counters, SaveFormat.ctime(ZonedDateTime.now()));
            if (file != null) {
                Files.writeString(file, out, StandardCharsets.UTF_8);
            } else {
                io.out().print(out);
            }
            return 0;
        } catch (CommandFailure e) {
            return report(e, io);
        }
    }

    private static int restore(Family f, List<String> args, Path state, Io io) throws IOException {
        String prog = f.command + "-restore";
        boolean noflush = false;
        boolean test = false;
        boolean counters = false;
        int verbose = 0;
        String table = null;
        String file = null;
        int wait = -1;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            int eq = a.indexOf('=');
            String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            String val = a.startsWith("--") && eq > 0 ? a.substring(eq + 1) : null;
            switch (name) {
                case "-n", "--noflush" -> noflush = true;
                case "-t", "--test" -> test = true;
                case "-c", "--counters" -> counters = true;
                case "-v", "--verbose" -> verbose++;
                case "-b", "--binary" -> io.err().println("-b/--binary option is not implemented");
                case "-V", "--version" -> {
                    io.out().println(prog + " v1.8.9 (nf_tables)");
                    return 0;
                }
                case "-h", "--help" -> {
                    io.out().println("Usage: " + prog + " [-c] [-v] [-V] [-t] [-h] [-n] [-w secs] [-W usecs] [-T table] [-M command] [file]");
                    return 0;
                }
                case "-T", "--table", "-M", "--modprobe" -> {
                    if (val == null) {
                        if (i + 1 >= args.size()) {
                            io.err().println(Messagesx.tryHelp(prog));
                            return 1;
                        }
                        val = args.get(++i);
                    }
                    if (name.equals("-T") || name.equals("--table")) {
                        table = val;
                    }
                }
                case "-w", "--wait" -> {
                    wait = 0;
                    if (val != null) {
                        wait = parseWait(val);
                    } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("-") && args.get(i + 1).matches("\\d+")) {
                        wait = parseWait(args.get(++i));
                    }
                }
                case "-W", "--wait-interval" -> {
                    if (val == null && i + 1 < args.size() && args.get(i + 1).matches("\\d+")) {
                        i++;
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        io.err().println(prog + ": " + unrecognized(a));
                        io.err().println("Try `" + prog + " -h' for more information.");
                        return 1;
                    }
                    if (file != null) {
                        io.err().println("Unknown arguments found on commandline");
                        return 1;
                    }
                    file = a;
                }
            }
        }
        Restore.Options o = new Restore.Options(noflush, test, counters, verbose, table);
        try (StateStore store = new StateStore(state)) {
            store.lock(wait, prog);
            Ruleset rs = store.load();
            StringBuilder out = new StringBuilder();
            InputStream in = file == null || file.equals("-") ? io.in() : Files.newInputStream(Path.of(file));
            try (BufferedReader r = reader(in)) {
                new Restore(f, io.resolver()).run(rs, r, o, out);
            } catch (CommandFailure e) {
                io.out().print(out);
                store.store(rs);
                return report(e, io);
            } finally {
                if (in != io.in()) {
                    in.close();
                }
            }
            io.out().print(out);
            store.store(rs);
            return 0;
        } catch (CommandFailure e) {
            return report(e, io);
        }
    }

    /** getopt's complaint about an unknown option. */
    private static String unrecognized(String a) {
        return a.startsWith("--") ? "unrecognized option '" + a + "'" : "invalid option -- '" + a.charAt(1) + "'";
    }

    private static int parseWait(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)));
    }

    /**
     * {@code batch [--continue] FILE|-}: one {@code iptables …}/{@code ip6tables …} command per
     * line (shell quoting, comments and blank lines skipped). Without {@code --continue} the file
     * is one transaction that stops at the first failure and changes nothing; with it, failing
     * lines are reported and the others applied. Failures are reported as {@code FILE:LINE: msg}.
     */
    private static int batch(List<String> args, Path state, Io io) throws IOException {
        boolean cont = false;
        String file = null;
        for (String a : args) {
            if (a.equals("--continue")) {
                cont = true;
            } else if (file == null) {
                file = a;
            } else {
                io.err().println("usage: stockade batch [--continue] FILE|-");
                return 2;
            }
        }
        if (file == null) {
            io.err().println("usage: stockade batch [--continue] FILE|-");
            return 2;
        }
        String label = file.equals("-") ? "-" : file;
        try (StateStore store = new StateStore(state)) {
            store.lock(0, "batch");
            Ruleset rs = store.load();
            Ruleset work = rs.copy();
            boolean failed = false;
            InputStream in = file.equals("-") ? io.in() : Files.newInputStream(Path.of(file));
            try (BufferedReader r = reader(in)) {
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    n++;
                    List<String> words = ShellWords.split(line);
                    if (words == null) {
                        io.err().println(label + ":" + n + ": unterminated quote");
                        failed = true;
                        if (!cont) {
                            break;
                        }
                        continue;
                    }
                    if (words.isEmpty()) {
                        continue;
                    }
                    String cmd = words.get(0);
                    Family f = cmd.equals("iptables") ? Family.IPV4 : cmd.equals("ip6tables") ? Family.IPV6 : null;
                    if (f == null) {
                        io.err().println(label + ":" + n + ": not an iptables or ip6tables command: " + cmd);
                        failed = true;
                        if (!cont) {
                            break;
                        }
                        continue;
                    }
                    Ruleset before = cont ? work.copy() : null;
                    try {
                        ParsedCommand p = new CommandParser(f, f.command, io.resolver(), false)
                                .parse(words.subList(1, words.size()));
                        StringBuilder out = new StringBuilder();
                        new CommandExecutor(io.resolver()).execute(work, p, out);
                        io.out().print(out);
                    } catch (CommandFailure e) {
                        if (e.kind() == CommandFailure.Kind.INFO && e.exitCode() == 0) {
                            io.out().println(e.text());
                            continue;
                        }
                        io.err().println(label + ":" + n + ": " + e.text().replace("\n", "\n" + label + ":" + n + ": "));
                        failed = true;
                        if (!cont) {
                            break;
                        }
                        work = before;
                    }
                }
            } finally {
                if (in != io.in()) {
                    in.close();
                }
            }
            if (!failed || cont) {
                store.store(work);
            }
            return failed ? 1 : 0;
        } catch (CommandFailure e) {
            return report(e, io);
        }
    }

    /** Small helpers for the save/restore option errors. */
    private static final class Messagesx {
        static String tryHelp(String prog) {
            return "Try `" + prog + " -h' or '" + prog + " --help' for more information.";
        }
    }

    /** Splits {@code --state FILE} off the front of the arguments (null if absent). */
    static Path stateOption(List<String> args) {
        if (args.size() >= 2 && args.get(0).equals("--state")) {
            Path p = Path.of(args.get(1));
            args.subList(0, 2).clear();
            return p;
        }
        if (!args.isEmpty() && args.get(0).startsWith("--state=")) {
            Path p = Path.of(args.get(0).substring("--state=".length()));
            args.remove(0);
            return p;
        }
        return null;
    }

    /** Entry from Main: args start with the command name (after any --state FILE). */
    static int main(List<String> argv) {
        List<String> args = new ArrayList<>(argv);
        Path state = stateOption(args);
        if (state == null) {
            state = StateStore.defaultPath(System.getenv());
        }
        String cmd = args.remove(0);
        return run(cmd, args, state, Io.system());
    }
}
