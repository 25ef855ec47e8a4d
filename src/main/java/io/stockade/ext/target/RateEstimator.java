package io.stockade.ext.target;

/**
 * One named rate estimator of the RATEEST target (xt_RATEEST's {@code struct xt_rateest}, an
 * {@code net/core/gen_estimator.c} estimator): byte and packet counters fed by the target, and
 * the EWMA rates {@code avbps}/{@code avpps} (scaled by 2^8) that the {@code rateest} match reads.
 *
 * <p>The kernel updates the averages from a timer every {@code 250 ms << (interval + 2)}:
 * {@code rate = (delta << (10 - intvl_log)); av += (rate >> ewma_log) - (av >> ewma_log)}, in
 * unsigned 64-bit arithmetic. Here the timer runs on packet time: every feed or read first runs
 * the ticks that are due, so the result is the kernel's for the same arrival times. Estimators are
 * shared by name across rules, tables, families and commits through the engine's runtime state
 * (key {@link #KEY_PREFIX} + name), as the kernel shares them per network namespace.
 *
 * <p>Per packet: no allocation; an idle gap costs at most one tick per interval until the
 * averages stop changing, then the timer skips ahead.
 */
public final class RateEstimator {
    /** Runtime-state key prefix; the estimator's name follows. */
    public static final String KEY_PREFIX = "RATEEST:";
    private static final long QUARTER_SECOND_NANOS = 250_000_000L;

    private int intervalLog = -1;
    private int ewmaLog;
    private long periodNanos;
    private boolean started;
    private long nextNanos;
    private long bytes;
    private long packets;
    private long lastBytes;
    private long lastPackets;
    private long avbps;
    private long avpps;

    /**
     * Sets the estimator's parameters (at commit). A change of parameters starts a new estimator,
     * as the kernel creates a fresh one when the last rule of the old one is gone.
     *
     * @param interval the RATEEST interval exponent, -2..3 (250 ms × 2^(interval + 2))
     * @param ewma     the EWMA log, 1..30
     */
    public synchronized void configure(int interval, int ewma) {
        int il = interval + 2;
        if (il == intervalLog && ewma == ewmaLog) {
            return;
        }
        intervalLog = il;
        ewmaLog = ewma;
        periodNanos = QUARTER_SECOND_NANOS << il;
        started = false;
        bytes = 0;
        packets = 0;
        lastBytes = 0;
        lastPackets = 0;
        avbps = 0;
        avpps = 0;
    }

    /** Whether {@link #configure} was called (a RATEEST rule defines this estimator). */
    public boolean configured() {
        return intervalLog >= 0;
    }

    /** The target's action: counts one packet of {@code len} bytes (skb->len) at {@code nowNanos}. */
    public void add(long nowNanos, int len) {
        advance(nowNanos);
        bytes += len;
        packets++;
    }

    /** gen_estimator_read's {@code bps}: bytes per second at {@code nowNanos} (avbps >> 8). */
    public long bps(long nowNanos) {
        advance(nowNanos);
        return avbps >>> 8;
    }

    /** gen_estimator_read's {@code pps}: packets per second at {@code nowNanos} (avpps >> 8). */
    public long pps(long nowNanos) {
        advance(nowNanos);
        return avpps >>> 8;
    }

    /**
     * Runs the timer ticks due by {@code now}. LINUX-DIFF: the first timer expiry is one interval
     * after the first packet or read the estimator sees, not after the rule's insertion (commits
     * have no packet time).
     */
    private void advance(long now) {
        if (intervalLog < 0) {
            return;
        }
        if (!started) {
            started = true;
            nextNanos = now + periodNanos;
            return;
        }
        while (now - nextNanos >= 0) {
            long b = avbps;
            long p = avpps;
            tick();
            nextNanos += periodNanos;
            if (b == avbps && p == avpps && bytes == lastBytes && packets == lastPackets) {
                // nothing changes any more until a packet arrives: skip the idle ticks
                long behind = (now - nextNanos) / periodNanos;
                if (behind > 0) {
                    nextNanos += behind * periodNanos;
                }
            }
        }
    }

    /** est_timer. */
    private void tick() {
        long brate = (bytes - lastBytes) << (10 - intervalLog);
        brate = (brate >>> ewmaLog) - (avbps >>> ewmaLog);
        long rate = (packets - lastPackets) << (10 - intervalLog);
        rate = (rate >>> ewmaLog) - (avpps >>> ewmaLog);
        avbps += brate;
        avpps += rate;
        lastBytes = bytes;
        lastPackets = packets;
    }
}
