package io.stockade.rules;

/** What a rule does when it matches: nothing, a standard verdict, a jump/goto, or an extension target. */
public sealed interface RuleTarget {

    /** No {@code -j}: the rule only counts. */
    record None() implements RuleTarget {
    }

    /** {@code -j ACCEPT}, {@code DROP}, {@code RETURN} (and {@code QUEUE}, kept for old dumps). */
    record Standard(Kind kind) implements RuleTarget {
        public enum Kind { ACCEPT, DROP, RETURN, QUEUE }
    }

    /** {@code -j CHAIN} or {@code -g CHAIN} to a user-defined chain. */
    record Jump(String chain, boolean isGoto) implements RuleTarget {
    }

    /** An extension target such as REJECT, LOG, MARK or DNAT. */
    record Extension(TargetSpec spec) implements RuleTarget {
    }

    None NONE = new None();

    /** The name printed in {@code -L}'s target column and after {@code -j}/{@code -g}; "" for none. */
    default String displayName() {
        return switch (this) {
            case None n -> "";
            case Standard s -> s.kind().name();
            case Jump j -> j.chain();
            case Extension e -> e.spec().name();
        };
    }
}
