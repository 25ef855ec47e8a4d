package io.stockade.rules;

/**
 * The kernel's {@code checkentry} view of a rule being added: its table, the hooks from which
 * its chain is reachable (a mask of {@link Hook#bit()}), and the rule's IP header part (for the
 * protocol a match or target requires).
 *
 * @param family   address family
 * @param table    the table the rule lives in
 * @param hookMask hooks from which the chain can be reached; 0 for an unreferenced user chain
 * @param ip       the rule's -s/-d/-i/-o/-p/-f part
 */
public record CheckEnv(Family family, TableKind table, int hookMask, IpHeaderFilter ip) {

    /** True if every hook in {@code hookMask} is among {@code allowed} (a mask). */
    public boolean onlyHooks(int allowed) {
        return (hookMask & ~allowed) == 0;
    }
}
