package io.stockade.conntrack;

/**
 * Open-addressing hash index from a tuple (family, protocol, zone, addresses, ports) to the entry
 * and the direction in which that tuple is the entry's original or reply tuple (the kernel's
 * {@code tuplehash[dir]} in one table). Linear probing with backward-shift deletion; a lookup
 * never allocates. Capacity doubles (a control-plane allocation) when half full.
 */
final class TupleIndex {
    private Conn[] conns;
    private byte[] dirs;
    private int mask;
    private int size;

    /** Direction of the last successful {@link #find}. */
    int foundDir;

    TupleIndex(int initialCapacity) {
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
        conns = new Conn[cap];
        dirs = new byte[cap];
        mask = cap - 1;
    }

    int size() {
        return size;
    }

    int capacity() {
        return conns.length;
    }

    Conn slotConn(int slot) {
        return conns[slot];
    }

    int slotDir(int slot) {
        return dirs[slot];
    }

    static int hash(int ver, int proto, int zone, long sHi, long sLo, long dHi, long dLo, int sp, int dp) {
        long h = 0x9E3779B97F4A7C15L ^ ((long) ver << 40 | (long) proto << 32 | (zone & 0xffffffffL));
        h = mix(h ^ sHi);
        h = mix(h ^ sLo);
        h = mix(h ^ dHi);
        h = mix(h ^ dLo);
        h = mix(h ^ ((long) sp << 32 | (dp & 0xffffffffL)));
        return (int) (h ^ (h >>> 32));
    }

    private static long mix(long h) {
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 29);
    }

    static int hashOf(Conn c, int dir) {
        return hash(c.ipVersion, c.protocol, c.zone, c.srcHi(dir), c.srcLo(dir), c.dstHi(dir), c.dstLo(dir),
                c.srcPort(dir), c.dstPort(dir));
    }

    /** Home slot for a hash. */
    int home(int hash) {
        return hash & mask;
    }

    /** The entry whose tuple in some direction equals the key, or null; sets {@link #foundDir}. */
    Conn find(int ver, int proto, int zone, long sHi, long sLo, long dHi, long dLo, int sp, int dp) {
        int i = hash(ver, proto, zone, sHi, sLo, dHi, dLo, sp, dp) & mask;
        while (true) {
            Conn c = conns[i];
            if (c == null) {
                return null;
            }
            int d = dirs[i];
            if (c.ipVersion == ver && c.protocol == proto && c.zone == zone
                    && c.srcLo(d) == sLo && c.dstLo(d) == dLo && c.srcPort(d) == sp && c.dstPort(d) == dp
                    && c.srcHi(d) == sHi && c.dstHi(d) == dHi) {
                foundDir = d;
                return c;
            }
            i = (i + 1) & mask;
        }
    }

    void insert(Conn c, int dir) {
        if ((size + 1) * 2 > conns.length) {
            grow();
        }
        int i = hashOf(c, dir) & mask;
        while (conns[i] != null) {
            i = (i + 1) & mask;
        }
        conns[i] = c;
        dirs[i] = (byte) dir;
        size++;
    }

    /** Removes the slot holding {@code c} in direction {@code dir}; false if absent. */
    boolean remove(Conn c, int dir) {
        int i = hashOf(c, dir) & mask;
        while (true) {
            Conn e = conns[i];
            if (e == null) {
                return false;
            }
            if (e == c && dirs[i] == dir) {
                break;
            }
            i = (i + 1) & mask;
        }
        deleteSlot(i);
        return true;
    }

    private void deleteSlot(int hole) {
        conns[hole] = null;
        size--;
        int i = (hole + 1) & mask;
        while (conns[i] != null) {
            int home = hashOf(conns[i], dirs[i]) & mask;
            // Move the entry back into the hole if its home is not in (hole, i].
            boolean between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!between) {
                conns[hole] = conns[i];
                dirs[hole] = dirs[i];
                conns[i] = null;
                hole = i;
            }
            i = (i + 1) & mask;
        }
    }

    void clear() {
        java.util.Arrays.fill(conns, null);
        size = 0;
    }

    private void grow() {
        Conn[] oldC = conns;
        byte[] oldD = dirs;
        conns = new Conn[oldC.length * 2];
        dirs = new byte[oldC.length * 2];
        mask = conns.length - 1;
        size = 0;
        for (int i = 0; i < oldC.length; i++) {
            if (oldC[i] != null) {
                insert(oldC[i], oldD[i]);
            }
        }
    }
}
