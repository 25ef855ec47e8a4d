package io.stockade.cli;

import io.stockade.engine.CompiledTable;
import io.stockade.engine.TraceSink;
import io.stockade.engine.Verdict;
import io.stockade.rules.Hook;
import io.stockade.rules.Rule;
import io.stockade.syntax.RuleFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a packet's traversal for {@code stockade trace}: each table entered, each rule looked
 * at (matched, or which part failed), each verdict and each pipeline note, as text lines and as
 * JSON objects.
 */
final class TraceRecorder implements TraceSink {
    final List<String> text = new ArrayList<>();
    final List<String> json = new ArrayList<>();
    private String indent = "  ";
    /** Where the current table's lines start, and whether a rule was looked at since. */
    private int tableText = -1;
    private int tableJson = -1;
    private boolean sawRule;

    void clear() {
        text.clear();
        json.clear();
    }

    /** Lines after this call are indented one more level (generated packets). */
    void nest(boolean nested) {
        indent = nested ? "      " : "  ";
    }

    @Override
    public void enterTable(CompiledTable table, Hook hook) {
        tableText = text.size();
        tableJson = json.size();
        sawRule = false;
        text.add(indent + table.kind.tableName + " " + hook.name() + ":");
        StringBuilder b = new StringBuilder("{\"step\":\"table\",\"table\":\"").append(table.kind.tableName)
                .append("\",\"hook\":\"").append(hook.name()).append("\"}");
        json.add(b.toString());
    }

    @Override
    public void rule(CompiledTable table, int entry, int failedAt) {
        sawRule = true;
        Rule r = table.rule(entry);
        StringBuilder spec = new StringBuilder();
        RuleFormat.appendRule(spec, table.chainName(entry), r, false);
        String result;
        if (failedAt == -2) {
            result = "match";
        } else if (failedAt == -1) {
            result = "no match (address/interface/protocol)";
        } else {
            result = "no match (-m " + r.matches().get(failedAt).name() + ")";
        }
        text.add(indent + "  " + table.chainName(entry) + " #" + table.ruleNumber(entry) + " " + spec + "  → " + result);
        StringBuilder b = new StringBuilder("{\"step\":\"rule\",\"table\":\"").append(table.kind.tableName)
                .append("\",\"chain\":");
        Offline.jsonString(b, table.chainName(entry));
        b.append(",\"rule\":").append(table.ruleNumber(entry)).append(",\"spec\":");
        Offline.jsonString(b, spec.toString());
        b.append(",\"matched\":").append(failedAt == -2);
        if (failedAt >= 0) {
            b.append(",\"failedMatch\":");
            Offline.jsonString(b, r.matches().get(failedAt).name());
        }
        json.add(b.append('}').toString());
    }

    @Override
    public void verdict(CompiledTable table, int entry, int verdict) {
        if (!sawRule && table.isPolicy(entry) && verdict == Verdict.ACCEPT && tableText >= 0) {
            // An empty built-in chain with policy ACCEPT: nothing to show.
            text.subList(tableText, text.size()).clear();
            json.subList(tableJson, json.size()).clear();
            tableText = -1;
            return;
        }
        tableText = -1;
        String where = table.isPolicy(entry) ? table.chainName(entry) + " policy"
                : table.chainName(entry) + " #" + table.ruleNumber(entry);
        text.add(indent + "  → " + Verdict.name(verdict) + " (" + where + ")");
        StringBuilder b = new StringBuilder("{\"step\":\"verdict\",\"table\":\"").append(table.kind.tableName)
                .append("\",\"chain\":");
        Offline.jsonString(b, table.chainName(entry));
        b.append(",\"rule\":");
        if (table.isPolicy(entry)) {
            b.append("\"policy\"");
        } else {
            b.append(table.ruleNumber(entry));
        }
        b.append(",\"verdict\":\"").append(Verdict.name(verdict)).append("\"}");
        json.add(b.toString());
    }

    @Override
    public void note(String line) {
        text.add(indent + line);
        StringBuilder b = new StringBuilder("{\"step\":\"note\",\"text\":");
        Offline.jsonString(b, line);
        json.add(b.append('}').toString());
    }
}
