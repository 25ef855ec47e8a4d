package io.stockade.conntrack;

import io.stockade.engine.Skb;
import io.stockade.rules.Hook;

/** Drives packets through a table as the engine does: in() at the conntrack hook, confirm() at the end. */
final class Harness {
    static final long SEC = 1_000_000_000L;
    final ConntrackConfig cfg = new ConntrackConfig();
    final ConntrackTable table = new ConntrackTable(cfg);
    final Skb skb = new Skb();
    long now = 1000 * SEC;
    Hook hook = Hook.PREROUTING;

    Skb send(Pkt p) {
        p.into(skb, hook, now);
        table.in(skb);
        if (!skb.ctDrop) {
            table.confirm(skb);
        }
        return skb;
    }

    /** in() only: the packet is dropped by the ruleset before confirm. */
    Skb sendDropped(Pkt p) {
        p.into(skb, hook, now);
        table.in(skb);
        return skb;
    }

    void advance(double seconds) {
        now += (long) (seconds * SEC);
    }

    long left(Conn c) {
        return c.secondsLeft(now);
    }

    String line(Conn c) {
        return ConntrackFormat.line(c, now, false);
    }
}
