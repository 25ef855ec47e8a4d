package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m ecn [!] --ecn-tcp-cwr [!] --ecn-tcp-ece [!] --ecn-ip-ect 0..3} (libxt_ecn / xt_ecn):
 * the TCP CWR/ECE flags and the two ECN bits of the IPv4 TOS / IPv6 traffic class. The kernel
 * refuses the TCP options unless the rule says {@code -p tcp} (not inverted).
 */
public final class EcnMatch extends XtOptMatch {
    private static final int O_CWR = 0;
    private static final int O_ECE = 1;
    private static final int O_ECT = 2;
    /** XT_ECN_OP_MATCH_* bits. */
    static final int OP_IP = 0x01;
    static final int OP_ECE = 0x10;
    static final int OP_CWR = 0x20;
    private static final int TCP_ECE = 0x40;
    private static final int TCP_CWR = 0x80;

    public EcnMatch() {
        super("ecn",
                entry("ecn-tcp-cwr", O_CWR, Type.NONE, INVERT),
                entry("ecn-tcp-ece", O_ECE, Type.NONE, INVERT),
                entry("ecn-ip-ect", O_ECT, Type.UINT8, INVERT, 0, 3));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int operation;
            private int invert;
            private int ect;

            @Override
            void parse(Call cb) {
                int bit = switch (cb.entry.id()) {
                    case O_CWR -> OP_CWR;
                    case O_ECE -> OP_ECE;
                    default -> OP_IP;
                };
                operation |= bit;
                if (cb.invert) {
                    invert |= bit;
                }
                if (bit == OP_IP) {
                    ect = (int) cb.value;
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (xflags == 0) {
                    throw new ParameterProblem("ECN match: some option required");
                }
                return new Spec(operation, invert, ect);
            }
        };
    }

    /** The parsed match (the kernel's xt_ecn_info). */
    public record Spec(int operation, int invert, int ect) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "ecn";
        }

        @Override
        public void save(StringBuilder out) {
            if ((operation & OP_ECE) != 0) {
                out.append((invert & OP_ECE) != 0 ? " !" : "").append(" --ecn-tcp-ece");
            }
            if ((operation & OP_CWR) != 0) {
                out.append((invert & OP_CWR) != 0 ? " !" : "").append(" --ecn-tcp-cwr");
            }
            if ((operation & OP_IP) != 0) {
                out.append((invert & OP_IP) != 0 ? " !" : "").append(" --ecn-ip-ect ").append(ect);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("ECN match");
            if ((operation & OP_ECE) != 0) {
                out.append(' ').append((invert & OP_ECE) != 0 ? "!" : "").append("ECE");
            }
            if ((operation & OP_CWR) != 0) {
                out.append(' ').append((invert & OP_CWR) != 0 ? "!" : "").append("CWR");
            }
            if ((operation & OP_IP) != 0) {
                out.append(' ').append((invert & OP_IP) != 0 ? "!" : "").append("ECT=").append(ect);
            }
        }

        @Override
        public String check(CheckEnv env) {
            if ((operation & (OP_ECE | OP_CWR)) != 0
                    && (env.ip().protocol() != 6 || env.ip().inverted(IpHeaderFilter.INV_PROTO))) {
                return EINVAL;
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            if ((operation & OP_IP) != 0 && (((skb.pd.tos & 3) == ect) == ((invert & OP_IP) != 0))) {
                return false;
            }
            if ((operation & (OP_ECE | OP_CWR)) != 0) {
                int flags = HeaderBytes.u8(skb.pd, skb.pd.l4Offset + 13);
                if (skb.pd.l4Offset < 0 || flags < 0) {
                    return false;
                }
                if ((operation & OP_ECE) != 0 && (((flags & TCP_ECE) != 0) == ((invert & OP_ECE) != 0))) {
                    return false;
                }
                if ((operation & OP_CWR) != 0 && (((flags & TCP_CWR) != 0) == ((invert & OP_CWR) != 0))) {
                    return false;
                }
            }
            return true;
        }
    }
}
