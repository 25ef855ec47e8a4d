package io.stockade.ext;

import io.stockade.ext.match.MatchModules;
import io.stockade.ext.target.TargetModules;
import io.stockade.rules.Family;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.TargetExtension;

/** Looks up match and target modules by name, as libxtables' xtables_find_match/target. */
public final class Extensions {
    private Extensions() {
    }

    /** The match module {@code -m name} for this family, or null if Stockade does not have it. */
    public static MatchExtension match(String name, Family family) {
        for (MatchExtension m : MatchModules.ALL) {
            if (m.name().equals(name) && m.supports(family)) {
                return m;
            }
        }
        return null;
    }

    /** The target module {@code -j name} for this family, or null. */
    public static TargetExtension target(String name, Family family) {
        for (TargetExtension t : TargetModules.ALL) {
            if (t.name().equals(name) && t.supports(family)) {
                return t;
            }
        }
        return null;
    }
}
