package io.stockade.rules;

/** The five netfilter hooks, in Linux's numbering (NF_INET_PRE_ROUTING = 0 …). */
public enum Hook {
    PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING;

    /** Bit of this hook in a hook mask (as the kernel's {@code hook_mask}). */
    public int bit() {
        return 1 << ordinal();
    }

    private static final Hook[] VALUES = values();

    public static Hook of(int ordinal) {
        return VALUES[ordinal];
    }

    /** The hook whose built-in chain carries this name, or null. */
    public static Hook byChainName(String name) {
        for (Hook h : VALUES) {
            if (h.name().equals(name)) {
                return h;
            }
        }
        return null;
    }
}
