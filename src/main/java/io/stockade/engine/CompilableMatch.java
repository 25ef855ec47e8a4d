package io.stockade.engine;

/**
 * A match spec whose per-packet half needs state (limit buckets, recent lists): the engine calls
 * {@link #compile} once per ruleset commit. Specs without state implement {@link Matcher}
 * directly instead.
 */
public interface CompilableMatch {
    Matcher compile(RuntimeState state);
}
