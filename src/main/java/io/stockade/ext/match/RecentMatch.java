package io.stockade.ext.match;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m recent} (libxt_recent revision 1 / xt_recent): one of {@code [!] --set},
 * {@code --rcheck}, {@code --update}, {@code --remove} on the list {@code --name} (default
 * DEFAULT), keyed by the source ({@code --rsource}, default) or destination ({@code --rdest})
 * address under {@code --mask}; {@code --seconds}, {@code --hitcount}, {@code --reap} and
 * {@code --rttl} qualify the check. Lists are {@link RecentTable}s shared by name and kept across
 * commits; the list's mask is that of the first rule that created it, as in the kernel.
 */
public final class RecentMatch extends XtOptMatch {
    static final int O_SET = 0;
    static final int O_RCHECK = 1;
    static final int O_UPDATE = 2;
    static final int O_REMOVE = 3;
    static final int O_SECONDS = 4;
    static final int O_REAP = 5;
    static final int O_HITCOUNT = 6;
    static final int O_RTTL = 7;
    static final int O_NAME = 8;
    static final int O_MASK = 9;
    static final int O_RSOURCE = 10;
    static final int O_RDEST = 11;
    private static final int F_ANY_OP = 0xf;

    /** XT_RECENT_* check_set bits. */
    public static final int CHECK = 1;
    public static final int SET = 2;
    public static final int UPDATE = 4;
    public static final int REMOVE = 8;
    public static final int TTL = 16;
    public static final int REAP = 32;
    /** XT_RECENT_NAME_LEN. */
    static final int NAME_LEN = 200;
    /** XT_RECENT_MAX_NSTAMPS (65536 since Linux 5.12, "xt_recent: Lift restrictions on max hitcount value"). */
    static final int MAX_NSTAMPS = 65536;

    public RecentMatch() {
        super("recent",
                new Entry("set", O_SET, Type.NONE, INVERT, 0, 0, F_ANY_OP, 0),
                new Entry("rcheck", O_RCHECK, Type.NONE, INVERT, 0, 0, F_ANY_OP, 0),
                new Entry("update", O_UPDATE, Type.NONE, INVERT, 0, 0, F_ANY_OP, 0),
                new Entry("remove", O_REMOVE, Type.NONE, INVERT, 0, 0, F_ANY_OP, 0),
                entry("seconds", O_SECONDS, Type.UINT32, 0, 1, 0xffffffffL),
                new Entry("reap", O_REAP, Type.NONE, 0, 0, 0, 0, 1 << O_SECONDS),
                entry("hitcount", O_HITCOUNT, Type.UINT32, 0),
                new Entry("rttl", O_RTTL, Type.NONE, 0, 0, 0, (1 << O_SET) | (1 << O_REMOVE), 0),
                entry("name", O_NAME, Type.STRING, 0),
                entry("mask", O_MASK, Type.STRING, 0),
                entry("rsource", O_RSOURCE, Type.NONE, 0),
                entry("rdest", O_RDEST, Type.NONE, 0));
    }

    @Override
    protected State newState(ParseEnv env) {
        Family fam = env.family();
        return new State() {
            private int checkSet;
            private boolean invert;
            private long seconds;
            private long hitCount;
            private String listName = "DEFAULT";
            private int side;
            private long maskHi = fam == Family.IPV4 ? 0 : -1L;
            private long maskLo = fam == Family.IPV4 ? 0xffffffffL : -1L;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_SET -> op(SET, cb);
                    case O_RCHECK -> op(CHECK, cb);
                    case O_UPDATE -> op(UPDATE, cb);
                    case O_REMOVE -> op(REMOVE, cb);
                    case O_SECONDS -> seconds = cb.value;
                    case O_REAP -> checkSet |= REAP;
                    case O_HITCOUNT -> hitCount = cb.value;
                    case O_RTTL -> checkSet |= TTL;
                    case O_NAME -> {
                        if (cb.arg.length() >= NAME_LEN) {
                            throw new ParameterProblem("recent: option \"--name\" argument too long (max "
                                    + (NAME_LEN - 1) + ")");
                        }
                        listName = cb.arg;
                    }
                    case O_MASK -> {
                        long[] m = fam == Family.IPV4 ? Xt.ipv4(cb.arg) : Xt.ipv6(cb.arg);
                        if (m == null) {
                            throw new ParameterProblem("host/network `" + cb.arg + "' not found");
                        }
                        maskHi = m[0];
                        maskLo = m[1];
                    }
                    case O_RSOURCE -> side = 0;
                    case O_RDEST -> side = 1;
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            private void op(int bit, Call cb) {
                checkSet |= bit;
                invert = cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if ((xflags & F_ANY_OP) == 0) {
                    throw new ParameterProblem(
                            "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
                }
                return new Spec(fam, checkSet, invert, seconds, hitCount, listName, side, maskHi, maskLo);
            }
        };
    }

    /**
     * The parsed match (struct xt_recent_mtinfo_v1).
     *
     * @param checkSet bits of CHECK, SET, UPDATE, REMOVE, TTL, REAP
     * @param side     0 source, 1 destination
     */
    public record Spec(Family family, int checkSet, boolean invert, long seconds, long hitCount, String listName,
            int side, long maskHi, long maskLo) implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "recent";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " !" : "");
            appendOp(out, " --set", " --rcheck", " --update", " --remove");
            if (seconds != 0) {
                out.append(" --seconds ").append((int) seconds);
            }
            if ((checkSet & REAP) != 0) {
                out.append(" --reap");
            }
            if (hitCount != 0) {
                out.append(" --hitcount ").append((int) hitCount);
            }
            if ((checkSet & TTL) != 0) {
                out.append(" --rttl");
            }
            out.append(" --name ").append(listName);
            out.append(" --mask ").append(Xt.formatAddress(family, maskHi, maskLo));
            out.append(side == 0 ? " --rsource" : " --rdest");
        }

        private void appendOp(StringBuilder out, String set, String check, String update, String remove) {
            if ((checkSet & SET) != 0) {
                out.append(set);
            }
            if ((checkSet & CHECK) != 0) {
                out.append(check);
            }
            if ((checkSet & UPDATE) != 0) {
                out.append(update);
            }
            if ((checkSet & REMOVE) != 0) {
                out.append(remove);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(invert ? "! recent:" : "recent:");
            appendOp(out, " SET", " CHECK", " UPDATE", " REMOVE");
            if (seconds != 0) {
                out.append(" seconds: ").append((int) seconds);
            }
            if ((checkSet & REAP) != 0) {
                out.append(" reap");
            }
            if (hitCount != 0) {
                out.append(" hit_count: ").append((int) hitCount);
            }
            if ((checkSet & TTL) != 0) {
                out.append(" TTL-Match");
            }
            out.append(" name: ").append(listName);
            out.append(side == 0 ? " side: source" : " side: dest");
            out.append(" mask: ").append(Xt.formatAddress(family, maskHi, maskLo));
        }

        /** recent_mt_check and xt_check_proc_name. */
        @Override
        public String check(CheckEnv env) {
            if ((checkSet & (SET | REMOVE)) != 0 && (seconds != 0 || hitCount != 0 || (checkSet & (TTL | REAP)) != 0)) {
                return Xt.EINVAL;
            }
            if ((checkSet & REAP) != 0 && seconds == 0) {
                return Xt.EINVAL;
            }
            if (hitCount >= MAX_NSTAMPS) {
                return Xt.EINVAL;
            }
            if (listName.isEmpty() || listName.equals(".") || listName.equals("..") || listName.indexOf('/') >= 0) {
                return Xt.EINVAL;
            }
            return null;
        }

        @Override
        public Matcher compile(RuntimeState state) {
            int mask = RecentTable.nstampMask(hitCount);
            RecentTable t = state.shared(RecentTable.KEY_PREFIX + listName,
                    () -> new RecentTable(listName, maskHi, maskLo, mask));
            t.growTo(mask);
            return new Run(this, t);
        }
    }

    /** The per-packet half (recent_mt). */
    static final class Run implements Matcher {
        private final Spec s;
        private final RecentTable t;

        Run(Spec s, RecentTable t) {
            this.s = s;
            this.t = t;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            long hi = s.side == 1 ? pd.dstHi : pd.srcHi;
            long lo = s.side == 1 ? pd.dstLo : pd.srcLo;
            int ttl = pd.ttl;
            if (!skb.outIface.isEmpty() && skb.uid < 0) {
                // use TTL as seen before forwarding (out device set, no local socket)
                ttl = (ttl + 1) & 0xff;
            }
            hi &= t.maskHi();
            lo &= t.maskLo();
            long now = Jiffies.of(skb.timeNanos);
            int cs = s.checkSet;
            boolean ret = s.invert;
            int e = t.lookup(pd.ipVersion, hi, lo, (cs & TTL) != 0 ? ttl : 0);
            if (e < 0) {
                if ((cs & SET) == 0) {
                    return ret;
                }
                t.init(pd.ipVersion, hi, lo, ttl, now);
                return !ret;
            }
            boolean live = true;
            if ((cs & SET) != 0) {
                ret = !ret;
            } else if ((cs & REMOVE) != 0) {
                t.remove(e);
                live = false;
                ret = !ret;
            } else if ((cs & (CHECK | UPDATE)) != 0) {
                long time = now - s.seconds * Jiffies.HZ;
                int hits = 0;
                int n = t.nstamps(e);
                for (int i = 0; i < n; i++) {
                    if (s.seconds != 0 && t.stamp(e, i) - time < 0) {
                        continue;
                    }
                    if (s.hitCount == 0 || ++hits >= s.hitCount) {
                        ret = !ret;
                        break;
                    }
                }
                if ((cs & REAP) != 0) {
                    int before = t.size();
                    t.reap(time);
                    live = t.size() == before || t.lookup(pd.ipVersion, hi, lo, 0) == e;
                }
            }
            if (live && ((cs & SET) != 0 || ((cs & UPDATE) != 0 && ret))) {
                t.update(e, ttl, now);
            }
            return ret;
        }
    }
}
