package io.stockade.engine;

/** A target spec whose per-packet half needs state or engine services, built once per commit. */
public interface CompilableTarget {
    TargetAction compile(RuntimeState state);
}
