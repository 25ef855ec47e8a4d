package io.stockade.engine;

/**
 * The nf_tables form of packet tracing (iptables-nft: the kernel's nftrace events, printed by
 * {@code xtables-monitor --trace}). When installed ({@link Netfilter#nftTrace}), the evaluator
 * reports a traced packet's steps here instead of writing ip_tables' log lines: every rule it
 * matches, after the rule's target ran (so the TRACE rule itself is reported), and the policy of
 * a built-in chain; nf_tables reports no event for the end of a user chain. {@code first} is true
 * for the first event of a table traversal, which in the kernel carries the packet's headers.
 * Called only for packets with {@link Skb#trace}; implementations may allocate.
 */
public interface NftTrace {
    /** nf_tables verdict codes of rule events that are not netfilter verdicts. */
    int NFT_CONTINUE = -1;
    int NFT_JUMP = -3;
    int NFT_GOTO = -4;
    int NFT_RETURN = -5;

    /**
     * A traced packet matched {@code entry} of {@code table}.
     *
     * @param code   a {@link Verdict} code (ACCEPT, DROP, STOLEN, QUEUE with its number) or one
     *               of the NFT_* codes
     * @param target the chain of a jump or goto, else null
     */
    void rule(CompiledTable table, int entry, int code, String target, boolean first, Skb skb);

    /** A traced packet reached the policy entry {@code entry} of a built-in chain. */
    void policy(CompiledTable table, int entry, int verdict, boolean first, Skb skb);

    /**
     * The packet and every packet its targets emitted (REJECT replies, traversed after it) are
     * done. Linux sends such a reply from inside the target, so the reply's trace comes before
     * the line of the rule that sent it; an implementation holds that line back until here.
     */
    default void packetDone() {
    }
}
