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
 * {@code -j TOS} revision 1 (libxt_TOS / xt_DSCP's tos_tg): {@code --set-tos V[/M]} or a
 * symbolic name (V/0x3f), {@code --and-tos B} (0/~B), {@code --or-tos B} (B/B),
 * {@code --xor-tos B} (B/0); applied as {@code tos = (tos & ~M) ^ V} with the IPv4 checksum
 * updated (IPv6: the traffic class). mangle table only.
 */
public final class TosTarget implements TargetExtension {
    private static final int O_SET_TOS = 0;
    private static final int O_AND_TOS = 1;
    private static final int O_OR_TOS = 2;
    private static final int O_XOR_TOS = 3;
    private static final List<Option> OPTIONS = List.of(
            Option.value("set-tos", O_SET_TOS),
            Option.value("and-tos", O_AND_TOS),
            Option.value("or-tos", O_OR_TOS),
            Option.value("xor-tos", O_XOR_TOS));
    static final String[] NAMES = {"Minimize-Cost", "Maximize-Reliability", "Maximize-Throughput", "Minimize-Delay",
        "Normal-Service"};
    static final int[] VALUES = {0x02, 0x04, 0x08, 0x10, 0x00};

    @Override
    public String name() {
        return "TOS";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("TOS", OPTIONS);
            private int value;
            private int mask;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_SET_TOS) {
                    int slash = arg.indexOf('/');
                    long v = TargetArgs.parseUnsigned(slash < 0 ? arg : arg.substring(0, slash), 0xff);
                    long m = slash < 0 ? 0xff : TargetArgs.parseUnsigned(arg.substring(slash + 1), 0xff);
                    if (v >= 0 && m >= 0) {
                        value = (int) v;
                        mask = (int) m;
                        return;
                    }
                    for (int i = 0; i < NAMES.length; i++) {
                        if (NAMES[i].equalsIgnoreCase(arg)) {
                            value = VALUES[i];
                            mask = 0x3f;
                            return;
                        }
                    }
                    throw new ParameterProblem("Symbolic name \"" + arg + "\" is unknown");
                }
                long v = TargetArgs.parseUnsigned(arg, 0xff);
                if (v < 0) {
                    throw new ParameterProblem("TOS: bad value for option \"--" + opt.name()
                            + "\", or out of range (0-255).\n");
                }
                int b = (int) v;
                switch (opt.id()) {
                    case O_AND_TOS -> {
                        value = 0;
                        mask = ~b & 0xff;
                    }
                    case O_OR_TOS -> {
                        value = b;
                        mask = b;
                    }
                    default -> {
                        value = b;
                        mask = 0;
                    }
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive(0xf);
                if (seen.mask() == 0) {
                    throw new ParameterProblem("TOS: An action is required");
                }
                return new Spec(value, mask);
            }
        };
    }

    /** The parsed target ({@code xt_tos_target_info}). */
    public record Spec(int value, int mask) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "TOS";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --set-tos ").append(TargetArgs.hex2(value)).append('/').append(TargetArgs.hex2(mask));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            if (!numeric && mask == 0x3f) {
                for (int i = 0; i < NAMES.length; i++) {
                    if (VALUES[i] == value) {
                        // tos_try_print_symbolic's " %s%s " (two spaces in -L, none after "set")
                        out.append(" TOS set").append(NAMES[i]).append(' ');
                        return;
                    }
                }
            }
            if (numeric) {
                out.append("TOS set ").append(TargetArgs.hex2(value)).append('/').append(TargetArgs.hex2(mask));
            } else if (value == 0) {
                out.append("TOS and ").append(TargetArgs.hex2(~mask));
            } else if (value == mask) {
                out.append("TOS or ").append(TargetArgs.hex2(value));
            } else if (mask == 0) {
                out.append("TOS xor ").append(TargetArgs.hex2(value));
            } else {
                out.append("TOS set ").append(TargetArgs.hex2(value)).append('/').append(TargetArgs.hex2(mask));
            }
        }

        @Override
        public String check(CheckEnv env) {
            return TargetArgs.mangleOnly(env);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            DsField.setTos(skb, (skb.pd.tos & ~mask) ^ value);
            return Verdict.CONTINUE;
        }
    }
}
