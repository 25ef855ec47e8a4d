package io.stockade.engine;

import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;

/**
 * Runs one table's chains for one packet at one hook — the kernel's {@code ipt_do_table} /
 * {@code ip6t_do_table}: the IP header part of each rule (addresses under masks, interface names
 * with {@code +} wildcards, protocol, {@code -f}, each with its inversion), then the match
 * modules in order (a failing match that requests hotdrop drops the packet), then the target:
 * ACCEPT/DROP/QUEUE end the traversal, RETURN pops the jump stack (from a built-in chain it
 * falls to the policy), {@code -j} pushes and {@code -g} does not, the end of a user chain
 * returns, the end of a built-in chain applies its policy, and extension targets returning
 * {@link Verdict#CONTINUE} go on with the next rule. Counters of every rule whose conditions
 * matched (and of the policy when applied) grow by one packet and the packet's length.
 * A packet with the trace flag ({@link Skb#trace}, the TRACE target) gets the kernel's trace line
 * for every entry it matches — rules, user-chain tails, policies — through {@link Emitter#log}.
 *
 * <p>One instance per worker; reuses its jump stack; allocates nothing per packet.
 */
public final class Evaluator {
    /** nf_log.h NF_LOG_DEFAULT_MASK, the trace loginfo's flags. */
    private static final int NF_LOG_DEFAULT_MASK = 0x0f;
    /** The trace loginfo's level (KERN_WARNING). */
    private static final int TRACE_LEVEL = 4;
    private final int[] stack = new int[CompiledTable.MAX_JUMP_DEPTH + 1];
    /** The entry that decided the last {@link #run}: a rule, or a built-in chain's policy entry. */
    public int lastEntry = -1;
    /** Tracing sink, null unless tracing. */
    public TraceSink trace;
    /** When set, TRACE'd packets are reported in nf_tables' form instead of ip_tables' log lines. */
    public NftTrace nftTrace;

    /**
     * Traverses {@code t} from the built-in chain of {@code hook}.
     *
     * @return a {@link Verdict} code: ACCEPT, DROP, STOLEN or QUEUE (with its number)
     */
    public int run(CompiledTable t, Hook hook, Skb skb, Emitter emitter) {
        int h = hook.ordinal();
        int e = t.hookEntry[h];
        if (e < 0) {
            return Verdict.ACCEPT;
        }
        int policy = t.chainTail[t.chainOf[e]];
        TraceSink tr = trace;
        if (tr != null) {
            tr.enterTable(t, hook);
        }
        PacketDescriptor pd = skb.pd;
        long len = pd.ipTotalLength > 0 ? pd.ipTotalLength : pd.length;
        boolean v4 = t.family.version == 4;
        NftTrace nft = nftTrace;
        boolean dumped = false;
        int sp = 0;
        for (;;) {
            byte k = t.kinds[e];
            if (k == CompiledTable.K_POLICY) {
                t.packets[e]++;
                t.bytes[e] += len;
                if (skb.trace) {
                    if (nft == null) {
                        traceLine(t, e, skb, emitter);
                    } else if (t.exists) {
                        nft.policy(t, e, t.verdict[e], !dumped, skb);
                    }
                }
                return decided(t, e, t.verdict[e]);
            }
            if (k == CompiledTable.K_TAIL) {
                t.packets[e]++;
                t.bytes[e] += len;
                if (skb.trace && nft == null) {
                    traceLine(t, e, skb, emitter);
                }
                e = sp == 0 ? policy : stack[--sp] + 1;
                continue;
            }
            if (t.hasIpCheck[e] && !(v4 ? ip4(t, e, pd, skb) : ip6(t, e, pd, skb))) {
                if (tr != null) {
                    tr.rule(t, e, -1);
                }
                e++;
                continue;
            }
            Matcher[] ms = t.matchers[e];
            int failed = -2;
            for (int m = 0; m < ms.length; m++) {
                if (!ms[m].matches(skb)) {
                    if (ms[m].hotdrop(skb)) {
                        if (tr != null) {
                            tr.rule(t, e, m);
                        }
                        return decided(t, e, Verdict.DROP);
                    }
                    failed = m;
                    break;
                }
            }
            if (tr != null) {
                tr.rule(t, e, failed);
            }
            if (failed != -2) {
                e++;
                continue;
            }
            t.packets[e]++;
            t.bytes[e] += len;
            if (skb.trace && nft == null) {
                traceLine(t, e, skb, emitter);
            }
            switch (k) {
                case CompiledTable.K_NONE -> {
                    if (skb.trace && nft != null && t.exists) {
                        nft.rule(t, e, NftTrace.NFT_CONTINUE, null, !dumped, skb);
                        dumped = true;
                    }
                    e++;
                }
                case CompiledTable.K_VERDICT -> {
                    if (skb.trace && nft != null && t.exists) {
                        nft.rule(t, e, t.verdict[e], null, !dumped, skb);
                    }
                    return decided(t, e, t.verdict[e]);
                }
                case CompiledTable.K_RETURN -> {
                    if (skb.trace && nft != null && t.exists) {
                        nft.rule(t, e, NftTrace.NFT_RETURN, null, !dumped, skb);
                        dumped = true;
                    }
                    e = sp == 0 ? policy : stack[--sp] + 1;
                }
                case CompiledTable.K_JUMP -> {
                    if (skb.trace && nft != null && t.exists) {
                        nft.rule(t, e, NftTrace.NFT_JUMP, t.chainNames[t.jump[e]], !dumped, skb);
                        dumped = true;
                    }
                    stack[sp++] = e;
                    e = t.chainStart[t.jump[e]];
                }
                case CompiledTable.K_GOTO -> {
                    if (skb.trace && nft != null && t.exists) {
                        nft.rule(t, e, NftTrace.NFT_GOTO, t.chainNames[t.jump[e]], !dumped, skb);
                        dumped = true;
                    }
                    e = t.chainStart[t.jump[e]];
                }
                default -> {
                    int v = t.actions[e].execute(skb, emitter);
                    if (skb.trace && nft != null && t.exists) {
                        nft.rule(t, e, v == Verdict.CONTINUE ? NftTrace.NFT_CONTINUE
                                : v == Verdict.RETURN ? NftTrace.NFT_RETURN : v, null, !dumped, skb);
                        dumped = true;
                    }
                    if (v == Verdict.CONTINUE) {
                        e++;
                    } else if (v == Verdict.RETURN) {
                        e = sp == 0 ? policy : stack[--sp] + 1;
                    } else {
                        return decided(t, e, v);
                    }
                }
            }
        }
    }

    /**
     * ip_tables.c trace_packet: {@code TRACE: table:chain:comment:N } then the packet as
     * nf_log_syslog prints it with the trace loginfo (level 4, NF_LOG_DEFAULT_MASK: TCP sequence,
     * TCP options, IP options, UID). N counts the chain's entries from 1, its tail included.
     * Only packets with the trace flag get here; the text is built in the skb's scratch builder.
     */
    private static void traceLine(CompiledTable t, int e, Skb skb, Emitter emitter) {
        PacketLogFormat f = skb.traceFormat;
        if (f == null || !t.exists) {
            return;
        }
        int c = t.chainOf[e];
        StringBuilder m = skb.scratchText;
        m.setLength(0);
        m.append("TRACE: ").append(t.kind.tableName).append(':').append(t.chainNames[c]).append(':')
                .append(t.traceComment[e]).append(':').append(e - t.chainStart[c] + 1).append(' ');
        f.append(m, skb, NF_LOG_DEFAULT_MASK);
        emitter.log(TRACE_LEVEL, m);
    }

    private int decided(CompiledTable t, int e, int verdict) {
        lastEntry = e;
        if (trace != null) {
            trace.verdict(t, e, verdict);
        }
        return verdict;
    }

    private static boolean ip4(CompiledTable t, int e, PacketDescriptor pd, Skb skb) {
        int inv = t.invFlags[e];
        int sm = (int) t.srcMaskLo[e];
        if ((((int) pd.srcLo & sm) != (int) t.srcLo[e]) != ((inv & IpHeaderFilter.INV_SRC) != 0)) {
            return false;
        }
        int dm = (int) t.dstMaskLo[e];
        if ((((int) pd.dstLo & dm) != (int) t.dstLo[e]) != ((inv & IpHeaderFilter.INV_DST) != 0)) {
            return false;
        }
        if (!ifaces(t, e, skb, inv)) {
            return false;
        }
        if (t.protocol[e] != 0 && ((pd.protocol != t.protocol[e]) != ((inv & IpHeaderFilter.INV_PROTO) != 0))) {
            return false;
        }
        // ip_packet_match: FWINV((flags & IPT_F_FRAG) && !isfrag, IPT_INV_FRAG), isfrag = offset != 0.
        boolean fragFails = t.fragment[e] && pd.fragOffset == 0;
        return fragFails == ((inv & IpHeaderFilter.INV_FRAG) != 0);
    }

    private static boolean ip6(CompiledTable t, int e, PacketDescriptor pd, Skb skb) {
        int inv = t.invFlags[e];
        if ((((pd.srcHi & t.srcMaskHi[e]) != t.srcHi[e]) || ((pd.srcLo & t.srcMaskLo[e]) != t.srcLo[e]))
                != ((inv & IpHeaderFilter.INV_SRC) != 0)) {
            return false;
        }
        if ((((pd.dstHi & t.dstMaskHi[e]) != t.dstHi[e]) || ((pd.dstLo & t.dstMaskLo[e]) != t.dstLo[e]))
                != ((inv & IpHeaderFilter.INV_DST) != 0)) {
            return false;
        }
        if (!ifaces(t, e, skb, inv)) {
            return false;
        }
        // ip6_packet_match: the final next header after extension headers; -p all matches all.
        if (t.protocol[e] != 0) {
            boolean same = pd.protocol == t.protocol[e];
            return same != ((inv & IpHeaderFilter.INV_PROTO) != 0);
        }
        return true;
    }

    private static boolean ifaces(CompiledTable t, int e, Skb skb, int inv) {
        String in = t.inIface[e];
        if (t.inWildcard[e] || !in.isEmpty()) {
            boolean m = t.inWildcard[e] ? skb.inIface.startsWith(in) : skb.inIface.equals(in);
            if (m == ((inv & IpHeaderFilter.INV_IN) != 0)) {
                return false;
            }
        }
        String out = t.outIface[e];
        if (t.outWildcard[e] || !out.isEmpty()) {
            boolean m = t.outWildcard[e] ? skb.outIface.startsWith(out) : skb.outIface.equals(out);
            if (m == ((inv & IpHeaderFilter.INV_OUT) != 0)) {
                return false;
            }
        }
        return true;
    }
}
