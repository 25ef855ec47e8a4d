package io.stockade.engine;

import io.stockade.conntrack.Conn;
import io.stockade.synproxy.SynproxyHook;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * SYNPROXY's place in {@link Netfilter}'s path: {@link SynproxyHook} at LOCAL_IN and POST_ROUTING
 * (priority NF_IP_PRI_CONNTRACK_CONFIRM − 1, so just before confirm) for packets of entries with
 * the synproxy extension, and the packets the hook sends: at once, through routing, OUTPUT and
 * POSTROUTING, before the hook goes on ({@code ip_local_out} inside the hook — the ACK to the
 * server must pass confirm before the sequence translation exists). A send from inside such a
 * send is queued like a target's packet instead. One per {@link Netfilter}; no allocation per packet.
 *
 * <p>LINUX-DIFF: the hook runs for every entry with the synproxy extension; Linux registers it with
 * the first SYNPROXY rule of a family and removes it with the last.
 */
final class SynproxyStage {
    private final Netfilter nf;
    private final PacketDecoder decoder;
    private final SynproxyHook hook = new SynproxyHook();
    private final Skb sent = new Skb();
    private final PathResult sentResult = new PathResult();
    private final MemorySegment buf = Arena.ofAuto().allocate(256, 8);
    private boolean sending;
    private long time;
    private PathResult origin;
    private final Emitter now = new Emitter() {
        @Override
        public void emitPacket(int family, MemorySegment ipPacket, int length, Skb cause) {
            emitTracked(family, ipPacket, length, null, 0);
        }

        @Override
        public void emitTracked(int family, MemorySegment ipPacket, int length, Conn conn, int ctinfo) {
            send(ipPacket, length, conn, ctinfo);
        }

        @Override
        public void log(int level, CharSequence line) {
        }
    };

    SynproxyStage(Netfilter nf, PacketDecoder decoder) {
        this.nf = nf;
        this.decoder = decoder;
    }

    /**
     * Runs the hook for {@code skb}; @return true to go on, false when the hook stole (answered)
     * or dropped the packet — {@code res} then says so.
     */
    boolean run(Skb skb, PathResult res, boolean loopback) {
        Conn c = skb.conn;
        if (c == null || !c.synproxy) {
            return true;
        }
        long t = time;
        PathResult o = origin;
        time = skb.timeNanos;
        origin = res;
        int verdict = hook.run(skb, loopback, now);
        origin = o;
        time = t;
        if (verdict == Verdict.ACCEPT) {
            return true;
        }
        nf.note(verdict == Verdict.STOLEN ? "synproxy: packet taken" : "synproxy: dropped");
        res.table = null;
        res.entry = -1;
        res.decidedAt = skb.hook;
        res.outcome = verdict == Verdict.STOLEN ? PathResult.STOLEN : PathResult.DROPPED;
        if (verdict == Verdict.DROP) {
            nf.engineDrops[EngineDrop.CONNTRACK.ordinal()]++;
            res.engineDrop = EngineDrop.CONNTRACK;
        }
        return false;
    }

    private void send(MemorySegment packet, int length, Conn conn, int ctinfo) {
        if (sending || decoder == null || length <= 0 || length > buf.byteSize()) {
            nf.queueTracked(packet, length, conn, ctinfo);
            return;
        }
        sending = true;
        try {
            MemorySegment.copy(packet, 0, buf, 0, length);
            Skb g = sent;
            g.resetMeta();
            g.pd.reset();
            g.timeNanos = time;
            if (!decoder.decode(g.pd, buf, length)) {
                nf.malformedDrops[g.pd.dropReason.ordinal()]++;
                return;
            }
            attach(g, conn, ctinfo);
            if (origin != null) {
                origin.emitted++;
            }
            nf.note("synproxy: sent packet → OUTPUT");
            sentResult.reset();
            nf.outputGenerated(g, sentResult);
        } finally {
            sending = false;
        }
    }

    /** nf_ct_set on a generated packet: an entry with its ctinfo, a template, or nothing. */
    static void attach(Skb g, Conn conn, int ctinfo) {
        if (conn == null) {
            return;
        }
        g.conn = conn;
        g.ctinfo = ctinfo;
        g.ctStateBits = conn.isTemplate() ? 0 : Conn.stateBit(ctinfo);
    }
}
