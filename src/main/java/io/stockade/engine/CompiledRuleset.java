package io.stockade.engine;

import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.rules.TableKind;

/**
 * A whole {@link Ruleset} compiled for the packet path: one {@link CompiledTable} per family and
 * table. Built at commit (all or nothing: any {@link CommitException} leaves the running ruleset
 * as it was) and published with one volatile write ({@link Netfilter#swap}). Named state
 * (recent lists, hashlimit buckets) comes from the {@link RuntimeState} given at compile, so it
 * survives the swap.
 */
public final class CompiledRuleset {
    private final CompiledTable[][] tables;

    private CompiledRuleset(CompiledTable[][] tables) {
        this.tables = tables;
    }

    /** Compiles every table of both families. */
    public static CompiledRuleset compile(Ruleset rs, RuntimeState state) throws CommitException {
        CompiledTable[][] t = new CompiledTable[Family.values().length][TableKind.values().length];
        for (Family f : Family.values()) {
            for (TableKind k : TableKind.values()) {
                t[f.ordinal()][k.ordinal()] = new CompiledTable(rs.table(f, k), state);
            }
        }
        return new CompiledRuleset(t);
    }

    /** An empty ruleset: every built-in chain with policy ACCEPT. */
    public static CompiledRuleset empty() {
        try {
            return compile(new Ruleset(), new StateRegistry());
        } catch (CommitException e) {
            throw new IllegalStateException(e);
        }
    }

    public CompiledTable table(Family family, TableKind kind) {
        return tables[family.ordinal()][kind.ordinal()];
    }

    /** Table by IP version (4 or 6) on the packet path. */
    CompiledTable table(int ipVersion, TableKind kind) {
        return tables[ipVersion == 6 ? 1 : 0][kind.ordinal()];
    }

    /** Writes the live counters back into the model (rules and policies) for listing and save. */
    public void writeCounters(Ruleset rs) {
        for (Family f : Family.values()) {
            for (TableKind k : TableKind.values()) {
                tables[f.ordinal()][k.ordinal()].writeCounters(rs.table(f, k));
            }
        }
    }
}
