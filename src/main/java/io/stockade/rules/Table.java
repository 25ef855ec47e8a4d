package io.stockade.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table of one family: its built-in chains (in hook order) and its user chains. Mutable
 * control-plane state; {@link #copy()} gives the scratch copy a transaction edits.
 */
public final class Table {
    private final Family family;
    private final TableKind kind;
    private final Map<String, Chain> chains = new LinkedHashMap<>();
    private boolean active;

    public Table(Family family, TableKind kind) {
        this.family = family;
        this.kind = kind;
        for (Hook h : Hook.values()) {
            if (kind.hooks.contains(h)) {
                chains.put(h.name(), new Chain(h.name(), true));
            }
        }
    }

    public Family family() {
        return family;
    }

    public TableKind kind() {
        return kind;
    }

    /**
     * Whether the table has been used (as a kernel table is loaded on first use): only active
     * tables are printed by iptables-save and kept in the state file.
     */
    public boolean active() {
        return active;
    }

    public void activate() {
        this.active = true;
    }

    public Chain chain(String name) {
        return chains.get(name);
    }

    /** Chains in insertion order: built-ins (hook order) first, then user chains as created. */
    public Collection<Chain> chains() {
        return chains.values();
    }

    public Chain addUserChain(String name) {
        Chain c = new Chain(name, false);
        chains.put(name, c);
        return c;
    }

    public void removeChain(String name) {
        chains.remove(name);
    }

    /** Renames a user chain, keeping its position. */
    public void renameChain(String from, String to) {
        List<Chain> order = new ArrayList<>(chains.values());
        chains.clear();
        for (Chain c : order) {
            Chain k = c.name().equals(from) ? c.copy(to) : c;
            chains.put(k.name(), k);
        }
    }

    public Table copy() {
        Table t = new Table(family, kind);
        t.active = active;
        t.chains.clear();
        for (Chain c : chains.values()) {
            t.chains.put(c.name(), c.copy(c.name()));
        }
        return t;
    }
}
