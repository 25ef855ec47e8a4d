package io.stockade.ext.match;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.SplittableRandom;

/**
 * {@code -m statistic --mode random [!] --probability P} or {@code --mode nth [!] --every N
 * [--packet P]} (libxt_statistic / xt_statistic). The probability is kept as the kernel keeps it,
 * {@code lround(P × 2^31)}, and compared with 31 random bits; the random source is a
 * {@link SplittableRandom} seeded from {@link #seed} and the rule, so replays are reproducible.
 * The nth counter restarts at each commit, as the kernel's checkentry re-arms it.
 */
public final class StatisticMatch extends XtOptMatch {
    static final int O_MODE = 0;
    static final int O_PROBABILITY = 1;
    static final int O_EVERY = 2;
    static final int O_PACKET = 3;

    /** Seed of the random mode (set before compiling to vary or pin a replay). */
    public static volatile long seed = 0x5eed5eedL;

    public StatisticMatch() {
        super("statistic",
                entry("mode", O_MODE, Type.STRING, MAND),
                new Entry("probability", O_PROBABILITY, Type.STRING, INVERT, 0, 0, (1 << O_EVERY) | (1 << O_PACKET), 0),
                new Entry("every", O_EVERY, Type.UINT32, INVERT, 1, 0xffffffffL, 1 << O_PROBABILITY, 1 << O_PACKET),
                new Entry("packet", O_PACKET, Type.UINT32, 0, 0, 0, 1 << O_PROBABILITY, 1 << O_EVERY));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private boolean nth;
            private boolean inv;
            private long prob;
            private long every;
            private long packet;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_MODE -> {
                        if (cb.arg.equals("random")) {
                            nth = false;
                        } else if (cb.arg.equals("nth")) {
                            nth = true;
                        } else {
                            throw new ParameterProblem("Bad mode \"" + cb.arg + "\"");
                        }
                    }
                    case O_PROBABILITY -> {
                        double p;
                        try {
                            p = Double.parseDouble(cb.arg);
                        } catch (NumberFormatException e) {
                            p = -1;
                        }
                        if (!(p >= 0 && p <= 1)) {
                            throw new ParameterProblem(
                                    "statistic: bad value for option \"--probability\", or out of range (0-1).\n");
                        }
                        prob = Math.round(0x80000000L * p);
                        inv = cb.invert;
                    }
                    case O_EVERY -> {
                        every = cb.value - 1;
                        inv = cb.invert;
                    }
                    case O_PACKET -> packet = cb.value;
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (!nth && (xflags & (1 << O_PROBABILITY)) == 0) {
                    throw new ParameterProblem("--probability must be specified when using random mode");
                }
                if (nth && (xflags & ((1 << O_EVERY) | (1 << O_PACKET))) == 0) {
                    throw new ParameterProblem("--every and --packet must be specified when using nth mode");
                }
                if (packet > every) {
                    throw new ParameterProblem("the --packet p must be 0 <= p <= n-1");
                }
                return new Spec(nth, inv, prob, every, packet);
            }
        };
    }

    /**
     * The parsed match (struct xt_statistic_info).
     *
     * @param probability lround(P × 2^31)
     * @param every       N − 1, as stored
     */
    public record Spec(boolean nth, boolean invert, long probability, long every, long packet)
            implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "statistic";
        }

        private void dump(StringBuilder out, String p) {
            if (!nth) {
                out.append(' ').append(p).append("mode random").append(invert ? " !" : "").append(' ').append(p)
                        .append("probability ").append(String.format("%.11f", probability / (double) 0x80000000L));
            } else {
                out.append(' ').append(p).append("mode nth").append(invert ? " !" : "").append(' ').append(p)
                        .append("every ").append(every + 1).append(' ').append(p).append("packet ").append(packet);
            }
        }

        @Override
        public void save(StringBuilder out) {
            dump(out, "--");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("statistic");
            dump(out, "");
        }

        @Override
        public Matcher compile(RuntimeState state) {
            if (!nth) {
                return new Random(new SplittableRandom(seed ^ hashCode()), probability, invert);
            }
            return new Matcher() {
                private long count = every - packet;

                @Override
                public boolean matches(Skb skb) {
                    count = count == every ? 0 : count + 1;
                    return (count == 0) != invert;
                }
            };
        }
    }

    /** The random mode's per-rule generator. */
    static final class Random implements Matcher {
        private final SplittableRandom rnd;
        private final long probability;
        private final boolean invert;

        Random(SplittableRandom rnd, long probability, boolean invert) {
            this.rnd = rnd;
            this.probability = probability;
            this.invert = invert;
        }

        @Override
        public boolean matches(Skb skb) {
            return ((rnd.nextInt() & 0x7fffffff) < probability) != invert;
        }
    }
}
