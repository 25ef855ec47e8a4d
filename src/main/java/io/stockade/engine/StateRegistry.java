package io.stockade.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@link RuntimeState} that outlives ruleset swaps: a compile of a new ruleset receives the
 * same registry, so a {@code recent} list or a {@code hashlimit} bucket keeps its contents as the
 * kernel keeps them while a rule references them. Control plane only; synchronized because a
 * commit may run beside a reader of the statistics.
 */
public final class StateRegistry implements RuntimeState {
    private final Map<String, Object> objects = new HashMap<>();

    @Override
    public synchronized <T> T shared(String key, Supplier<T> create) {
        @SuppressWarnings("unchecked")
        T t = (T) objects.computeIfAbsent(key, k -> create.get());
        return t;
    }

    /** Number of named state objects (for tests and statistics). */
    public synchronized int size() {
        return objects.size();
    }
}
