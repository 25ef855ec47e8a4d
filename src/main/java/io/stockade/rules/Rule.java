package io.stockade.rules;

import java.util.List;

/**
 * One rule as the control plane holds it: immutable. Counters are carried for save/restore and
 * listing; the engine keeps live counters in its own arrays and writes them back.
 *
 * @param ip      the -s/-d/-i/-o/-p/-f part
 * @param matches the {@code -m} modules in command-line order (implicit ones, such as the
 *                {@code tcp} match loaded by {@code -p tcp --dport}, included)
 * @param target  what happens on a match
 */
public record Rule(IpHeaderFilter ip, List<MatchSpec> matches, RuleTarget target, long packets, long bytes) {

    public Rule {
        matches = List.copyOf(matches);
    }

    public Rule withCounters(long packets, long bytes) {
        return new Rule(ip, matches, target, packets, bytes);
    }

    /** Equality of rule specification, ignoring counters (what {@code -C} and {@code -D spec} compare). */
    public boolean sameSpec(Rule other) {
        return ip.equals(other.ip) && matches.equals(other.matches) && target.equals(other.target);
    }
}
