package io.stockade.engine;

import io.stockade.rules.Chain;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Table;
import io.stockade.rules.TableKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One table of one family compiled into flat arrays, laid out like the kernel's {@code
 * xt_table_info} blob: every chain's rules in order, each chain closed by a tail entry — the
 * policy for a built-in chain (its counters are the policy counters), an implicit RETURN for a
 * user chain. Index {@code i} addresses a rule in every array. Immutable after construction
 * except the counters ({@link #packets}, {@link #bytes}), which only the packet path writes.
 *
 * <p>Commit checks (iptables-nft on Linux 6.x, verified in a namespace): a jump or goto to a
 * chain that does not exist is refused ("No such file or directory"); a chain reached at jump
 * depth 16 or more from a built-in chain — which includes every loop reachable from a built-in
 * chain — is refused with EMLINK ("Too many links"), reported on the rule that jumps too deep.
 * Loops among chains no built-in chain reaches are accepted, as the kernel accepts them.
 */
public final class CompiledTable {
    /** Rule kinds. */
    static final byte K_NONE = 0;
    static final byte K_VERDICT = 1;
    static final byte K_RETURN = 2;
    static final byte K_JUMP = 3;
    static final byte K_GOTO = 4;
    static final byte K_TARGET = 5;
    static final byte K_POLICY = 6;
    static final byte K_TAIL = 7;

    /** nf_tables' NFT_JUMP_STACK_SIZE: deepest level a chain may sit at is 15. */
    public static final int MAX_JUMP_DEPTH = 16;

    public final Family family;
    public final TableKind kind;
    /** Number of entries (rules plus one tail per chain). */
    public final int size;

    final long[] srcHi, srcLo, srcMaskHi, srcMaskLo, dstHi, dstLo, dstMaskHi, dstMaskLo;
    final String[] inIface, outIface;
    final boolean[] inWildcard, outWildcard;
    final int[] protocol;
    final boolean[] fragment;
    final int[] invFlags;
    /** Whether the rule has any address/interface/protocol/fragment condition at all. */
    final boolean[] hasIpCheck;
    final Matcher[][] matchers;
    final byte[] kinds;
    final int[] verdict;
    final int[] jump;
    final TargetAction[] actions;
    /** Entries whose target is REJECT (its DROP verdict is reported as "reject"). */
    final boolean[] rejects;
    /** Chain index of each entry, and its 1-based number in the chain (0 for the tail). */
    final int[] chainOf;
    final int[] ruleNumber;
    /** The model rule of each entry (null for tails), for tracing and write-back. */
    final Rule[] rules;
    /**
     * What a trace line calls each entry (ip_tables.c get_chainname_rulenum): "policy" for a
     * built-in chain's tail, "return" for a user chain's, and the same for a rule the kernel
     * cannot tell from a tail — no conditions and a standard verdict (ACCEPT, DROP, QUEUE,
     * RETURN) — else "rule".
     */
    final String[] traceComment;
    /**
     * Whether the table exists in the kernel's sense ({@code Table.active()}: created by a command
     * or a restore). Every table runs (see COMPATIBILITY), but only existing ones write trace lines,
     * as only they are registered at their hooks in Linux.
     */
    final boolean exists;
    /** Names of the chains, their first entry and their tail entry. */
    final String[] chainNames;
    final int[] chainStart;
    final int[] chainTail;
    /** First entry of the built-in chain for each hook ordinal, -1 if the table has none there. */
    final int[] hookEntry = {-1, -1, -1, -1, -1};

    /** Per-entry counters (the tails of built-in chains carry the policy counters). */
    public final long[] packets;
    public final long[] bytes;
    /** Deepest jump stack the table can need. */
    final int maxDepth;

    CompiledTable(Table table, RuntimeState state) throws CommitException {
        this.family = table.family();
        this.kind = table.kind();
        this.exists = table.active();
        List<Chain> chains = new ArrayList<>(table.chains());
        Map<String, Integer> chainIndex = new HashMap<>();
        int n = 0;
        for (int c = 0; c < chains.size(); c++) {
            chainIndex.put(chains.get(c).name(), c);
            n += chains.get(c).rules().size() + 1;
        }
        size = n;
        srcHi = new long[n]; srcLo = new long[n]; srcMaskHi = new long[n]; srcMaskLo = new long[n];
        dstHi = new long[n]; dstLo = new long[n]; dstMaskHi = new long[n]; dstMaskLo = new long[n];
        inIface = new String[n]; outIface = new String[n];
        inWildcard = new boolean[n]; outWildcard = new boolean[n];
        protocol = new int[n]; fragment = new boolean[n]; invFlags = new int[n]; hasIpCheck = new boolean[n];
        matchers = new Matcher[n][];
        kinds = new byte[n]; verdict = new int[n]; jump = new int[n]; actions = new TargetAction[n];
        rejects = new boolean[n];
        chainOf = new int[n]; ruleNumber = new int[n]; rules = new Rule[n]; traceComment = new String[n];
        chainNames = new String[chains.size()];
        chainStart = new int[chains.size()];
        chainTail = new int[chains.size()];
        packets = new long[n];
        bytes = new long[n];

        int i = 0;
        for (int c = 0; c < chains.size(); c++) {
            Chain chain = chains.get(c);
            chainNames[c] = chain.name();
            chainStart[c] = i;
            Hook hook = chain.builtin() ? Hook.byChainName(chain.name()) : null;
            if (hook != null) {
                hookEntry[hook.ordinal()] = i;
            }
            int num = 0;
            for (Rule r : chain.rules()) {
                num++;
                fill(i, r, c, num, chain.name(), state);
                i++;
            }
            chainOf[i] = c;
            ruleNumber[i] = 0;
            inIface[i] = "";
            outIface[i] = "";
            matchers[i] = new Matcher[0];
            if (chain.builtin()) {
                kinds[i] = K_POLICY;
                verdict[i] = standardVerdict(chain.policy());
                packets[i] = chain.policyPackets();
                bytes[i] = chain.policyBytes();
            } else {
                kinds[i] = K_TAIL;
            }
            chainTail[c] = i;
            i++;
        }
        for (int e = 0; e < n; e++) {
            boolean bare = kinds[e] == K_POLICY || kinds[e] == K_TAIL
                    || ((kinds[e] == K_VERDICT || kinds[e] == K_RETURN) && !hasIpCheck[e] && matchers[e].length == 0);
            traceComment[e] = !bare ? "rule" : chains.get(chainOf[e]).builtin() ? "policy" : "return";
        }
        // Resolve jumps now that every chain has a start.
        for (int e = 0; e < n; e++) {
            if (rules[e] != null && rules[e].target() instanceof RuleTarget.Jump j) {
                Integer target = chainIndex.get(j.chain());
                if (target == null || chains.get(target).builtin()) {
                    throw new CommitException("No such file or directory", kind.tableName,
                            chainNames[chainOf[e]], ruleNumber[e], "no chain `" + j.chain() + "'");
                }
                jump[e] = target;
            }
        }
        maxDepth = checkDepth(chains);
    }

    private void fill(int i, Rule r, int c, int num, String chainName, RuntimeState state) throws CommitException {
        IpHeaderFilter ip = r.ip();
        srcHi[i] = ip.srcHi(); srcLo[i] = ip.srcLo(); srcMaskHi[i] = ip.srcMaskHi(); srcMaskLo[i] = ip.srcMaskLo();
        dstHi[i] = ip.dstHi(); dstLo[i] = ip.dstLo(); dstMaskHi[i] = ip.dstMaskHi(); dstMaskLo[i] = ip.dstMaskLo();
        inWildcard[i] = ip.inIface().endsWith("+");
        outWildcard[i] = ip.outIface().endsWith("+");
        inIface[i] = inWildcard[i] ? ip.inIface().substring(0, ip.inIface().length() - 1) : ip.inIface();
        outIface[i] = outWildcard[i] ? ip.outIface().substring(0, ip.outIface().length() - 1) : ip.outIface();
        protocol[i] = ip.protocol();
        fragment[i] = ip.fragment();
        invFlags[i] = ip.invFlags();
        hasIpCheck[i] = (ip.srcMaskHi() | ip.srcMaskLo() | ip.dstMaskHi() | ip.dstMaskLo()) != 0
                || !ip.inIface().isEmpty() || !ip.outIface().isEmpty() || ip.protocol() != 0
                || ip.fragment() || ip.invFlags() != 0;
        chainOf[i] = c;
        ruleNumber[i] = num;
        rules[i] = r;
        packets[i] = r.packets();
        bytes[i] = r.bytes();
        Matcher[] ms = new Matcher[r.matches().size()];
        for (int m = 0; m < ms.length; m++) {
            MatchSpec spec = r.matches().get(m);
            if (spec instanceof Matcher direct) {
                ms[m] = direct;
            } else if (spec instanceof CompilableMatch cm) {
                ms[m] = cm.compile(state);
            } else {
                throw new CommitException("No such file or directory", kind.tableName, chainName, num,
                        "match `" + spec.name() + "' has no packet implementation");
            }
        }
        matchers[i] = ms;
        switch (r.target()) {
            case RuleTarget.None none -> kinds[i] = K_NONE;
            case RuleTarget.Standard s -> {
                if (s.kind() == RuleTarget.Standard.Kind.RETURN) {
                    kinds[i] = K_RETURN;
                } else {
                    kinds[i] = K_VERDICT;
                    verdict[i] = standardVerdict(s.kind());
                }
            }
            case RuleTarget.Jump j -> kinds[i] = j.isGoto() ? K_GOTO : K_JUMP;
            case RuleTarget.Extension x -> {
                kinds[i] = K_TARGET;
                rejects[i] = x.spec().name().equals("REJECT");
                if (x.spec() instanceof TargetAction direct) {
                    actions[i] = direct;
                } else if (x.spec() instanceof CompilableTarget ct) {
                    actions[i] = ct.compile(state);
                } else {
                    throw new CommitException("No such file or directory", kind.tableName, chainName, num,
                            "target `" + x.spec().name() + "' has no packet implementation");
                }
            }
        }
    }

    static int standardVerdict(RuleTarget.Standard.Kind k) {
        return switch (k) {
            case ACCEPT -> Verdict.ACCEPT;
            case DROP -> Verdict.DROP;
            case QUEUE -> Verdict.queue(0);
            case RETURN -> Verdict.RETURN;
        };
    }

    /**
     * nf_tables' chain validation: walks from each built-in chain, level 0, along jumps and gotos;
     * a link into level {@link #MAX_JUMP_DEPTH} fails with EMLINK. Each chain is re-walked only
     * when reached at a deeper level than before, so the walk is bounded by chains × 16.
     */
    private int checkDepth(List<Chain> chains) throws CommitException {
        int[] deepest = new int[chains.size()];
        java.util.Arrays.fill(deepest, -1);
        int max = 0;
        for (int c = 0; c < chains.size(); c++) {
            if (chains.get(c).builtin()) {
                max = Math.max(max, walk(c, 0, deepest));
            }
        }
        return max;
    }

    private int walk(int chain, int level, int[] deepest) throws CommitException {
        if (deepest[chain] >= level) {
            return level;
        }
        deepest[chain] = level;
        int max = level;
        for (int e = chainStart[chain]; e < chainTail[chain]; e++) {
            if (kinds[e] == K_JUMP || kinds[e] == K_GOTO) {
                if (level + 1 >= MAX_JUMP_DEPTH) {
                    throw new CommitException("Too many links", kind.tableName, chainNames[chain], ruleNumber[e], null);
                }
                max = Math.max(max, walk(jump[e], level + 1, deepest));
            }
        }
        return max;
    }

    /** Index of a chain by name, -1 if absent. */
    public int chainIndex(String name) {
        for (int c = 0; c < chainNames.length; c++) {
            if (chainNames[c].equals(name)) {
                return c;
            }
        }
        return -1;
    }

    /** Name of the chain entry {@code i} belongs to. */
    public String chainName(int entry) {
        return chainNames[chainOf[entry]];
    }

    /** 1-based rule number of entry {@code i} in its chain, 0 for a chain's tail (policy). */
    public int ruleNumber(int entry) {
        return ruleNumber[entry];
    }

    /** The model rule of entry {@code i}, null for a tail. */
    public Rule rule(int entry) {
        return rules[entry];
    }

    /**
     * The nf_tables rule handle iptables-nft-restore gives entry {@code i} when it loads this
     * table into an empty nf_tables table: the chains take handles 1… in order, then the rules
     * in order.
     */
    public long nftHandle(int entry) {
        return chainNames.length + (entry - chainOf[entry]) + 1L;
    }

    /** True if entry {@code i} is a built-in chain's policy. */
    public boolean isPolicy(int entry) {
        return kinds[entry] == K_POLICY;
    }

    /** True if the table has a built-in chain at this hook. */
    public boolean hasHook(Hook hook) {
        return hookEntry[hook.ordinal()] >= 0;
    }

    /** Copies the live counters into the model table (rules by position, policies). */
    public void writeCounters(Table table) {
        for (int c = 0; c < chainNames.length; c++) {
            Chain chain = table.chain(chainNames[c]);
            if (chain == null) {
                continue;
            }
            List<Rule> rs = chain.rules();
            int count = chainTail[c] - chainStart[c];
            if (rs.size() != count) {
                continue;
            }
            for (int k = 0; k < count; k++) {
                int e = chainStart[c] + k;
                if (rs.get(k).sameSpec(rules[e])) {
                    rs.set(k, rs.get(k).withCounters(packets[e], bytes[e]));
                }
            }
            if (chain.builtin()) {
                chain.policyCounters(packets[chainTail[c]], bytes[chainTail[c]]);
            }
        }
    }
}
