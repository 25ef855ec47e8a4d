package io.stockade.ext.match;

import io.stockade.rules.Family;

/**
 * One {@code xt_recent} list (the kernel's {@code struct recent_table}): up to
 * {@link #ipListTot} addresses, each with its last TTL and a ring of packet timestamps in jiffies,
 * evicted least-recently-used first. Shared by every rule naming it, across ruleset commits (the
 * engine's {@code RuntimeState} keeps it under {@link #KEY_PREFIX} + name). The entry pool is
 * allocated once; the packet path does not allocate. Not thread-safe: one instance per engine
 * worker, as the kernel serialises on {@code recent_lock}.
 */
public final class RecentTable {
    /** RuntimeState key prefix of a list. */
    public static final String KEY_PREFIX = "xt_recent:";
    /** Module parameter ip_list_tot: addresses remembered per list. */
    public static volatile int ipListTot = 100;
    /** Module parameter ip_pkt_list_tot (kept for backwards compatibility): packets per address. */
    public static volatile int ipPktListTot = 20;

    private final String name;
    private final long maskHi;
    private final long maskLo;
    private final int capacity;
    private int nstampsMaxMask;

    private final long[] addrHi;
    private final long[] addrLo;
    private final int[] family;
    private final int[] ttl;
    private final int[] index;
    private final int[] nstamps;
    private long[] stamps;
    /** LRU doubly linked list over slots; slot {@code capacity} is the sentinel. */
    private final int[] prev;
    private final int[] next;
    private final int[] freeList;
    private int freeCount;
    private int entries;

    RecentTable(String name, long maskHi, long maskLo, int nstampsMaxMask) {
        this.name = name;
        this.maskHi = maskHi;
        this.maskLo = maskLo;
        this.capacity = Math.max(1, ipListTot);
        this.nstampsMaxMask = nstampsMaxMask;
        addrHi = new long[capacity];
        addrLo = new long[capacity];
        family = new int[capacity];
        ttl = new int[capacity];
        index = new int[capacity];
        nstamps = new int[capacity];
        stamps = new long[capacity * (nstampsMaxMask + 1)];
        prev = new int[capacity + 1];
        next = new int[capacity + 1];
        freeList = new int[capacity];
        flush();
    }

    /** The nstamps mask recent_mt_check derives from a rule's hit count. */
    static int nstampMask(long hitCount) {
        long n;
        if (ipPktListTot != 0 && hitCount < ipPktListTot) {
            n = ipPktListTot;
        } else if (hitCount != 0) {
            n = hitCount;
        } else {
            n = 32;
        }
        long pow2 = n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
        return (int) pow2 - 1;
    }

    public String name() {
        return name;
    }

    /** Number of addresses in the list. */
    public int size() {
        return entries;
    }

    /** A rule with a larger stamp ring joined: grow it, flushing the list as the kernel does. */
    void growTo(int mask) {
        if (mask > nstampsMaxMask) {
            nstampsMaxMask = mask;
            stamps = new long[capacity * (mask + 1)];
            flush();
        }
    }

    /** Removes every entry ("/" written to the proc file). */
    public void flush() {
        int s = capacity;
        next[s] = s;
        prev[s] = s;
        freeCount = 0;
        for (int i = capacity - 1; i >= 0; i--) {
            freeList[freeCount++] = i;
        }
        entries = 0;
    }

    long maskHi() {
        return maskHi;
    }

    long maskLo() {
        return maskLo;
    }

    int stampsPerEntry() {
        return nstampsMaxMask + 1;
    }

    /** recent_entry_lookup: the slot, or -1. {@code t == 0} matches any TTL. */
    int lookup(int fam, long hi, long lo, int t) {
        int s = capacity;
        for (int e = next[s]; e != s; e = next[e]) {
            if (family[e] == fam && addrHi[e] == hi && addrLo[e] == lo && (t == ttl[e] || t == 0 || ttl[e] == 0)) {
                return e;
            }
        }
        return -1;
    }

    /** recent_entry_remove. */
    void remove(int e) {
        next[prev[e]] = next[e];
        prev[next[e]] = prev[e];
        freeList[freeCount++] = e;
        entries--;
    }

    private void linkTail(int e) {
        int s = capacity;
        prev[e] = prev[s];
        next[e] = s;
        next[prev[s]] = e;
        prev[s] = e;
    }

    /** recent_entry_init: evicts the LRU entry when full; the new entry has one stamp. */
    int init(int fam, long hi, long lo, int t, long jiffies) {
        if (entries >= ipListTot || freeCount == 0) {
            remove(next[capacity]);
        }
        int e = freeList[--freeCount];
        addrHi[e] = hi;
        addrLo[e] = lo;
        family[e] = fam;
        ttl[e] = t;
        stamps[e * (nstampsMaxMask + 1)] = jiffies;
        nstamps[e] = 1;
        index[e] = 1;
        linkTail(e);
        entries++;
        return e;
    }

    /** recent_entry_update: records a stamp and moves the entry to the LRU tail. */
    void update(int e, int t, long jiffies) {
        int i = index[e] & nstampsMaxMask;
        stamps[e * (nstampsMaxMask + 1) + i] = jiffies;
        index[e] = (i + 1) & 0xffff;
        if (index[e] > nstamps[e]) {
            nstamps[e] = index[e];
        }
        next[prev[e]] = next[e];
        prev[next[e]] = prev[e];
        linkTail(e);
        ttl[e] = t;
    }

    int nstamps(int e) {
        return nstamps[e];
    }

    long stamp(int e, int i) {
        return stamps[e * (nstampsMaxMask + 1) + i];
    }

    /** recent_entry_reap: drops the LRU entry if its newest stamp is before {@code time}. */
    void reap(long time) {
        int e = next[capacity];
        if (e == capacity) {
            return;
        }
        long newest = stamp(e, (index[e] - 1) & nstampsMaxMask);
        if (newest - time < 0) {
            remove(e);
        }
    }

    /**
     * The list as {@code /proc/net/xt_recent/NAME} shows it: one line per address,
     * {@code src=ADDR ttl: T last_seen: J oldest_pkt: I J1, J2, …} with stamps in jiffies.
     */
    // LINUX-DIFF: lines come in least-recently-used order; the kernel prints in hash-bucket order (random seed).
    public void render(StringBuilder out) {
        int s = capacity;
        for (int e = next[s]; e != s; e = next[e]) {
            int i = (index[e] - 1) & nstampsMaxMask;
            Family f = family[e] == 4 ? Family.IPV4 : Family.IPV6;
            out.append("src=").append(Xt.formatAddress(f, addrHi[e], addrLo[e]))
                    .append(" ttl: ").append(ttl[e])
                    .append(" last_seen: ").append(stamp(e, i))
                    .append(" oldest_pkt: ").append(index[e]);
            for (int k = 0; k < nstamps[e]; k++) {
                out.append(k == 0 ? " " : ", ").append(stamp(e, k));
            }
            out.append('\n');
        }
    }

    /**
     * A write to the proc file: {@code +ADDR} adds (or refreshes) an address, {@code -ADDR}
     * removes it, {@code /} flushes.
     *
     * @return false for anything else (the kernel's EINVAL)
     */
    public boolean procWrite(String cmd, long jiffies) {
        if (cmd.startsWith("/")) {
            flush();
            return true;
        }
        if (cmd.length() < 2 || (cmd.charAt(0) != '+' && cmd.charAt(0) != '-')) {
            return false;
        }
        String a = cmd.substring(1).strip();
        boolean v6 = a.indexOf(':') >= 0;
        long[] addr = v6 ? Xt.ipv6(a) : Xt.ipv4(a);
        if (addr == null) {
            return false;
        }
        int fam = v6 ? 6 : 4;
        int e = lookup(fam, addr[0], addr[1], 0);
        if (cmd.charAt(0) == '+') {
            if (e < 0) {
                init(fam, addr[0], addr[1], 0, jiffies);
            } else {
                update(e, ttl[e], jiffies);
            }
        } else if (e >= 0) {
            remove(e);
        }
        return true;
    }
}
