package io.stockade.engine;

import io.stockade.rules.Hook;

/**
 * Receives every step of a traversal when tracing ({@code stockade trace}, the TRACE target's
 * view). The evaluator only calls it when one is installed ({@link Evaluator#trace} non-null), so
 * the plain packet path pays one null check per rule. Implementations may allocate.
 */
public interface TraceSink {
    /** The packet enters {@code table}'s built-in chain at {@code hook}. */
    void enterTable(CompiledTable table, Hook hook);

    /**
     * A rule was evaluated.
     *
     * @param entry    entry index in {@code table}
     * @param failedAt -2 if every condition matched (the target runs), -1 if the address /
     *                 interface / protocol / fragment part failed, else the index of the first
     *                 match module that failed
     */
    void rule(CompiledTable table, int entry, int failedAt);

    /** The traversal of {@code table} ended with {@code verdict} decided at {@code entry} (a rule or a policy). */
    void verdict(CompiledTable table, int entry, int verdict);

    /** A free-form step of the pipeline (conntrack, routing, NAT skipped, emitted packet…). */
    void note(String text);
}
