package io.stockade.rules;

import java.util.List;

/**
 * A match module ({@code -m NAME}), the Java form of an iptables {@code libxt_NAME.c}: a name, a
 * declarative option table and a parser factory. Stateless and shared; one instance per module.
 */
public interface MatchExtension {

    /** Module name ({@code -m NAME}). */
    String name();

    /** Whether the module exists for this family (e.g. icmp is IPv4-only, icmp6 IPv6-only). */
    default boolean supports(Family family) {
        return true;
    }

    /** The option table; the generic parser dispatches {@code --name} to its owner. */
    List<Option> options();

    /** A fresh parser for one occurrence of {@code -m NAME} in one rule. */
    Parser newParser(ParseEnv env);

    /** Per-occurrence parser state (iptables' parse + final_check). */
    interface Parser {
        /**
         * One option of this module, in command-line order.
         *
         * @param opt      the option from {@link #options()}
         * @param arg      its argument, or null for a flag
         * @param inverted whether {@code !} preceded it
         */
        void parse(Option opt, String arg, boolean inverted) throws ParameterProblem;

        /** All options seen: validate (final_check) and build the immutable match. */
        MatchSpec finish() throws ParameterProblem;
    }
}
