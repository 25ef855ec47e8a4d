package io.stockade.ext.match;

import io.stockade.engine.RuntimeState;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/** A RuntimeState for tests: named objects kept in a map, as the engine keeps them across commits. */
final class TestState implements RuntimeState {
    final Map<String, Object> objects = new HashMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public <T> T shared(String key, Supplier<T> create) {
        return (T) objects.computeIfAbsent(key, k -> create.get());
    }
}
