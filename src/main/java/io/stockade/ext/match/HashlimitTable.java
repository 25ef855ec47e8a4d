package io.stockade.ext.match;

import io.stockade.rules.Family;

/**
 * One {@code xt_hashlimit} table ({@code struct xt_hashlimit_htable}): a bucket per key (the
 * masked source/destination address and ports the mode selects), each a token bucket
 * ({@code dsthash_ent.rateinfo}) in the kernel's credit units, refilled on packet time. Shared by
 * every rule that names it in the same family and kept across commits; its configuration is that
 * of the rule that created it. At most {@code max} keys: a packet needing one more is hot-dropped,
 * as in the kernel. Entries expire {@code expire} ms after their last packet and are removed by a
 * garbage collection every {@code gcinterval} ms of packet time. All storage is allocated when the
 * table is created; the packet path does not allocate. Not thread-safe.
 */
public final class HashlimitTable {
    /** RuntimeState key prefix; the key is prefix + family version + ":" + name. */
    public static final String KEY_PREFIX = "xt_hashlimit:";
    /** Default bucket count of the reference host (more than 1 GiB of RAM). */
    static final int DEFAULT_SIZE = 8192;
    /** HASHLIMIT_MAX_SIZE. */
    static final int MAX_SIZE = 1048576;

    static final long CPJ = Long.highestOneBit(Long.divideUnsigned(-1L, Jiffies.HZ * 60L * 60 * 24));
    static final long CPJ_BYTES = Long.highestOneBit(0xFFFFFFFFL / Jiffies.HZ);
    static final long SCALE_V2 = 1_000_000L;

    final HashlimitMatch.Spec cfg;
    final Family family;
    final int size;
    final int max;
    private final long expireJiffies;
    private final long gcJiffies;
    private long nextGc = Long.MIN_VALUE;

    private final int[] heads;
    private final int[] next;
    private final int[] free;
    private int freeCount;
    private int count;
    private final boolean[] used;
    private final long[] srcHi;
    private final long[] srcLo;
    private final long[] dstHi;
    private final long[] dstLo;
    private final int[] ports;
    private final long[] expires;
    private final long[] prev;
    private final long[] credit;
    private final long[] creditCap;
    private final long[] cost;
    private final long[] rate;
    private final long[] burst;
    private final long[] currentRate;
    private final boolean[] prevWindow;

    HashlimitTable(HashlimitMatch.Spec cfg) {
        this.cfg = cfg;
        this.family = cfg.family();
        int sz = cfg.size() == 0 ? DEFAULT_SIZE : (int) Math.min(cfg.size(), MAX_SIZE);
        long mx = Math.min(cfg.max(), MAX_SIZE);
        if (mx == 0) {
            mx = 8L * sz;
        } else if (mx < sz) {
            mx = sz;
        }
        this.size = sz;
        this.max = (int) Math.min(mx, MAX_SIZE);
        this.expireJiffies = msecsToJiffies(cfg.expire());
        this.gcJiffies = msecsToJiffies(cfg.gcInterval());
        heads = new int[size];
        java.util.Arrays.fill(heads, -1);
        next = new int[max];
        free = new int[max];
        for (int i = max - 1; i >= 0; i--) {
            free[freeCount++] = i;
        }
        used = new boolean[max];
        srcHi = new long[max];
        srcLo = new long[max];
        dstHi = new long[max];
        dstLo = new long[max];
        ports = new int[max];
        expires = new long[max];
        prev = new long[max];
        credit = new long[max];
        creditCap = new long[max];
        cost = new long[max];
        rate = new long[max];
        burst = new long[max];
        currentRate = new long[max];
        prevWindow = new boolean[max];
    }

    static long msecsToJiffies(long ms) {
        return (ms * Jiffies.HZ + 999) / 1000;
    }

    /** user2credits for revision 2/3 (u64 arithmetic). */
    static long user2credits(long user) {
        long hzCpj = Jiffies.HZ * CPJ;
        if (Long.compareUnsigned(SCALE_V2, hzCpj) >= 0) {
            return Long.divideUnsigned(user, Long.divideUnsigned(SCALE_V2, hzCpj));
        }
        return user * Long.divideUnsigned(hzCpj, SCALE_V2);
    }

    /** user2credits_byte: (avg × HZ × CREDITS_PER_JIFFY_BYTES) >> 32, avg as u32. */
    static long user2creditsByte(long user) {
        long us = user & 0xffffffffL;
        return Long.divideUnsigned(us * Jiffies.HZ * CPJ_BYTES, 1L << 32) & 0xffffffffL;
    }

    /** Number of keys in the table. */
    public int count() {
        return count;
    }

    private int bucket(long sHi, long sLo, long dHi, long dLo, int p) {
        long h = sHi * 31 + sLo;
        h = h * 31 + dHi;
        h = h * 31 + dLo;
        h = h * 31 + p;
        h ^= h >>> 29;
        return (int) Long.remainderUnsigned(h * 0x9E3779B97F4A7C15L, size);
    }

    /** dsthash_find: the slot of a key, or -1. */
    int find(long sHi, long sLo, long dHi, long dLo, int p) {
        for (int e = heads[bucket(sHi, sLo, dHi, dLo, p)]; e >= 0; e = next[e]) {
            if (srcHi[e] == sHi && srcLo[e] == sLo && dstHi[e] == dHi && dstLo[e] == dLo && ports[e] == p) {
                return e;
            }
        }
        return -1;
    }

    /** dsthash_alloc_init + rateinfo_init: a new slot, or -1 when the table is full. */
    int create(long sHi, long sLo, long dHi, long dLo, int p, long now) {
        if (count >= max || freeCount == 0) {
            return -1;
        }
        int e = free[--freeCount];
        int b = bucket(sHi, sLo, dHi, dLo, p);
        next[e] = heads[b];
        heads[b] = e;
        used[e] = true;
        count++;
        srcHi[e] = sHi;
        srcLo[e] = sLo;
        dstHi[e] = dHi;
        dstLo[e] = dLo;
        ports[e] = p;
        expires[e] = now + expireJiffies;
        prev[e] = now;
        int mode = cfg.mode();
        if ((mode & HashlimitMatch.RATE_MATCH) != 0) {
            prevWindow[e] = false;
            currentRate[e] = 0;
            if ((mode & HashlimitMatch.BYTES) != 0) {
                long r = (cfg.avg() & 0xffffffffL) == 0 ? 0xffffffffL : 0xffffffffL / (cfg.avg() & 0xffffffffL);
                rate[e] = (r - 1) << HashlimitMatch.BYTE_SHIFT;
                burst[e] = cfg.burst() != 0 ? cfg.burst() * rate[e] : rate[e];
            } else {
                rate[e] = cfg.avg() == 0 ? 0 : Long.divideUnsigned(SCALE_V2, cfg.avg());
                burst[e] = cfg.burst() + rate[e];
            }
        } else if ((mode & HashlimitMatch.BYTES) != 0) {
            credit[e] = CPJ_BYTES * Jiffies.HZ;
            cost[e] = user2creditsByte(cfg.avg());
            creditCap[e] = cfg.burst();
        } else {
            credit[e] = user2credits(cfg.avg() * cfg.burst());
            cost[e] = user2credits(cfg.avg());
            creditCap[e] = credit[e];
        }
        return e;
    }

    /** A packet for an existing key: new expiry, then rateinfo_recalc. */
    void touch(int e, long now) {
        expires[e] = now + expireJiffies;
        recalc(e, now);
    }

    private void recalc(int e, long now) {
        long delta = now - prev[e];
        if (delta == 0) {
            return;
        }
        int mode = cfg.mode();
        if ((mode & HashlimitMatch.RATE_MATCH) != 0) {
            long interval = cfg.interval() * Jiffies.HZ;
            if (Long.compareUnsigned(delta, interval) < 0) {
                return;
            }
            prev[e] = now;
            prevWindow[e] = Long.compareUnsigned(currentRate[e] * interval, delta * rate[e]) > 0;
            currentRate[e] = 0;
            return;
        }
        prev[e] = now;
        long cap;
        if ((mode & HashlimitMatch.BYTES) != 0) {
            long tmp = credit[e];
            credit[e] += CPJ_BYTES * delta;
            cap = CPJ_BYTES * Jiffies.HZ;
            if (Long.compareUnsigned(tmp, credit[e]) >= 0) {
                credit[e] = cap;
                return;
            }
        } else {
            credit[e] += delta * CPJ;
            cap = creditCap[e];
        }
        if (Long.compareUnsigned(credit[e], cap) > 0) {
            credit[e] = cap;
        }
    }

    /**
     * The rate decision of hashlimit_mt_common for slot {@code e}: true when under the limit.
     *
     * @param ruleMode the mode bits of the rule being evaluated (RATE_MATCH, BYTES come from it)
     * @param len      the packet length (skb->len) for byte mode
     */
    boolean underLimit(int e, int ruleMode, int len) {
        if ((ruleMode & HashlimitMatch.RATE_MATCH) != 0) {
            currentRate[e] += (ruleMode & HashlimitMatch.BYTES) != 0 ? len : 1;
            return !prevWindow[e] && Long.compareUnsigned(currentRate[e], burst[e]) <= 0;
        }
        long c;
        if ((ruleMode & HashlimitMatch.BYTES) != 0) {
            long tmp = (((len & 0xffffffffL) >>> HashlimitMatch.BYTE_SHIFT) + 1) * cost[e];
            long capBytes = CPJ_BYTES * Jiffies.HZ;
            if (Long.compareUnsigned(tmp, capBytes) > 0) {
                tmp = capBytes;
            }
            if (Long.compareUnsigned(credit[e], tmp) < 0 && creditCap[e] != 0) {
                creditCap[e]--;
                credit[e] = capBytes;
            }
            c = tmp & 0xffffffffL;
        } else {
            c = cost[e];
        }
        if (Long.compareUnsigned(credit[e], c) >= 0) {
            credit[e] -= c;
            return true;
        }
        return false;
    }

    /** The periodic garbage collection, run lazily on packet time. */
    void gc(long now) {
        if (nextGc == Long.MIN_VALUE) {
            nextGc = now + gcJiffies;
            return;
        }
        if (now - nextGc < 0) {
            return;
        }
        nextGc = now + gcJiffies;
        for (int b = 0; b < size; b++) {
            int p = -1;
            int e = heads[b];
            while (e >= 0) {
                int n = next[e];
                if (now - expires[e] >= 0) {
                    if (p < 0) {
                        heads[b] = n;
                    } else {
                        next[p] = n;
                    }
                    used[e] = false;
                    free[freeCount++] = e;
                    count--;
                } else {
                    p = e;
                }
                e = n;
            }
        }
    }

    /**
     * The table as {@code /proc/net/ipt_hashlimit/NAME} (ip6t_hashlimit) shows it at packet time
     * {@code nowNanos}: {@code SECONDS_LEFT SRC:SPORT->DST:DPORT CREDIT CREDIT_CAP COST} per key
     * (after the same refill the kernel's seq_show does).
     */
    // LINUX-DIFF: lines come in slot order; the kernel prints in hash-bucket order (random seed).
    public void render(StringBuilder out, long nowNanos) {
        long now = Jiffies.of(nowNanos);
        for (int e = 0; e < max; e++) {
            if (!used[e]) {
                continue;
            }
            recalc(e, now);
            out.append((expires[e] - now) / Jiffies.HZ).append(' ')
                    .append(Xt.formatAddress(family, srcHi[e], srcLo[e])).append(':').append(ports[e] >>> 16)
                    .append("->")
                    .append(Xt.formatAddress(family, dstHi[e], dstLo[e])).append(':').append(ports[e] & 0xffff)
                    .append(' ').append(Long.toUnsignedString(credit[e]))
                    .append(' ').append(Long.toUnsignedString(creditCap[e]))
                    .append(' ').append(Long.toUnsignedString(cost[e])).append('\n');
        }
    }
}
