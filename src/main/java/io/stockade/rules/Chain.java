package io.stockade.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A chain in the control-plane model: built-in (with a policy and policy counters) or
 * user-defined. Mutable; owned by one {@link Table}. Not thread-safe.
 */
public final class Chain {
    private final String name;
    private final boolean builtin;
    private RuleTarget.Standard.Kind policy;
    private long policyPackets;
    private long policyBytes;
    private final List<Rule> rules = new ArrayList<>();

    public Chain(String name, boolean builtin) {
        this.name = name;
        this.builtin = builtin;
        this.policy = builtin ? RuleTarget.Standard.Kind.ACCEPT : null;
    }

    public String name() {
        return name;
    }

    public boolean builtin() {
        return builtin;
    }

    /** ACCEPT or DROP for a built-in chain; null for a user chain. */
    public RuleTarget.Standard.Kind policy() {
        return policy;
    }

    public void policy(RuleTarget.Standard.Kind policy) {
        this.policy = policy;
    }

    public long policyPackets() {
        return policyPackets;
    }

    public long policyBytes() {
        return policyBytes;
    }

    public void policyCounters(long packets, long bytes) {
        this.policyPackets = packets;
        this.policyBytes = bytes;
    }

    /** The rules, in order; the list is live and may be edited by the control plane. */
    public List<Rule> rules() {
        return rules;
    }

    /** A deep copy (rules are immutable, so the list is copied). */
    public Chain copy(String newName) {
        Chain c = new Chain(newName, builtin);
        c.policy = policy;
        c.policyPackets = policyPackets;
        c.policyBytes = policyBytes;
        c.rules.addAll(rules);
        return c;
    }
}
