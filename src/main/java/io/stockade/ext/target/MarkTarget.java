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
import java.util.List;

/**
 * {@code -j MARK} revision 2 (libxt_MARK / xt_mark's {@code mark_tg}): every form is kept as the
 * kernel's {@code (mark, mask)} pair, applied as {@code nfmark = (nfmark & ~mask) ^ mark}.
 * {@code --set-xmark v[/m]} is (v, m); {@code --set-mark v[/m]} is (v, m|v); {@code --and-mark b}
 * is (0, ~b); {@code --or-mark b} is (b, b); {@code --xor-mark b} is (b, 0). Saved as
 * {@code --set-xmark 0xV/0xM}; {@code -L} shows the shortest equivalent (and/or/xor/set/xset).
 */
public final class MarkTarget implements TargetExtension {
    private static final int O_SET_MARK = 0;
    private static final int O_AND_MARK = 1;
    private static final int O_OR_MARK = 2;
    private static final int O_XOR_MARK = 3;
    private static final int O_SET_XMARK = 4;
    private static final int F_ANY = 0x1f;
    private static final List<Option> OPTIONS = List.of(
            Option.value("set-xmark", O_SET_XMARK),
            Option.value("set-mark", O_SET_MARK),
            Option.value("and-mark", O_AND_MARK),
            Option.value("or-mark", O_OR_MARK),
            Option.value("xor-mark", O_XOR_MARK));

    @Override
    public String name() {
        return "MARK";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("MARK", OPTIONS);
            private int mark;
            private int mask;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_SET_XMARK, O_SET_MARK -> {
                        long mm = TargetArgs.markMask("MARK", opt.name(), arg);
                        mark = (int) mm;
                        mask = (int) (mm >>> 32);
                        if (opt.id() == O_SET_MARK) {
                            mask |= mark;
                        }
                    }
                    default -> {
                        long v = TargetArgs.parseUnsigned(arg, 0xffffffffL);
                        if (v < 0) {
                            throw new ParameterProblem("MARK: bad value for option \"--" + opt.name()
                                    + "\", or out of range (0-4294967295).\n");
                        }
                        int b = (int) v;
                        switch (opt.id()) {
                            case O_AND_MARK -> {
                                mark = 0;
                                mask = ~b;
                            }
                            case O_OR_MARK -> {
                                mark = b;
                                mask = b;
                            }
                            default -> {
                                mark = b;
                                mask = 0;
                            }
                        }
                    }
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive(F_ANY);
                if (seen.mask() == 0) {
                    throw new ParameterProblem(
                            "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required");
                }
                return new Spec(mark, mask);
            }
        };
    }

    /** The parsed target: {@code nfmark = (nfmark & ~mask) ^ mark}. */
    public record Spec(int mark, int mask) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "MARK";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --set-xmark ").append(TargetArgs.hex(mark)).append('/').append(TargetArgs.hex(mask));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            printMarkOp(out, "MARK", mark, mask);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            skb.mark = (skb.mark & ~mask) ^ mark;
            return Verdict.CONTINUE;
        }
    }

    /** mark_tg_print's choice of the shortest form, shared with CONNMARK's set mode. */
    static void printMarkOp(StringBuilder out, String label, int mark, int mask) {
        out.append(label);
        if (mark == 0) {
            out.append(" and ").append(TargetArgs.hex(~mask));
        } else if (mark == mask) {
            out.append(" or ").append(TargetArgs.hex(mark));
        } else if (mask == 0) {
            out.append(" xor ").append(TargetArgs.hex(mark));
        } else if (mask == -1) {
            out.append(" set ").append(TargetArgs.hex(mark));
        } else {
            out.append(" xset ").append(TargetArgs.hex(mark)).append('/').append(TargetArgs.hex(mask));
        }
    }
}
