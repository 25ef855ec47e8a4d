package io.stockade.rules;

import java.util.List;

/**
 * The kernel's {@code checkentry} view of a rule being added: its table, the hooks from which
 * its chain is reachable (a mask of {@link Hook#bit()}), the rule's IP header part (for the
 * protocol a match or target requires) and, for targets, the rule's matches (TCPMSS looks for a
 * tcp match on SYN, as the kernel's {@code xt_ematch_foreach} does).
 *
 * @param family   address family
 * @param table    the table the rule lives in
 * @param hookMask hooks from which the chain can be reached; 0 for an unreferenced user chain
 * @param ip       the rule's -s/-d/-i/-o/-p/-f part
 * @param matches  the rule's matches in order (empty when checking a match)
 * @param ruleset  the whole ruleset as it will be after the change (every table of both families,
 *                 the one being checked included), for checks that look up per-netns objects
 *                 other rules create (the rate estimators of RATEEST); null when unknown, and
 *                 such checks then accept
 */
public record CheckEnv(Family family, TableKind table, int hookMask, IpHeaderFilter ip, List<MatchSpec> matches,
                       Ruleset ruleset) {

    public CheckEnv {
        matches = List.copyOf(matches);
    }

    /** A view that does not know the rest of the ruleset. */
    public CheckEnv(Family family, TableKind table, int hookMask, IpHeaderFilter ip, List<MatchSpec> matches) {
        this(family, table, hookMask, ip, matches, null);
    }

    /** A view without matches (what a match's own check needs). */
    public CheckEnv(Family family, TableKind table, int hookMask, IpHeaderFilter ip) {
        this(family, table, hookMask, ip, List.of(), null);
    }

    /** True if every hook in {@code hookMask} is among {@code allowed} (a mask). */
    public boolean onlyHooks(int allowed) {
        return (hookMask & ~allowed) == 0;
    }
}
