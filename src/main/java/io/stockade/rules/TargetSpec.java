package io.stockade.rules;

/**
 * A parsed, immutable extension target ({@code -j NAME --opts…}), e.g. REJECT, LOG, MARK, DNAT.
 * Standard verdicts and chain jumps are not TargetSpecs but {@link RuleTarget} variants.
 */
public interface TargetSpec {

    /** Target name as written after {@code -j}, e.g. {@code "REJECT"}. */
    String name();

    /** Appends the options as iptables-save prints them after {@code -j NAME}, each with a leading space. */
    void save(StringBuilder out);

    /** Appends what {@code iptables -L} prints for the target's options in the last column. */
    void print(StringBuilder out, boolean numeric);

    /** The kernel's checkentry for targets; null if allowed, else iptables' error message. */
    default String check(CheckEnv env) {
        return null;
    }
}
