package io.stockade.engine;

import io.stockade.packet.PacketDescriptor;

/**
 * The kernel's limits on the ICMP errors it generates itself (REJECT's port/host/… unreachable
 * replies go through {@code icmp_send} / {@code icmpv6_send}):
 * <ul>
 * <li>per destination ({@code inet_peer_xrlim_allow}): a token bucket of {@code ratelimit} ms per
 * message and a burst of 6 ({@code XRLIM_BURST_FACTOR}); a peer seen for the first time starts
 * full. For IPv4 only types in {@code icmp_ratemask} are limited; for IPv6 the errors except
 * packet-too-big (default ratemask 0-1,3-127), and the timeout shrinks with the route's prefix
 * length ({@code tmo >>= (128 - plen) >> 5}). Nothing is limited towards a loopback interface.</li>
 * <li>host-wide ({@code icmp_global_allow}): {@code icmp_msgs_per_sec} credits per second with
 * a burst of {@code icmp_msgs_burst}.</li>
 * </ul>
 * LINUX-DIFF: Linux ≥ 6.1 spends a random 0–2 global credits per message; Stockade spends
 * exactly 1 so replays are deterministic. Peers never expire (the kernel's inet_peer GC frees
 * idle ones after 10 minutes, after which a peer starts full again — the same answer).
 *
 * <p>Time is packet time in nanoseconds. No allocation: a fixed open-addressing table; when
 * it fills up it starts over (every peer full again).
 */
public final class IcmpRateLimiter {
    private static final int CAPACITY = 1 << 12;
    private static final int BURST_FACTOR = 6;
    private static final long ROUTE_ERROR_COST_MS = 1000;
    private static final long ROUTE_ERROR_BURST_MS = 5000;
    private final long[] keyHi = new long[CAPACITY];
    private final long[] keyLo = new long[CAPACITY];
    private final byte[] used = new byte[CAPACITY];
    private final long[] tokensMs = new long[CAPACITY];
    private final long[] lastMs = new long[CAPACITY];
    private int count;
    private double globalCredit = -1;
    private long globalStampMs;

    /**
     * Decides whether one ICMP error to {@code dst} may be sent now.
     *
     * @param timeoutMs per-peer time per message (already scaled for IPv6)
     */
    public boolean allowPeer(int version, long hi, long lo, long nowNanos, long timeoutMs) {
        if (timeoutMs <= 0) {
            return true;
        }
        long now = nowNanos / 1_000_000L;
        int slot = peer(version == 6 ? hi : 0x4000_0000_0000_0000L, lo, now);
        long token = tokensMs[slot] + (now - lastMs[slot]);
        lastMs[slot] = now;
        if (token > BURST_FACTOR * timeoutMs) {
            token = BURST_FACTOR * timeoutMs;
        }
        boolean ok = false;
        if (token >= timeoutMs) {
            token -= timeoutMs;
            ok = true;
        }
        tokensMs[slot] = token;
        return ok;
    }

    /**
     * ip_error's own limit on destination unreachables for packets the routing code refuses:
     * the source's inet_peer tokens (the same bucket {@link #allowPeer} uses for IPv4) grow by one
     * per millisecond up to {@code ip_rt_error_burst} (5 s) and each error costs
     * {@code ip_rt_error_cost} (1 s): five at once, then one per second.
     */
    public boolean allowRouteError(long src, long nowNanos) {
        long now = nowNanos / 1_000_000L;
        int slot = peer(0x4000_0000_0000_0000L, src, now);
        long token = tokensMs[slot] + (now - lastMs[slot]);
        if (token > ROUTE_ERROR_BURST_MS) {
            token = ROUTE_ERROR_BURST_MS;
        }
        lastMs[slot] = now;
        boolean ok = token >= ROUTE_ERROR_COST_MS;
        if (ok) {
            token -= ROUTE_ERROR_COST_MS;
        }
        tokensMs[slot] = token;
        return ok;
    }

    /**
     * icmp_global_allow: refills {@code perSec} credits per second up to {@code burst} and says
     * whether one is available (Linux ≥ 6.10 consumes it only once the per-peer check passed).
     */
    public boolean globalAvailable(long nowNanos, int perSec, int burst) {
        if (perSec <= 0) {
            return true;
        }
        long now = nowNanos / 1_000_000L;
        if (globalCredit < 0) {
            globalCredit = burst;
            globalStampMs = now;
        }
        long delta = Math.min(now - globalStampMs, 1000L);
        if (delta > 0) {
            globalCredit = Math.min(burst, globalCredit + (double) delta * perSec / 1000.0);
            globalStampMs = now;
        }
        return globalCredit >= 1;
    }

    /** icmp_global_consume: spends one credit. */
    public void consumeGlobal(int perSec) {
        if (perSec > 0) {
            globalCredit = Math.max(0, globalCredit - 1);
        }
    }

    /** An ICMP error (destination unreachable, source quench, redirect, time exceeded, parameter problem) or ICMPv6 error (type < 128). */
    static boolean isError(PacketDescriptor pd) {
        int t = pd.icmpType;
        return pd.ipVersion == 4
                ? pd.protocol == 1 && (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
                : pd.protocol == 58 && t >= 0 && t < 128;
    }

    /**
     * Whether the host may send the ICMP(v6) packet {@code pd} now (icmp_send's
     * icmpv4_global_allow / icmpv4_xrlim_allow and the IPv6 twins): types outside the ratemask
     * (IPv4: icmp_ratemask, never fragmentation needed; IPv6: all errors but packet too big) and
     * packets to local or loopback destinations always pass; others need a global credit and the
     * destination peer's token. Spends them when it says yes.
     */
    boolean allowed(HostModel host, PacketDescriptor pd, long time) {
        int v = pd.ipVersion;
        boolean limited;
        if (v == 4) {
            // icmpv4_mask_allow: only types in icmp_ratemask; never fragmentation-needed (PMTU discovery).
            limited = pd.protocol == 1 && pd.icmpType >= 0 && pd.icmpType < 32
                    && ((1 << pd.icmpType) & host.icmpRatemask()) != 0
                    && !(pd.icmpType == 3 && pd.icmpCode == 4);
        } else {
            limited = pd.protocol == 58 && pd.icmpType >= 0 && pd.icmpType < 128 && pd.icmpType != 2;
        }
        if (!limited) {
            return true;
        }
        int r = host.lookup(v, pd.dstHi, pd.dstLo);
        if (r >= 0 && (host.type(r) == AddressTypes.LOCAL || host.isLoopback(host.device(r)))) {
            return true;
        }
        if (!globalAvailable(time, host.icmpMsgsPerSec(), host.icmpMsgsBurst())) {
            return false;
        }
        long tmo;
        if (v == 4) {
            tmo = host.icmpRatelimit();
        } else {
            tmo = host.icmp6Ratelimit();
            int plen = r >= 0 ? host.prefixLength(r) : 0;
            if (plen < 128) {
                tmo >>= (128 - plen) >> 5;
            }
        }
        if (!allowPeer(v, pd.dstHi, pd.dstLo, time, tmo)) {
            return false;
        }
        consumeGlobal(host.icmpMsgsPerSec());
        return true;
    }

    /** The peer's slot, created (tokens 0, last refill 60 s ago: inet_getpeer) when new. */
    private int peer(long kHi, long lo, long now) {
        int slot = slot(kHi, lo);
        if (used[slot] == 0) {
            if (count >= CAPACITY / 2) {
                java.util.Arrays.fill(used, (byte) 0);
                count = 0;
                slot = slot(kHi, lo);
            }
            used[slot] = 1;
            keyHi[slot] = kHi;
            keyLo[slot] = lo;
            tokensMs[slot] = 0;
            lastMs[slot] = now - 60_000L;
            count++;
        }
        return slot;
    }

    private int slot(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL;
        int s = (int) (h ^ (h >>> 29)) & (CAPACITY - 1);
        while (used[s] != 0 && (keyHi[s] != hi || keyLo[s] != lo)) {
            s = (s + 1) & (CAPACITY - 1);
        }
        return s;
    }
}
