package io.stockade.engine;

/**
 * The per-packet half of an extension target. Must not allocate or throw on the packet path;
 * packets it emits (REJECT replies, LOG lines) go through the {@link Emitter} it is given.
 */
public interface TargetAction {
    /** @return a {@link Verdict} code (CONTINUE for non-terminating targets such as LOG or MARK) */
    int execute(Skb skb, Emitter emitter);
}
