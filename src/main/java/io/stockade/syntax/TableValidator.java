package io.stockade.syntax;

import io.stockade.rules.Chain;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Ruleset;
import io.stockade.rules.Table;
import java.util.HashMap;
import java.util.Map;

/**
 * What the kernel checks when a table is committed (translate_table / mark_source_chains):
 * every jump leads to an existing user chain, no loop is reachable from a hook (ELOOP), and every match
 * and target accepts the hooks its chain is reachable from ({@link MatchSpec#check}). User chains
 * get the union of the hooks of the chains that jump to them (0 if unreferenced), so an error is
 * reported by the command that makes a rule reachable from a hook it cannot be used in.
 */
public final class TableValidator {
    private TableValidator() {
    }

    /** The kernel's ELOOP text as nft reports it. */
    public static final String LOOP = "Too many links.";

    /** Hook masks of every chain of the table; throws on a loop reachable from a hook. */
    public static Map<String, Integer> hookMasks(Table t, String program) throws CommandFailure {
        Map<String, Integer> masks = new HashMap<>();
        for (Chain c : t.chains()) {
            masks.put(c.name(), 0);
        }
        for (Chain c : t.chains()) {
            if (c.builtin()) {
                Hook h = Hook.byChainName(c.name());
                walk(t, c, h == null ? 0 : h.bit(), masks, new HashMap<>(), program);
            }
        }
        return masks;
    }

    private static void walk(Table t, Chain c, int bits, Map<String, Integer> masks, Map<String, Boolean> onPath,
                             String program) throws CommandFailure {
        int old = masks.getOrDefault(c.name(), 0);
        if (Boolean.TRUE.equals(onPath.get(c.name()))) {
            throw Messages.kernel(program, LOOP);
        }
        if ((old | bits) == old && old != 0) {
            return;
        }
        masks.put(c.name(), old | bits);
        onPath.put(c.name(), true);
        for (Rule r : c.rules()) {
            if (r.target() instanceof RuleTarget.Jump j) {
                Chain to = t.chain(j.chain());
                if (to != null && !to.builtin()) {
                    walk(t, to, bits, masks, onPath, program);
                }
            }
        }
        onPath.put(c.name(), false);
    }

    /** Validates the whole table; throws the first failure as the tool reports it. */
    public static void validate(Table t, String program) throws CommandFailure {
        validate(t, program, null);
    }

    /**
     * Validates the whole table as part of {@code ruleset} (null: unknown), which checks that look
     * up objects other rules create (rate estimators) consult.
     */
    public static void validate(Table t, String program, Ruleset ruleset) throws CommandFailure {
        Map<String, Integer> masks = hookMasks(t, program);
        for (Chain c : t.chains()) {
            int mask = masks.getOrDefault(c.name(), 0);
            for (Rule r : c.rules()) {
                if (r.target() instanceof RuleTarget.Jump j) {
                    Chain to = t.chain(j.chain());
                    if (to == null) {
                        throw Messages.parameter(program, "Chain '" + j.chain() + "' does not exist");
                    }
                    if (to.builtin()) {
                        throw Messages.kernel(program, Messages.INVALID_ARGUMENT);
                    }
                }
                check(t, r, mask, program, ruleset);
            }
        }
    }

    /** checkentry of one rule's matches and target with the given hook mask. */
    public static void check(Table t, Rule r, int mask, String program) throws CommandFailure {
        check(t, r, mask, program, null);
    }

    /** checkentry of one rule within {@code ruleset} (null: unknown). */
    public static void check(Table t, Rule r, int mask, String program, Ruleset ruleset) throws CommandFailure {
        CheckEnv env = new CheckEnv(t.family(), t.kind(), mask, r.ip(), java.util.List.of(), ruleset);
        for (MatchSpec m : r.matches()) {
            String err = m.check(env);
            if (err != null) {
                throw Messages.kernel(program, err);
            }
        }
        if (r.target() instanceof RuleTarget.Extension e) {
            // targets see the rule's matches (TCPMSS looks for a tcp match on SYN)
            String err = e.spec().check(new CheckEnv(t.family(), t.kind(), mask, r.ip(), r.matches(), ruleset));
            if (err != null) {
                throw Messages.kernel(program, err);
            }
        }
    }
}
