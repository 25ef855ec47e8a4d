package io.stockade.rules;

import java.util.EnumSet;
import java.util.Set;

/**
 * The iptables tables, their built-in chains and their priorities at each hook
 * (include/uapi/linux/netfilter_ipv4.h: NF_IP_PRI_RAW -300, CONNTRACK -200, MANGLE -150,
 * NAT_DST -100, FILTER 0, SECURITY 50, NAT_SRC 100).
 */
public enum TableKind {
    RAW("raw", -300, EnumSet.of(Hook.PREROUTING, Hook.OUTPUT)),
    MANGLE("mangle", -150, EnumSet.allOf(Hook.class)),
    NAT("nat", -100, EnumSet.of(Hook.PREROUTING, Hook.INPUT, Hook.OUTPUT, Hook.POSTROUTING)),
    FILTER("filter", 0, EnumSet.of(Hook.INPUT, Hook.FORWARD, Hook.OUTPUT)),
    SECURITY("security", 50, EnumSet.of(Hook.INPUT, Hook.FORWARD, Hook.OUTPUT));

    /** Name as given to {@code -t}. */
    public final String tableName;
    /** Priority at PREROUTING/OUTPUT (nat uses NAT_SRC = 100 at POSTROUTING and INPUT). */
    public final int priority;
    /** Hooks that have a built-in chain in this table. */
    public final Set<Hook> hooks;

    TableKind(String tableName, int priority, Set<Hook> hooks) {
        this.tableName = tableName;
        this.priority = priority;
        this.hooks = hooks;
    }

    /** Priority of this table at a hook; nat is split into NAT_DST (-100) and NAT_SRC (100). */
    public int priorityAt(Hook hook) {
        if (this == NAT && (hook == Hook.POSTROUTING || hook == Hook.INPUT)) {
            return 100;
        }
        return priority;
    }

    /** Table by its {@code -t} name, or null. */
    public static TableKind byName(String name) {
        for (TableKind t : values()) {
            if (t.tableName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
