package io.stockade.rules;

import java.util.EnumMap;
import java.util.Map;

/**
 * Everything the control plane manages: for each family, the five tables. Mutable; commands edit
 * a {@link #copy()} and the caller publishes it when the whole command (or restore transaction)
 * succeeded, so a failure leaves the previous ruleset untouched.
 */
public final class Ruleset {
    private final Map<Family, Map<TableKind, Table>> tables = new EnumMap<>(Family.class);

    public Ruleset() {
        for (Family f : Family.values()) {
            Map<TableKind, Table> m = new EnumMap<>(TableKind.class);
            for (TableKind k : TableKind.values()) {
                m.put(k, new Table(f, k));
            }
            tables.put(f, m);
        }
    }

    public Table table(Family family, TableKind kind) {
        return tables.get(family).get(kind);
    }

    public void replace(Table table) {
        tables.get(table.family()).put(table.kind(), table);
    }

    /** A view sharing every table of this ruleset except {@code table}'s slot, which holds {@code table}. */
    public Ruleset with(Table table) {
        Ruleset r = new Ruleset();
        for (Family f : Family.values()) {
            r.tables.get(f).putAll(tables.get(f));
        }
        r.replace(table);
        return r;
    }

    /** Every table of every family (IPv4 first, then in {@link TableKind} order). */
    public java.util.List<Table> allTables() {
        java.util.List<Table> all = new java.util.ArrayList<>();
        for (Family f : Family.values()) {
            all.addAll(tables.get(f).values());
        }
        return all;
    }

    public Ruleset copy() {
        Ruleset r = new Ruleset();
        for (Family f : Family.values()) {
            for (TableKind k : TableKind.values()) {
                r.tables.get(f).put(k, table(f, k).copy());
            }
        }
        return r;
    }
}
