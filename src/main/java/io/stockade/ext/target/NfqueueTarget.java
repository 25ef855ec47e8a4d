package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j NFQUEUE} revision 3 (libxt_NFQUEUE / xt_NFQUEUE): {@code --queue-num N} or
 * {@code --queue-balance A:B} (A &lt; B; a missing A is 0, a missing B 65534), and the flags
 * {@code --queue-bypass} and {@code --queue-cpu-fanout}. Per packet: {@link Verdict#queue} with
 * the queue number (balanced over the range by a symmetric hash of the addresses, so both
 * directions of a flow meet in one queue, as {@code nfqueue_hash}); {@link Skb#queueBypass}
 * tells the engine to accept instead of drop when no program listens on that queue.
 */
public final class NfqueueTarget implements TargetExtension {
    private static final int O_QUEUE_NUM = 0;
    private static final int O_QUEUE_BALANCE = 1;
    private static final int O_QUEUE_BYPASS = 2;
    private static final int O_QUEUE_CPU_FANOUT = 3;
    private static final List<Option> OPTIONS = List.of(
            Option.value("queue-num", O_QUEUE_NUM),
            Option.value("queue-balance", O_QUEUE_BALANCE),
            Option.flag("queue-bypass", O_QUEUE_BYPASS),
            Option.flag("queue-cpu-fanout", O_QUEUE_CPU_FANOUT));
    /** NFQ_FLAG_BYPASS, NFQ_FLAG_CPU_FANOUT. */
    public static final int BYPASS = 1;
    public static final int CPU_FANOUT = 2;

    @Override
    public String name() {
        return "NFQUEUE";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("NFQUEUE", OPTIONS);
            private int num;
            private int total = 1;
            private int flags;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_QUEUE_NUM -> num = (int) TargetArgs.uint("NFQUEUE", "queue-num", arg, 0, 65535);
                    case O_QUEUE_BALANCE -> {
                        int colon = arg.indexOf(':');
                        if (colon < 0) {
                            throw new ParameterProblem("Bad range \"" + arg + "\"");
                        }
                        String a = arg.substring(0, colon);
                        String b = arg.substring(colon + 1);
                        long first = a.isEmpty() ? 0 : TargetArgs.parseUnsigned(a, 65535);
                        if (first < 0) {
                            throw near(arg);
                        }
                        long last = b.isEmpty() ? 65534 : TargetArgs.parseUnsigned(b, 65535);
                        if (last < 0) {
                            throw near(b);
                        }
                        if (first >= last) {
                            throw new ParameterProblem(first + " should be less than " + last);
                        }
                        num = (int) first;
                        total = (int) (last - first + 1);
                    }
                    case O_QUEUE_BYPASS -> flags |= BYPASS;
                    default -> flags |= CPU_FANOUT;
                }
            }

            private ParameterProblem near(String rest) {
                return new ParameterProblem("NFQUEUE: bad value for option \"--queue-balance\" near \"" + rest
                        + "\", or out of range (0-65535).\n");
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive((1 << O_QUEUE_NUM) | (1 << O_QUEUE_BALANCE));
                return new Spec(num, total, flags);
            }
        };
    }

    /**
     * The parsed target ({@code xt_NFQ_info_v3}).
     *
     * @param total number of queues from {@code queueNum} on (1 for {@code --queue-num})
     */
    public record Spec(int queueNum, int total, int flags) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "NFQUEUE";
        }

        public boolean bypass() {
            return (flags & BYPASS) != 0;
        }

        @Override
        public void save(StringBuilder out) {
            if (total > 1) {
                out.append(" --queue-balance ").append(queueNum).append(':').append(queueNum + total - 1);
            } else {
                out.append(" --queue-num ").append(queueNum);
            }
            if ((flags & BYPASS) != 0) {
                out.append(" --queue-bypass");
            }
            if ((flags & CPU_FANOUT) != 0) {
                out.append(" --queue-cpu-fanout");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            if (total > 1) {
                out.append("NFQUEUE balance ").append(queueNum).append(':').append(queueNum + total - 1);
            } else {
                out.append("NFQUEUE num ").append(queueNum);
            }
            if ((flags & BYPASS) != 0) {
                out.append(" bypass");
            }
            if ((flags & CPU_FANOUT) != 0) {
                out.append(" cpu-fanout");
            }
        }

        /** nfqueue_tg_check: the kernel's queues_total is 16 bits, and the last queue must fit. */
        @Override
        public String check(CheckEnv env) {
            if (total > 0xffff || queueNum + total - 1 > 0xffff) {
                return TargetArgs.EINVAL;
            }
            return null;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            int queue = queueNum;
            if (total > 1) {
                // LINUX-DIFF: Linux hashes with jhash and a boot-time seed (or picks by CPU with
                // --queue-cpu-fanout); this hash is symmetric too but differs in value.
                long a = skb.pd.srcHi ^ skb.pd.srcLo;
                long b = skb.pd.dstHi ^ skb.pd.dstLo;
                long h = (a ^ b) * 0x9e3779b97f4a7c15L;
                queue += (int) Long.remainderUnsigned(h >>> 16, total);
            }
            skb.queueBypass = (flags & BYPASS) != 0;
            return Verdict.queue(queue);
        }
    }
}
