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
 * {@code -j DSCP --set-dscp N | --set-dscp-class NAME} (libxt_DSCP / xt_DSCP): sets the upper six
 * bits of the TOS / traffic class, keeping the ECN bits, with the IPv4 checksum update. Class
 * names CS0–CS7, BE, AFxy, EF (any case). mangle table only.
 */
public final class DscpTarget implements TargetExtension {
    private static final int O_SET_DSCP = 0;
    private static final int O_SET_DSCP_CLASS = 1;
    private static final List<Option> OPTIONS = List.of(
            Option.value("set-dscp", O_SET_DSCP),
            Option.value("set-dscp-class", O_SET_DSCP_CLASS));

    @Override
    public String name() {
        return "DSCP";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    /** The DSCP value of a class name (libxtables' dscp_helper table), or -1. */
    static int dscpClass(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        if (n.equals("BE")) {
            return 0;
        }
        if (n.equals("EF")) {
            return 0x2e;
        }
        if (n.length() == 3 && n.startsWith("CS") && n.charAt(2) >= '0' && n.charAt(2) <= '7') {
            return (n.charAt(2) - '0') << 3;
        }
        if (n.length() == 4 && n.startsWith("AF") && n.charAt(2) >= '1' && n.charAt(2) <= '4'
                && n.charAt(3) >= '1' && n.charAt(3) <= '3') {
            return ((n.charAt(2) - '0') << 3) | ((n.charAt(3) - '0') << 1);
        }
        return -1;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("DSCP", OPTIONS);
            private int dscp = -1;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_SET_DSCP) {
                    dscp = (int) TargetArgs.uint("DSCP", "set-dscp", arg, 0, 63);
                } else {
                    dscp = dscpClass(arg);
                    if (dscp < 0) {
                        throw new ParameterProblem("Invalid DSCP value `" + arg + "'");
                    }
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive(3);
                if (dscp < 0) {
                    throw new ParameterProblem("DSCP target: Parameter --set-dscp is required");
                }
                return new Spec(dscp);
            }
        };
    }

    /** The parsed target. */
    public record Spec(int dscp) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "DSCP";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --set-dscp ").append(TargetArgs.hex2(dscp));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("DSCP set ").append(TargetArgs.hex2(dscp));
        }

        @Override
        public String check(CheckEnv env) {
            return TargetArgs.mangleOnly(env);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            DsField.setTos(skb, (skb.pd.tos & 0x03) | (dscp << 2));
            return Verdict.CONTINUE;
        }
    }
}
