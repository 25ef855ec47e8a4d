package io.stockade.engine;

import io.stockade.packet.DropReason;
import io.stockade.rules.Hook;

/**
 * What happened to one packet on its way through the host, filled by {@link Netfilter} (reused;
 * not thread-safe): the final verdict, the path it took, its output interface, the rule that
 * decided (a DROP/REJECT/QUEUE rule anywhere, else the filter table's deciding rule or policy),
 * the conntrack state seen, and a host-level drop reason if no rule decided.
 */
public final class PathResult {
    /** Final outcome. */
    public static final int ACCEPTED = 0;
    public static final int DROPPED = 1;
    public static final int REJECTED = 2;
    public static final int QUEUED = 3;
    public static final int STOLEN = 4;

    public int outcome;
    /** INPUT (delivered locally), FORWARD, or OUTPUT (locally generated); null if it never got past PREROUTING. */
    public Hook path;
    /** Output interface ("" if none, "local" never: delivery is path INPUT). */
    public String out = "";
    /** The table and entry that decided, or null / -1. */
    public CompiledTable table;
    public int entry = -1;
    /** Hook at which {@link #table}/{@link #entry} decided. */
    public Hook decidedAt;
    /** Conntrack state bits after the conntrack hook (Skb.ctStateBits), 0 if untracked. */
    public int ctStateBits;
    /** Host-level drop, or null. */
    public EngineDrop engineDrop;
    /** Malformed input, or NONE. */
    public DropReason malformed = DropReason.NONE;
    /** Number of packets the host generated for this one (REJECT replies), after rate limits. */
    public int emitted;
    /** True when defrag held this fragment (outcome STOLEN): no table saw it yet. */
    public boolean defragHeld;

    public void reset() {
        outcome = ACCEPTED;
        path = null;
        out = "";
        table = null;
        entry = -1;
        decidedAt = null;
        ctStateBits = 0;
        engineDrop = null;
        malformed = DropReason.NONE;
        emitted = 0;
        defragHeld = false;
    }

    /** "accept", "drop", "reject", "queue" or "stolen". */
    public String verdictName() {
        return switch (outcome) {
            case ACCEPTED -> "accept";
            case DROPPED -> "drop";
            case REJECTED -> "reject";
            case QUEUED -> "queue";
            default -> "stolen";
        };
    }

    /** {@code table:CHAIN:N}, {@code table:CHAIN:policy}, or null if no rule decided. */
    public String ruleName() {
        if (table == null || entry < 0) {
            return null;
        }
        String c = table.chainName(entry);
        int n = table.ruleNumber(entry);
        return table.kind.tableName + ":" + c + ":" + (table.isPolicy(entry) ? "policy" : Integer.toString(n));
    }

    /**
     * The conntrack match's state names for {@code Skb.ctStateBits} (NF_CT_STATE bits: INVALID 1,
     * ESTABLISHED 2, RELATED 4, NEW 8, UNTRACKED 64), comma-separated; "" for none.
     */
    public static String ctStateName(int bits) {
        StringBuilder b = new StringBuilder();
        String[] names = {"INVALID", "ESTABLISHED", "RELATED", "NEW"};
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                b.append(b.length() > 0 ? "," : "").append(names[i]);
            }
        }
        if ((bits & 64) != 0) {
            b.append(b.length() > 0 ? "," : "").append("UNTRACKED");
        }
        return b.toString();
    }
}
