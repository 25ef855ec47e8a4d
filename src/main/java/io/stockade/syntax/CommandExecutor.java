package io.stockade.syntax;

import io.stockade.rules.Chain;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Ruleset;
import io.stockade.rules.Table;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a {@link ParsedCommand} to a ruleset, with iptables' results: listings appended to
 * {@code out}, failures as {@link CommandFailure} with the kernel's/iptables' wording. The caller
 * passes a scratch copy and publishes it only if the command (or transaction) succeeded.
 */
public final class CommandExecutor {
    private final HostResolver resolver;

    public CommandExecutor(HostResolver resolver) {
        this.resolver = resolver;
    }

    /** The ruleset {@link #execute} works on (checks that look up other tables' objects), else null. */
    private Ruleset world;

    /** Runs one command; modifies {@code rs} in place. */
    public void execute(Ruleset rs, ParsedCommand p, StringBuilder out) throws CommandFailure {
        if (p.ignored) {
            return;
        }
        Table t = rs.table(p.family, p.table);
        t.activate();
        world = rs;
        try {
            run(t, p, out, true);
        } finally {
            world = null;
        }
    }

    /**
     * Runs one command of a restore transaction on the scratch table: jumps and checkentry are
     * validated at COMMIT ({@link TableValidator}), as the kernel does for a whole table.
     */
    public void executeOnTable(Table t, ParsedCommand p, StringBuilder out) throws CommandFailure {
        run(t, p, out, false);
    }

    private void run(Table t, ParsedCommand p, StringBuilder out, boolean immediate) throws CommandFailure {
        String prog = p.program;
        boolean modifies = true;
        int cmd = p.command;
        if ((cmd & (ParsedCommand.CMD_LIST | ParsedCommand.CMD_LIST_RULES)) != 0) {
            modifies = false;
            if (p.chain != null && t.chain(p.chain) == null) {
                throw Messages.kernel(prog, Messages.NO_CHAIN);
            }
            if ((cmd & ParsedCommand.CMD_LIST) != 0) {
                list(t, p, out);
            } else {
                listRules(t, p, out);
            }
            if ((cmd & (ParsedCommand.CMD_ZERO | ParsedCommand.CMD_ZERO_NUM)) != 0) {
                zero(t, p, out);
            }
            return;
        }
        switch (cmd) {
            case ParsedCommand.CMD_APPEND -> {
                Chain c = chain(t, p);
                for (Rule r : p.rules) {
                    echo(p, out, r);
                    if (immediate) {
                        checkJump(t, r, prog);
                    }
                    c.rules().add(r);
                }
            }
            case ParsedCommand.CMD_INSERT -> {
                Chain c = chain(t, p);
                if (p.ruleNum > c.rules().size() + 1) {
                    throw Messages.kernel(prog, "Index of insertion too big.");
                }
                for (Rule r : p.rules) {
                    echo(p, out, r);
                    if (immediate) {
                        checkJump(t, r, prog);
                    }
                    c.rules().add(p.ruleNum - 1, r);
                }
            }
            case ParsedCommand.CMD_REPLACE -> {
                if (p.rules.size() != 1) {
                    throw Messages.parameter(prog, "Replacement rule does not specify a unique address");
                }
                Chain c = chain(t, p);
                if (p.ruleNum > c.rules().size()) {
                    throw Messages.kernel(prog, "Index of replacement too big.");
                }
                Rule r = p.rules.get(0);
                echo(p, out, r);
                if (immediate) {
                    checkJump(t, r, prog);
                }
                c.rules().set(p.ruleNum - 1, r);
            }
            case ParsedCommand.CMD_DELETE -> {
                Chain c = chain(t, p);
                for (Rule r : p.rules) {
                    echo(p, out, r);
                    int i = find(c, r);
                    if (i < 0) {
                        throw Messages.kernel(prog, Messages.BAD_RULE);
                    }
                    c.rules().remove(i);
                }
            }
            case ParsedCommand.CMD_DELETE_NUM -> {
                Chain c = chain(t, p);
                if (p.ruleNum < 1 || p.ruleNum > c.rules().size()) {
                    throw Messages.kernel(prog, "Index of deletion too big.");
                }
                c.rules().remove(p.ruleNum - 1);
            }
            case ParsedCommand.CMD_CHECK -> {
                modifies = false;
                Chain c = chain(t, p);
                for (Rule r : p.rules) {
                    echo(p, out, r);
                    if (find(c, r) < 0) {
                        throw Messages.kernel(prog, Messages.BAD_RULE);
                    }
                }
            }
            case ParsedCommand.CMD_FLUSH -> {
                if (p.chain != null) {
                    Chain c = chain(t, p);
                    verbose(p, out, "Flushing chain `" + c.name() + "'");
                    c.rules().clear();
                } else {
                    for (Chain c : Chains.ordered(t)) {
                        verbose(p, out, "Flushing chain `" + c.name() + "'");
                        c.rules().clear();
                    }
                }
            }
            case ParsedCommand.CMD_ZERO, ParsedCommand.CMD_ZERO_NUM -> zero(t, p, out);
            case ParsedCommand.CMD_NEW_CHAIN -> {
                if (t.chain(p.chain) != null) {
                    throw Messages.kernel(prog, "Chain already exists.");
                }
                t.addUserChain(p.chain);
            }
            case ParsedCommand.CMD_DELETE_CHAIN -> deleteChain(t, p, out);
            case ParsedCommand.CMD_RENAME_CHAIN -> {
                Chain c = t.chain(p.chain);
                if (c == null || c.builtin()) {
                    throw Messages.kernel(prog, Messages.NO_CHAIN);
                }
                if (t.chain(p.newName) != null) {
                    throw Messages.kernel(prog, "File exists.");
                }
                t.renameChain(p.chain, p.newName);
                for (Chain k : t.chains()) {
                    List<Rule> rules = k.rules();
                    for (int i = 0; i < rules.size(); i++) {
                        Rule r = rules.get(i);
                        if (r.target() instanceof RuleTarget.Jump j && j.chain().equals(p.chain)) {
                            rules.set(i, new Rule(r.ip(), r.matches(), new RuleTarget.Jump(p.newName, j.isGoto()),
                                    r.packets(), r.bytes()));
                        }
                    }
                }
            }
            case ParsedCommand.CMD_SET_POLICY -> {
                Chain c = t.chain(p.chain);
                if (c == null || !c.builtin()) {
                    throw Messages.kernel(prog, "Bad built-in chain name.");
                }
                RuleTarget.Standard.Kind k = switch (p.policy) {
                    case "ACCEPT" -> RuleTarget.Standard.Kind.ACCEPT;
                    case "DROP" -> RuleTarget.Standard.Kind.DROP;
                    default -> null;
                };
                if (k == null) {
                    throw Messages.kernel(prog, "Bad policy name. Run `dmesg' for more information.");
                }
                c.policy(k);
                if (p.counters) {
                    c.policyCounters(p.pcnt, p.bcnt);
                }
            }
            default -> throw Messages.parameter(prog, "no command specified");
        }
        if (modifies && immediate) {
            try {
                TableValidator.validate(t, prog, world);
            } catch (CommandFailure f) {
                String op = switch (cmd) {
                    case ParsedCommand.CMD_APPEND -> "RULE_APPEND";
                    case ParsedCommand.CMD_INSERT -> "RULE_INSERT";
                    case ParsedCommand.CMD_REPLACE -> "RULE_REPLACE";
                    default -> null;
                };
                String errno = f.kind() != CommandFailure.Kind.KERNEL ? null : switch (f.message()) {
                    case TableValidator.LOOP -> "Too many links";
                    case Messages.INVALID_ARGUMENT -> "Invalid argument";
                    case Messages.NO_CHAIN -> "No such file or directory";
                    default -> null;
                };
                if (op != null && errno != null) {
                    // iptables-nft reports the kernel's refusal of the new rule with the errno text.
                    throw nftFailure(prog, " " + op + " failed (" + errno + "): rule in chain " + p.chain);
                }
                throw f;
            }
        }
    }

    /** A netlink batch failure as iptables-nft reports it (exit 4, banner, no help line). */
    private static CommandFailure nftFailure(String prog, String msg) {
        return new CommandFailure(4, CommandFailure.Kind.BANNER, prog, msg);
    }

    private static CommandFailure chainBusy(String prog, String chain) {
        return nftFailure(prog, " CHAIN_DEL failed (Device or resource busy): chain " + chain);
    }

    private static void echo(ParsedCommand p, StringBuilder out, Rule r) {
        if (p.verbose > 0) {
            Listing.echo(out, r);
        }
    }

    private static void verbose(ParsedCommand p, StringBuilder out, String line) {
        if (p.verbose > 0) {
            out.append(line).append('\n');
        }
    }

    private Chain chain(Table t, ParsedCommand p) throws CommandFailure {
        Chain c = t.chain(p.chain);
        if (c == null) {
            throw Messages.kernel(p.program, Messages.NO_CHAIN);
        }
        return c;
    }

    private static void checkJump(Table t, Rule r, String prog) throws CommandFailure {
        if (r.target() instanceof RuleTarget.Jump j) {
            Chain to = t.chain(j.chain());
            if (to == null) {
                throw Messages.parameter(prog, "Chain '" + j.chain() + "' does not exist");
            }
            if (to.builtin()) {
                throw Messages.kernel(prog, Messages.INVALID_ARGUMENT);
            }
        }
    }

    private static int find(Chain c, Rule r) {
        List<Rule> rules = c.rules();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).sameSpec(r)) {
                return i;
            }
        }
        return -1;
    }

    private void zero(Table t, ParsedCommand p, StringBuilder out) throws CommandFailure {
        List<Chain> chains = new ArrayList<>();
        if (p.chain != null) {
            chains.add(chain(t, p));
        } else {
            chains.addAll(Chains.ordered(t));
        }
        if ((p.command & ParsedCommand.CMD_ZERO_NUM) != 0) {
            Chain c = chains.get(0);
            if (p.ruleNum > c.rules().size()) {
                throw Messages.kernel(p.program, Messages.BAD_RULE);
            }
            c.rules().set(p.ruleNum - 1, c.rules().get(p.ruleNum - 1).withCounters(0, 0));
            return;
        }
        for (Chain c : chains) {
            verbose(p, out, "Zeroing chain `" + c.name() + "'");
            c.policyCounters(0, 0);
            List<Rule> rules = c.rules();
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                if (r.packets() != 0 || r.bytes() != 0) {
                    rules.set(i, r.withCounters(0, 0));
                }
            }
        }
    }

    private void deleteChain(Table t, ParsedCommand p, StringBuilder out) throws CommandFailure {
        String prog = p.program;
        if (p.chain != null) {
            Chain c = t.chain(p.chain);
            if (c == null) {
                throw Messages.kernel(prog, Messages.NO_CHAIN);
            }
            if (c.builtin() || Listing.references(t, c.name()) > 0 || !c.rules().isEmpty()) {
                throw chainBusy(prog, c.name());
            }
            verbose(p, out, "Deleting chain `" + c.name() + "'");
            t.removeChain(c.name());
            return;
        }
        // all user chains in one transaction: the first (in creation order) that is non-empty or
        // referenced from a built-in chain fails it, as iptables-nft reports
        List<Chain> users = new ArrayList<>();
        for (Chain c : t.chains()) {
            if (!c.builtin()) {
                users.add(c);
            }
        }
        for (Chain c : users) {
            boolean busy = !c.rules().isEmpty();
            for (Chain k : t.chains()) {
                if (k.builtin()) {
                    for (Rule r : k.rules()) {
                        busy |= r.target() instanceof RuleTarget.Jump j && j.chain().equals(c.name());
                    }
                }
            }
            if (busy) {
                throw chainBusy(prog, c.name());
            }
        }
        users.sort((a, b) -> a.name().compareTo(b.name()));
        for (Chain c : users) {
            verbose(p, out, "Deleting chain `" + c.name() + "'");
            t.removeChain(c.name());
        }
    }

    private void list(Table t, ParsedCommand p, StringBuilder out) {
        Listing l = new Listing(p.numeric, p.verbose > 0, p.exact, p.lineNumbers, resolver);
        if (p.chain != null && p.ruleNum > 0) {
            // -L CHAIN N prints the rule line only (nothing if N is past the end)
            List<Rule> rules = t.chain(p.chain).rules();
            if (p.ruleNum <= rules.size()) {
                l.rule(out, rules.get(p.ruleNum - 1), p.ruleNum);
            }
            return;
        }
        boolean first = true;
        for (Chain c : Chains.ordered(t)) {
            if (p.chain != null && !c.name().equals(p.chain)) {
                continue;
            }
            if (!first) {
                out.append('\n');
            }
            first = false;
            l.header(out, t, c);
            List<Rule> rules = c.rules();
            for (int i = 0; i < rules.size(); i++) {
                if (p.ruleNum == 0 || p.ruleNum == i + 1) {
                    l.rule(out, rules.get(i), i + 1);
                }
            }
        }
    }

    private void listRules(Table t, ParsedCommand p, StringBuilder out) {
        boolean counters = p.verbose > 0;
        if (p.chain != null && p.ruleNum > 0) {
            Chain c = t.chain(p.chain);
            if (p.ruleNum <= c.rules().size()) {
                RuleFormat.appendRule(out, c.name(), c.rules().get(p.ruleNum - 1), counters);
                out.append('\n');
            }
            return;
        }
        for (Chain c : Chains.ordered(t)) {
            if (p.chain != null && !c.name().equals(p.chain)) {
                continue;
            }
            if (c.builtin()) {
                out.append("-P ").append(c.name()).append(' ').append(c.policy().name());
                if (counters) {
                    out.append(" -c ").append(Long.toUnsignedString(c.policyPackets())).append(' ')
                            .append(Long.toUnsignedString(c.policyBytes()));
                }
                out.append('\n');
            }
        }
        for (Chain c : Chains.ordered(t)) {
            if ((p.chain == null || c.name().equals(p.chain)) && !c.builtin()) {
                out.append("-N ").append(c.name()).append('\n');
            }
        }
        for (Chain c : Chains.ordered(t)) {
            if (p.chain != null && !c.name().equals(p.chain)) {
                continue;
            }
            for (Rule r : c.rules()) {
                RuleFormat.appendRule(out, c.name(), r, counters);
                out.append('\n');
            }
        }
    }
}
