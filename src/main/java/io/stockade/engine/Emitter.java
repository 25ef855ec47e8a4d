package io.stockade.engine;

import java.lang.foreign.MemorySegment;

/**
 * Where targets hand what they produce: packets the "kernel" generates (REJECT replies; they go
 * through OUTPUT/routing like the kernel's own), log lines (LOG), and trace lines (TRACE).
 * The offline drivers record them; the live daemon sends/writes them.
 */
public interface Emitter {
    /**
     * A locally generated IP packet (starting at the IP header), e.g. a REJECT reply. The bytes
     * are only valid during the call; implementations copy what they keep.
     *
     * @param family 4 or 6
     */
    void emitPacket(int family, MemorySegment ipPacket, int length, Skb cause);

    /**
     * A locally generated IP packet carrying the conntrack entry the kernel attaches with
     * {@code nf_ct_set} before {@code ip_local_out} (SYNPROXY): {@code conn} null = conntrack
     * tracks it afresh in OUTPUT; a template ({@code Conn.isTemplate}) = a new entry is created
     * from it; else the packet belongs to {@code conn} with {@code ctinfo} and is not tracked
     * again. The default ignores the entry.
     */
    default void emitTracked(int family, MemorySegment ipPacket, int length, io.stockade.conntrack.Conn conn, int ctinfo) {
        emitPacket(family, ipPacket, length, null);
    }

    /**
     * REJECT sent a TCP reset for {@code cause} (nf_send_reset, after the reply was routed): the
     * kernel marks {@code cause}'s confirmed TCP entry closing ({@code nf_ct_set_closing}, Linux
     * 6.4 and later). The default does nothing.
     */
    default void resetSent(Skb cause) {
    }

    /** A kernel log line as LOG/ TRACE would write it (without the syslog prefix). */
    void log(int level, CharSequence line);

    /** Discards everything. */
    Emitter NONE = new Emitter() {
        @Override
        public void emitPacket(int family, MemorySegment ipPacket, int length, Skb cause) {
        }

        @Override
        public void log(int level, CharSequence line) {
        }
    };
}
