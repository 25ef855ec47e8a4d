package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import io.stockade.syntax.Quoting;
import java.util.List;

/**
 * {@code -j NFLOG} (libxt_NFLOG / xt_NFLOG): {@code --nflog-group} (0–65535, 0 not saved),
 * {@code --nflog-prefix} (kept to 63 bytes, as the legacy backend does), {@code --nflog-range}
 * (legacy copy length), {@code --nflog-size} (copy length with XT_NFLOG_F_COPY_LEN),
 * {@code --nflog-threshold} (1–65535). Per packet: continues; Stockade has no nfnetlink_log
 * listener, so the copy goes nowhere (listed as missing in COMPATIBILITY.md).
 */
public final class NflogTarget implements TargetExtension {
    private static final int O_GROUP = 0;
    private static final int O_PREFIX = 1;
    private static final int O_RANGE = 2;
    private static final int O_THRESHOLD = 3;
    private static final int O_SIZE = 4;
    private static final List<Option> OPTIONS = List.of(
            Option.value("nflog-group", O_GROUP),
            Option.value("nflog-prefix", O_PREFIX),
            Option.value("nflog-range", O_RANGE),
            Option.value("nflog-threshold", O_THRESHOLD),
            Option.value("nflog-size", O_SIZE));
    /** Prefix field is 64 bytes including the NUL. */
    static final int MAX_PREFIX = 63;

    @Override
    public String name() {
        return "NFLOG";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("NFLOG", OPTIONS);
            private int group;
            private String prefix = "";
            private long len;
            private boolean copyLen;
            private int threshold;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_GROUP -> group = (int) TargetArgs.uint("NFLOG", opt.name(), arg, 0, 65535);
                    case O_PREFIX -> {
                        if (arg.isEmpty()) {
                            throw new ParameterProblem("Argument must have a minimum length of 1 characters\n");
                        }
                        if (arg.indexOf('\n') >= 0) {
                            throw new ParameterProblem("Newlines not allowed in --nflog-prefix");
                        }
                        prefix = LogTarget.truncate(arg, MAX_PREFIX);
                    }
                    case O_RANGE -> len = TargetArgs.uint("NFLOG", opt.name(), arg, 0, 0xffffffffL);
                    case O_SIZE -> {
                        len = TargetArgs.uint("NFLOG", opt.name(), arg, 0, 0xffffffffL);
                        copyLen = true;
                    }
                    default -> threshold = (int) TargetArgs.uint("NFLOG", opt.name(), arg, 0, 65535);
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive((1 << O_RANGE) | (1 << O_SIZE));
                return new Spec(group, prefix, len, copyLen, threshold);
            }
        };
    }

    /**
     * The parsed target ({@code xt_nflog_info}).
     *
     * @param threshold 0 when not given (the kernel then uses 1)
     */
    public record Spec(int group, String prefix, long len, boolean copyLen, int threshold)
            implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "NFLOG";
        }

        @Override
        public void save(StringBuilder out) {
            if (!prefix.isEmpty()) {
                out.append(" --nflog-prefix ");
                Quoting.appendSaveString(out, prefix);
            }
            if (group != 0) {
                out.append(" --nflog-group ").append(group);
            }
            if (copyLen) {
                out.append(" --nflog-size ").append(len);
            } else if (len != 0) {
                out.append(" --nflog-range ").append(len);
            }
            if (threshold != 0) {
                out.append(" --nflog-threshold ").append(threshold);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            String sep = "";
            if (!prefix.isEmpty()) {
                out.append("nflog-prefix ").append(prefix);
                sep = " ";
            }
            if (group != 0) {
                out.append(sep).append("nflog-group ").append(group);
                sep = " ";
            }
            if (copyLen) {
                out.append(sep).append("nflog-size ").append(len);
                sep = " ";
            } else if (len != 0) {
                out.append(sep).append("nflog-range ").append(len);
                sep = " ";
            }
            if (threshold != 0) {
                out.append(sep).append("nflog-threshold ").append(threshold);
            }
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            // LINUX-DIFF: no nfnetlink_log listener exists; the packet copy is not delivered.
            return Verdict.CONTINUE;
        }
    }
}
