package io.stockade.ext.match;

import io.stockade.conntrack.Conn;
import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m connlimit --connlimit-upto|--connlimit-above N [--connlimit-mask LEN]
 * [--connlimit-saddr|--connlimit-daddr]} (libxt_connlimit revision 1 / xt_connlimit +
 * nf_conncount): the number of connections per source (or destination) prefix. As in the kernel,
 * each rule keeps its own list of the connections it has seen (nf_conncount): the packet's
 * conntrack entry is added once, and entries whose connection is gone from the table
 * ({@code IPS_DYING} or expired on packet time) or is a TCP connection in TIME_WAIT/CLOSE drop out.
 * The lists start empty at every commit, as the kernel's checkentry allocates them anew.
 */
public final class ConnlimitMatch extends XtOptMatch {
    static final int O_UPTO = 0;
    static final int O_ABOVE = 1;
    static final int O_MASK = 2;
    static final int O_SADDR = 3;
    static final int O_DADDR = 4;
    /** XT_CONNLIMIT_INVERT, XT_CONNLIMIT_DADDR. */
    static final int F_INVERT = 1;
    static final int F_DADDR = 2;
    /** Connections one rule can remember; beyond, the packet is hot-dropped (the kernel's failed kmalloc). */
    static final int CAPACITY = 65536;
    /** TCP conntrack states TIME_WAIT and CLOSE (enum tcp_conntrack). */
    static final int TCP_TIME_WAIT = 7;
    static final int TCP_CLOSE = 8;

    public ConnlimitMatch() {
        super("connlimit",
                new Entry("connlimit-upto", O_UPTO, Type.UINT32, INVERT, 0, 0, 1 << O_ABOVE, 0),
                new Entry("connlimit-above", O_ABOVE, Type.UINT32, INVERT, 0, 0, 1 << O_UPTO, 0),
                entry("connlimit-mask", O_MASK, Type.UINT8, 0, 0, 128),
                new Entry("connlimit-saddr", O_SADDR, Type.NONE, 0, 0, 0, 1 << O_DADDR, 0),
                new Entry("connlimit-daddr", O_DADDR, Type.NONE, 0, 0, 0, 1 << O_SADDR, 0));
    }

    @Override
    protected State newState(ParseEnv env) {
        Family fam = env.family();
        return new State() {
            private long limit;
            private int flags;
            private int mask = fam.addressBits;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_UPTO -> {
                        limit = cb.value;
                        flags |= cb.invert ? 0 : F_INVERT;
                    }
                    case O_ABOVE -> {
                        limit = cb.value;
                        flags |= cb.invert ? F_INVERT : 0;
                    }
                    case O_MASK -> mask = (int) Math.min(cb.value, fam.addressBits);
                    case O_SADDR -> flags &= ~F_DADDR;
                    case O_DADDR -> flags |= F_DADDR;
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if ((xflags & ((1 << O_UPTO) | (1 << O_ABOVE))) == 0) {
                    throw new ParameterProblem("You must specify \"--connlimit-above\" or \"--connlimit-upto\".");
                }
                return new Spec(fam, limit, mask, flags);
            }
        };
    }

    /**
     * The parsed match (struct xt_connlimit_info).
     *
     * @param flags F_INVERT ("upto"), F_DADDR
     */
    public record Spec(Family family, long limit, int maskLen, int flags) implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "connlimit";
        }

        @Override
        public void save(StringBuilder out) {
            out.append((flags & F_INVERT) != 0 ? " --connlimit-upto " : " --connlimit-above ").append(limit)
                    .append(" --connlimit-mask ").append(maskLen)
                    .append((flags & F_DADDR) != 0 ? " --connlimit-daddr" : " --connlimit-saddr");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("#conn ").append((flags & F_DADDR) != 0 ? "dst" : "src").append('/').append(maskLen)
                    .append((flags & F_INVERT) != 0 ? " <= " : " > ").append(limit);
        }

        @Override
        public Matcher compile(RuntimeState state) {
            long[] m = Xt.prefixMask(maskLen, family);
            return new Run(this, m[0], m[1]);
        }
    }

    /** The per-rule connection list and the per-packet half (connlimit_mt). Not thread-safe. */
    static final class Run implements Matcher {
        private final Spec s;
        private final long maskHi;
        private final long maskLo;
        private final Conn[] conns = new Conn[CAPACITY];
        private final long[] keyHi = new long[CAPACITY];
        private final long[] keyLo = new long[CAPACITY];
        private int n;

        Run(Spec s, long maskHi, long maskLo) {
            this.s = s;
            this.maskHi = maskHi;
            this.maskLo = maskLo;
        }

        private static boolean gone(Conn c, long now) {
            return (c.status & Conn.IPS_DYING) != 0 || c.expiresNanos - now <= 0
                    || (c.protocol == 6 && (c.l4State == TCP_TIME_WAIT || c.l4State == TCP_CLOSE));
        }

        /** The number of connections for the packet's key, including its own (0: no room, hot-drop). */
        int count(Skb skb) {
            PacketDescriptor pd = skb.pd;
            boolean dst = (s.flags & F_DADDR) != 0;
            long hi = (dst ? pd.dstHi : pd.srcHi) & maskHi;
            long lo = (dst ? pd.dstLo : pd.srcLo) & maskLo;
            Conn own = skb.conn;
            long now = skb.timeNanos;
            int count = 0;
            boolean seen = false;
            for (int i = 0; i < n; ) {
                Conn c = conns[i];
                if (c != own && gone(c, now)) {
                    n--;
                    conns[i] = conns[n];
                    keyHi[i] = keyHi[n];
                    keyLo[i] = keyLo[n];
                    conns[n] = null;
                    continue;
                }
                if (keyHi[i] == hi && keyLo[i] == lo) {
                    count++;
                    seen |= c == own;
                }
                i++;
            }
            if (!seen) {
                if (own == null) {
                    // No entry (untracked/invalid): the kernel counts the packet's tuple once and
                    // evicts it at the next walk because the table does not hold it.
                    return count + 1;
                }
                if (n == CAPACITY) {
                    return 0;
                }
                conns[n] = own;
                keyHi[n] = hi;
                keyLo[n] = lo;
                n++;
                count++;
            }
            return count;
        }

        @Override
        public boolean matches(Skb skb) {
            int c = count(skb);
            if (c == 0) {
                return false;
            }
            return (c > s.limit) != ((s.flags & F_INVERT) != 0);
        }

        @Override
        public boolean hotdrop(Skb skb) {
            return n == CAPACITY && skb.conn != null;
        }
    }
}
