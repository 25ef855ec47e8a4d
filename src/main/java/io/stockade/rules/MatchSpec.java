package io.stockade.rules;

/**
 * A parsed, immutable match as it sits in a rule ({@code -m NAME --opts…}). Implementations are
 * records, so two rules given with equivalent options compare equal (used by {@code -C} and
 * {@code -D rule-spec}). The same object usually also implements the engine's
 * {@code io.stockade.engine.Matcher}.
 */
public interface MatchSpec {

    /** Module name as written after {@code -m}, e.g. {@code "tcp"}. */
    String name();

    /**
     * Appends the options as iptables-save prints them after {@code -m NAME}: each option with a
     * leading space, canonical and minimal (e.g. {@code " --dport 22"}).
     */
    void save(StringBuilder out);

    /**
     * Appends the text {@code iptables -L} prints in the last column for this match (without the
     * leading/trailing spacing decisions of the listing, which the caller makes).
     *
     * @param numeric {@code -n}: no service/host name lookups
     */
    void print(StringBuilder out, boolean numeric);

    /**
     * The kernel's checkentry: returns null if the match may be used here, else iptables' error
     * message (e.g. "Invalid argument" situations reported by iptables as a specific text).
     */
    default String check(CheckEnv env) {
        return null;
    }
}
