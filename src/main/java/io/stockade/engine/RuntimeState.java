package io.stockade.engine;

import java.util.function.Supplier;

/**
 * What a stateful match or target receives when a ruleset is compiled: named state that must
 * survive an atomic ruleset swap (recent lists, hashlimit buckets — the kernel keeps them while
 * any rule references them). Only used at commit, never per packet.
 */
public interface RuntimeState {
    /** The object registered under {@code key}, created with {@code create} on first use. */
    <T> T shared(String key, Supplier<T> create);
}
