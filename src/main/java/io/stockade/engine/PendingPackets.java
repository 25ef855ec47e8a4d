package io.stockade.engine;

import io.stockade.conntrack.Conn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The packets the host generates while one packet crosses the hooks (REJECT replies, the routing
 * code's ICMP errors, SYNPROXY's sends), held in preallocated buffers until that packet is done
 * and then sent through OUTPUT by {@link Netfilter}. Each remembers the conntrack entry it is to
 * carry: the cause's (nf_ct_attach, derived when sent) or one given explicitly (SYNPROXY).
 * Buffers are allocated on first use and reused; at most {@link #MAX} per packet, each at most
 * {@link #SIZE} bytes — more are not generated.
 */
final class PendingPackets {
    static final int MAX = 8;
    static final int SIZE = 65536;

    final MemorySegment[] buf = new MemorySegment[MAX];
    final int[] len = new int[MAX];
    final Conn[] conn = new Conn[MAX];
    final int[] ctinfo = new int[MAX];
    /** The entry was given explicitly (Emitter.emitTracked), not derived from the cause. */
    final boolean[] tracked = new boolean[MAX];
    int count;

    /** Copies {@code packet}; the cause's entry and ctinfo are remembered. */
    void add(MemorySegment packet, int length, Skb cause) {
        if (count >= MAX || length > SIZE || length <= 0) {
            return;
        }
        int i = count++;
        if (buf[i] == null) {
            buf[i] = Arena.ofAuto().allocate(SIZE, 8);
        }
        MemorySegment.copy(packet, 0, buf[i], 0, length);
        len[i] = length;
        conn[i] = cause == null ? null : cause.conn;
        ctinfo[i] = cause == null ? 0 : cause.ctinfo;
        tracked[i] = false;
    }

    /** Copies {@code packet}, to be sent with exactly this entry and ctinfo. */
    void addTracked(MemorySegment packet, int length, Conn c, int info) {
        int before = count;
        add(packet, length, null);
        if (count > before) {
            conn[before] = c;
            ctinfo[before] = info;
            tracked[before] = true;
        }
    }
}
