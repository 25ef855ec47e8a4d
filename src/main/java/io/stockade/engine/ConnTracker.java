package io.stockade.engine;

/**
 * Connection tracking as the engine calls it (the kernel's {@code nf_conntrack_in} at priority
 * −200 in PREROUTING and OUTPUT, and {@code nf_conntrack_confirm} at the last hook a packet
 * crosses: end of INPUT or POSTROUTING). Implemented by {@code io.stockade.conntrack.ConntrackTable}.
 *
 * <p>Contract: {@link #in} finds or creates (unconfirmed) the entry for {@code skb}, sets
 * {@code skb.conn}, {@code skb.ctinfo} and {@code skb.ctStateBits} (or marks the packet INVALID);
 * it leaves alone packets that already carry an entry or are marked untracked ({@code skb.conn != null}
 * or {@code ctinfo == 7}, e.g. {@code -j CT --notrack} in raw, a TCP RST the kernel attached to the
 * rejected connection with {@code nf_ct_attach}, a packet looped back through {@code lo}) — as
 * nf_conntrack_in returns early for them. A template in {@code skb.conn} ({@code Conn.isTemplate}, e.g.
 * SYNPROXY's on the SYN it sends the server) is not an entry: a new entry is created from it.
 * {@link #confirm} inserts a new entry into the table; a packet dropped before the
 * confirm step leaves no entry. Both run on the packet path: no allocation for existing entries,
 * no exceptions. {@code skb.timeNanos} is the clock (expiry is lazy, on packet time).
 */
public interface ConnTracker {
    /** nf_conntrack_in: classify the packet, attach its entry. */
    void in(Skb skb);

    /** nf_conntrack_confirm: make a new entry permanent (the packet was not dropped). */
    void confirm(Skb skb);

    /**
     * nf_ct_set_closing: a confirmed TCP entry of {@code skb} goes to CLOSE with the CLOSE timeout
     * (a REJECT reset was sent for it); other entries are left alone. The default does nothing.
     */
    default void setClosing(Skb skb) {
    }

    /** No tracking: every packet stays with {@code conn == null}, {@code ctinfo == 0}, no state bits. */
    ConnTracker NONE = new ConnTracker() {
        @Override
        public void in(Skb skb) {
        }

        @Override
        public void confirm(Skb skb) {
        }
    };
}
