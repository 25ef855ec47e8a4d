package io.stockade.ext.match;

/**
 * The kernel clock the rate matches (limit, hashlimit, recent) count in: jiffies at
 * {@link #HZ} per second, derived from the packet time ({@code Skb.timeNanos}).
 */
final class Jiffies {
    /**
     * CONFIG_HZ of the reference kernel (Debian's default). The limit match's credit arithmetic
     * depends on it (CREDITS_PER_JIFFY); the listings and /proc output do not.
     */
    static final int HZ = 250;

    private Jiffies() {
    }

    /** Jiffies at packet time {@code nanos} (floor; 0 at time 0). */
    static long of(long nanos) {
        return Math.floorDiv(nanos, 1_000_000_000L / HZ);
    }
}
