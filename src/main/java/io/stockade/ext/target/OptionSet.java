package io.stockade.ext.target;

import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import java.util.List;

/**
 * The bookkeeping of libxtables' x6 option parser for one target occurrence: which options were
 * seen (by id, at most 32), the "can only be used once" rule, and the {@code .excl} conflicts,
 * reported in iptables' words. Ids must be 0..31 (the C extension's {@code O_*} enum).
 */
final class OptionSet {
    private final String target;
    private final List<Option> table;
    private int seen;

    OptionSet(String target, List<Option> table) {
        this.target = target;
        this.table = table;
    }

    /** Records {@code opt}; fails if it was already given (x6 XTOPT_MULTI not set). */
    void once(Option opt) throws ParameterProblem {
        int bit = 1 << opt.id();
        if ((seen & bit) != 0) {
            throw TargetArgs.onlyOnce(target, opt.name());
        }
        seen |= bit;
    }

    /** Records {@code opt} without the once rule (options libxtables marks XTOPT_MULTI). */
    void mark(Option opt) {
        seen |= 1 << opt.id();
    }

    /**
     * The x6 final check of mutually exclusive options (xtables_options_fcheck): walking the
     * table in order, the first given option of {@code group} (bits of ids) that meets another
     * given one fails, naming that other option by lowest id.
     */
    void exclusive(int group) throws ParameterProblem {
        int clash = seen & group;
        if (Integer.bitCount(clash) < 2) {
            return;
        }
        for (Option o : table) {
            int bit = 1 << o.id();
            if ((clash & bit) != 0) {
                int other = Integer.numberOfTrailingZeros(clash & ~bit);
                throw TargetArgs.together(target, o.name(), byId(other).name());
            }
        }
    }

    boolean has(int id) {
        return (seen & (1 << id)) != 0;
    }

    int mask() {
        return seen;
    }

    private Option byId(int id) {
        for (Option o : table) {
            if (o.id() == id) {
                return o;
            }
        }
        throw new IllegalStateException("no option id " + id);
    }
}
