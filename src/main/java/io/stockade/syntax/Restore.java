package io.stockade.syntax;

import io.stockade.rules.Chain;
import io.stockade.rules.Family;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Ruleset;
import io.stockade.rules.Table;
import io.stockade.rules.TableKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code iptables-restore} / {@code ip6tables-restore} input (xtables-restore.c semantics):
 * {@code *table} opens a transaction on a scratch copy of the table (flushed, user chains
 * deleted, policies reset, unless {@code --noflush}); {@code :CHAIN POLICY [p:b]} sets a policy
 * or creates a user chain; other lines are iptables commands (optionally prefixed by
 * {@code [p:b]}) run with {@code -t table}; {@code COMMIT} validates the table and publishes it
 * into the ruleset (not with {@code --test}). The first error stops the run: tables committed
 * before it stay, the failing one is discarded, and the error is worded as iptables-restore does.
 */
public final class Restore {

    /** Command-line options of the restore tool. */
    public record Options(boolean noflush, boolean test, boolean counters, int verbose, String table) {
        public static final Options DEFAULT = new Options(false, false, false, 0, null);
    }

    private final Family family;
    private final String program;
    private final CommandParser parser;
    private final CommandExecutor executor;

    public Restore(Family family, HostResolver resolver) {
        this.family = family;
        this.program = family.command + "-restore";
        this.parser = new CommandParser(family, program, resolver, true);
        this.executor = new CommandExecutor(resolver);
    }

    /** Lines longer than this are cut as iptables-restore's fgets buffer does. */
    static final int LINE_BUFFER = 10240;

    /**
     * Reads the whole input and applies it to {@code rs}.
     *
     * @param out receives what the tool prints on stdout (verbose mode)
     * @throws CommandFailure with the text already worded for the failing line
     */
    public void run(Ruleset rs, BufferedReader in, Options o, StringBuilder out) throws CommandFailure, IOException {
        int line = 0;
        Table scratch = null;
        boolean inTable = false;
        String raw;
        while ((raw = in.readLine()) != null) {
            // fgets hands over at most LINE_BUFFER-1 bytes at a time; longer lines arrive in pieces
            List<String> pieces = raw.length() < LINE_BUFFER ? List.of(raw) : split(raw);
            for (String piece : pieces) {
                line++;
                String buf = piece;
                // LINUX-DIFF: CRLF line ends are accepted (iptables-restore rejects "COMMIT\r").
                if (buf.endsWith("\r")) {
                    buf = buf.substring(0, buf.length() - 1);
                }
                try {
                    if (buf.isEmpty()) {
                        continue;
                    }
                    if (buf.charAt(0) == '#') {
                        if (o.verbose() > 0) {
                            out.append(buf).append('\n');
                        }
                        continue;
                    }
                    // LINUX-DIFF: "COMMIT" followed by blanks is accepted as COMMIT.
                    if (inTable && buf.startsWith("COMMIT") && buf.substring(6).isBlank()) {
                        TableValidator.validate(scratch, program, rs.with(scratch));
                        if (!o.test()) {
                            rs.replace(scratch);
                        }
                        inTable = false;
                        scratch = null;
                        continue;
                    }
                    if (buf.charAt(0) == '*' && !inTable) {
                        String name = firstToken(buf.substring(1));
                        if (name == null) {
                            throw Messages.parameter(program, program + ": line " + line + " table name invalid");
                        }
                        TableKind k = TableKind.byName(name);
                        if (k == null) {
                            throw Messages.parameter(program, program + ": line " + line + " table name '" + name + "' invalid");
                        }
                        if (o.table() != null && !o.table().equals(name)) {
                            continue;
                        }
                        scratch = rs.table(family, k).copy();
                        scratch.activate();
                        if (!o.noflush()) {
                            flush(scratch, o, out);
                        }
                        inTable = true;
                        continue;
                    }
                    if (!inTable) {
                        continue;
                    }
                    if (buf.charAt(0) == ':') {
                        chainLine(scratch, buf, line, o);
                        continue;
                    }
                    ruleLine(scratch, buf, line, o, out);
                } catch (CommandFailure f) {
                    throw new CommandFailure(f.exitCode(), CommandFailure.Kind.INFO, program, f.render(program, line));
                }
            }
        }
        if (inTable) {
            throw new CommandFailure(1, CommandFailure.Kind.INFO, program,
                    program + ": COMMIT expected at line " + (line + 1));
        }
    }

    private static List<String> split(String raw) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.length(); i += LINE_BUFFER - 1) {
            out.add(raw.substring(i, Math.min(raw.length(), i + LINE_BUFFER - 1)));
        }
        return out;
    }

    private static String firstToken(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        int j = i;
        while (j < s.length() && s.charAt(j) != ' ' && s.charAt(j) != '\t') {
            j++;
        }
        return j > i ? s.substring(i, j) : null;
    }

    /** nft's table flush: every rule and user chain goes, policies return to ACCEPT [0:0]. */
    private void flush(Table t, Options o, StringBuilder out) {
        List<Chain> chains = new ArrayList<>(t.chains());
        for (Chain c : chains) {
            if (o.verbose() > 0) {
                out.append("Flushing chain `").append(c.name()).append("'\n");
            }
            c.rules().clear();
            if (c.builtin()) {
                c.policy(RuleTarget.Standard.Kind.ACCEPT);
                c.policyCounters(0, 0);
            }
        }
        for (Chain c : chains) {
            if (!c.builtin()) {
                if (o.verbose() > 0) {
                    out.append("Deleting chain `").append(c.name()).append("'\n");
                }
                t.removeChain(c.name());
            }
        }
    }

    private void chainLine(Table t, String buf, int line, Options o) throws CommandFailure {
        String[] tok = buf.substring(1).trim().split("[ \\t]+");
        String chain = tok.length > 0 && !tok[0].isEmpty() ? tok[0] : null;
        if (chain == null) {
            throw Messages.parameter(program, program + ": line " + line + " chain name invalid");
        }
        assertValidChainName(chain);
        if (tok.length < 2) {
            throw Messages.parameter(program, program + ": line " + line + " policy invalid");
        }
        String policy = tok[1];
        Chain c = t.chain(chain);
        if (c != null && c.builtin()) {
            String ctrs = tok.length > 2 ? tok[2] : null;
            long[] count = ctrs == null ? null : parseCounters(ctrs);
            if ((ctrs == null && o.counters()) || (ctrs != null && count == null)) {
                throw Messages.parameter(program, "invalid policy counters for chain '" + chain + "'");
            }
            RuleTarget.Standard.Kind k = switch (policy) {
                case "ACCEPT" -> RuleTarget.Standard.Kind.ACCEPT;
                case "DROP" -> RuleTarget.Standard.Kind.DROP;
                default -> null;
            };
            if (k == null) {
                throw Messages.kernel(program, "Bad policy name.");
            }
            if (t.kind() == TableKind.NAT && k == RuleTarget.Standard.Kind.DROP) {
                throw Messages.kernel(program, "Bad policy name.");
            }
            c.policy(k);
            if (o.counters()) {
                c.policyCounters(count[0], count[1]);
            }
        } else if (c == null) {
            // LINUX-DIFF: none; a user chain declared twice is accepted (EEXIST ignored) as by iptables-restore.
            t.addUserChain(chain);
        }
    }

    /** "[p:b]" as sscanf("[%llu:%llu]"), null if malformed. */
    static long[] parseCounters(String s) {
        if (!s.startsWith("[")) {
            return null;
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return null;
        }
        long p = Numbers.scanUnsignedLong(s.substring(1, colon));
        String rest = s.substring(colon + 1);
        long b = Numbers.scanUnsignedLong(rest);
        if (p < 0 || b < 0) {
            return null;
        }
        return new long[] {p, b};
    }

    private void assertValidChainName(String name) throws CommandFailure {
        if (name.length() >= 29) {
            throw Messages.parameter(program, "chain name `" + name + "' too long (must be under 29 chars)");
        }
        if (name.startsWith("-") || name.startsWith("!")) {
            throw Messages.parameter(program, "chain name not allowed to start with `" + name.charAt(0) + "'");
        }
        if (parser.isTargetName(name)) {
            throw Messages.parameter(program, "chain name may not clash with target name");
        }
    }

    private void ruleLine(Table t, String buf, int line, Options o, StringBuilder out) throws CommandFailure {
        List<String> argv = new ArrayList<>();
        argv.add("-t");
        argv.add(t.kind().tableName);
        for (int i = 0; !o.noflush() && i < o.verbose(); i++) {
            argv.add("-v");
        }
        String rest = buf;
        if (rest.charAt(0) == '[') {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw Messages.parameter(program, "Bad line " + line + ": need ]");
            }
            int colon = rest.indexOf(':');
            if (colon < 0 || colon > close) {
                throw Messages.parameter(program, "Bad line " + line + ": need :");
            }
            String pc = rest.substring(1, colon);
            String bc = rest.substring(colon + 1, close);
            if (bc.isEmpty()) {
                throw Messages.parameter(program, "Bad line " + line + ": need ]");
            }
            if (o.counters()) {
                argv.add("--set-counters");
                argv.add(pc);
                argv.add(bc);
            }
            rest = rest.substring(close + 1);
        }
        RestoreTokenizer.tokenize(rest, argv, program);
        ParsedCommand p = parser.parse(argv);
        if (p.ignored) {
            return;
        }
        executor.executeOnTable(t, p, out);
    }
}
