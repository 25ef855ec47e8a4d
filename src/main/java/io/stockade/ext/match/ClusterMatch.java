package io.stockade.ext.match;

import io.stockade.packet.Jhash;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m cluster --cluster-total-nodes N [!] --cluster-local-node I | [!]
 * --cluster-local-nodemask M --cluster-hash-seed S} (libxt_cluster / xt_cluster): the packet's
 * connection (its master for related ones) hashes — jhash of the original source address with
 * the seed, scaled onto N — to a node in the local mask. Untracked packets never match. A
 * multicast-typed packet to a non-multicast address is re-typed as "host", as in Linux.
 */
public final class ClusterMatch extends XtOptMatch {
    private static final int O_TOTAL = 0;
    private static final int O_NODE = 1;
    private static final int O_MASK = 2;
    private static final int O_SEED = 3;
    static final int NODES_MAX = 32;

    public ClusterMatch() {
        super("cluster",
                new Entry("cluster-total-nodes", O_TOTAL, Type.UINT32, MAND, 1, NODES_MAX, 0, 0),
                new Entry("cluster-local-node", O_NODE, Type.UINT32, INVERT, 1, NODES_MAX, 1 << O_MASK, 0),
                new Entry("cluster-local-nodemask", O_MASK, Type.UINT32, INVERT, 1, NODES_MAX, 1 << O_NODE, 0),
                entry("cluster-hash-seed", O_SEED, Type.UINT32, MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long total;
            private long nodeMask;
            private long seed;
            private boolean invert;

            @Override
            void parse(Call cb) {
                switch (cb.entry.id()) {
                    case O_TOTAL -> total = cb.value;
                    case O_NODE -> {
                        invert |= cb.invert;
                        nodeMask = (1L << (cb.value - 1)) & 0xffffffffL;
                    }
                    case O_MASK -> {
                        invert |= cb.invert;
                        nodeMask = cb.value;
                    }
                    default -> seed = cb.value;
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                int withNode = (1 << O_TOTAL) | (1 << O_NODE) | (1 << O_SEED);
                int withMask = (1 << O_TOTAL) | (1 << O_MASK) | (1 << O_SEED);
                if ((xflags & withNode) == withNode) {
                    if (nodeMask >= (1L << total)) {
                        throw new ParameterProblem(
                                "cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'");
                    }
                } else if ((xflags & withMask) == withMask) {
                    if (nodeMask >= (1L << total)) {
                        throw new ParameterProblem(
                                "cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'");
                    }
                } else if ((xflags & ((1 << O_NODE) | (1 << O_MASK))) == 0) {
                    throw new ParameterProblem(
                            "cluster match: `--cluster-local-node' or`--cluster-local-nodemask' is missing");
                }
                return new Spec((int) total, (int) nodeMask, (int) seed, invert);
            }
        };
    }

    /** The parsed match (xt_cluster_match_info). */
    public record Spec(int totalNodes, int nodeMask, int hashSeed, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "cluster";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " !" : "").append(" --cluster-local-nodemask ").append(hex8(nodeMask))
                    .append(" --cluster-total-nodes ").append(Integer.toUnsignedString(totalNodes))
                    .append(" --cluster-hash-seed ").append(hex8(hashSeed));
        }

        static String hex8(int v) {
            String h = Integer.toHexString(v);
            return "0x" + "00000000".substring(h.length()) + h;
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("cluster ").append(invert ? "!" : "").append("node_mask=").append(hex8(nodeMask))
                    .append(" total_nodes=").append(Integer.toUnsignedString(totalNodes))
                    .append(" hash_seed=").append(hex8(hashSeed));
        }

        @Override
        public String check(CheckEnv env) {
            if (Integer.compareUnsigned(totalNodes, NODES_MAX) > 0) {
                return EINVAL;
            }
            return Long.compareUnsigned(nodeMask & 0xffffffffL, 1L << totalNodes) >= 0
                    ? "Numerical argument out of domain." : null;
        }

        /** The node index (0-based) a connection belongs to. */
        int hash(Conn ct) {
            int h;
            if (ct.ipVersion == 4) {
                h = Jhash.oneWord(Integer.reverseBytes((int) ct.origSrcLo), hashSeed);
            } else {
                h = Jhash.fourWords(Integer.reverseBytes((int) (ct.origSrcHi >>> 32)),
                        Integer.reverseBytes((int) ct.origSrcHi), Integer.reverseBytes((int) (ct.origSrcLo >>> 32)),
                        Integer.reverseBytes((int) ct.origSrcLo), hashSeed);
            }
            return Jhash.scale(h, totalNodes);
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            boolean mcast = pd.ipVersion == 4 ? ((pd.dstLo >>> 28) & 0xf) == 0xe : (pd.dstHi >>> 56) == 0xff;
            if (!mcast && skb.pktType == 2) {
                skb.pktType = 0;
            }
            Conn ct = skb.conn;
            if (ct == null) {
                return false;
            }
            if (ct.master != null) {
                ct = ct.master;
            }
            return ((nodeMask & (1 << hash(ct))) != 0) ^ invert;
        }
    }
}
