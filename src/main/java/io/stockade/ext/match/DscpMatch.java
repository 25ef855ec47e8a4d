package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m dscp [!] --dscp VALUE | [!] --dscp-class CLASS} (libxt_dscp / xt_dscp): the upper six
 * bits of the IPv4 TOS / IPv6 traffic class equal VALUE (0..0x3f). A class name (BE, EF, AFxy,
 * CSx) is turned into its value at parse time, so iptables-save prints {@code --dscp 0x2e}.
 */
public final class DscpMatch extends XtOptMatch {
    private static final int O_DSCP = 0;
    private static final int O_DSCP_CLASS = 1;

    private static final String[] CLASS_NAMES = {
        "CS0", "CS1", "CS2", "CS3", "CS4", "CS5", "CS6", "CS7", "BE", "AF11", "AF12", "AF13",
        "AF21", "AF22", "AF23", "AF31", "AF32", "AF33", "AF41", "AF42", "AF43", "EF"};
    private static final int[] CLASS_VALUES = {
        0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x00, 0x0a, 0x0c, 0x0e,
        0x12, 0x14, 0x16, 0x1a, 0x1c, 0x1e, 0x22, 0x24, 0x26, 0x2e};

    public DscpMatch() {
        super("dscp",
                new Entry("dscp", O_DSCP, Type.UINT8, INVERT, 0, 0x3f, 1 << O_DSCP_CLASS, 0),
                new Entry("dscp-class", O_DSCP_CLASS, Type.STRING, INVERT, 0, 0, 1 << O_DSCP, 0));
    }

    /**
     * dscp_helper.c's class_to_dscp: a case-insensitive prefix comparison of the argument with
     * each class name (so "EFx" is EF, as in iptables).
     */
    static int classToDscp(String name) throws ParameterProblem {
        for (int i = 0; i < CLASS_NAMES.length; i++) {
            String c = CLASS_NAMES[i];
            if (name.length() >= c.length() && name.regionMatches(true, 0, c, 0, c.length())) {
                return CLASS_VALUES[i];
            }
        }
        throw new ParameterProblem("Invalid DSCP value `" + name + "'");
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int dscp;
            private boolean invert;

            @Override
            void parse(Call cb) throws ParameterProblem {
                dscp = cb.entry.id() == O_DSCP ? (int) cb.value : classToDscp(cb.arg);
                if (cb.invert) {
                    invert = true;
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (xflags == 0) {
                    throw new ParameterProblem("DSCP match: Parameter --dscp is required");
                }
                return new Spec(dscp, invert);
            }
        };
    }

    /** The parsed match: DSCP value 0..63 and inversion. */
    public record Spec(int dscp, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "dscp";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " !" : "").append(" --dscp ").append(Fmt.hex2(dscp));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("DSCP match ").append(invert ? "!" : "").append(Fmt.hex2(dscp));
        }

        @Override
        public String check(CheckEnv env) {
            return dscp > 0x3f ? EINVAL : null;
        }

        @Override
        public boolean matches(Skb skb) {
            return ((skb.pd.tos >>> 2) == dscp) ^ invert;
        }
    }
}
