package io.stockade.engine;

/**
 * The per-packet half of a match. Implementations must not allocate, box, throw or block;
 * state (limit buckets, recent lists) lives in objects created once at commit.
 */
public interface Matcher {
    /**
     * @return true if the packet matches (before any {@code !} the rule syntax applies outside
     *         the module — inversion of module options is the module's own business)
     */
    boolean matches(Skb skb);

    /**
     * Set by a match that wants the packet dropped regardless of the rule's target (the kernel's
     * {@code hotdrop}, e.g. a truncated TCP header under a tcp match). Default: never.
     */
    default boolean hotdrop(Skb skb) {
        return false;
    }
}
