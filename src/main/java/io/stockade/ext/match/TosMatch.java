package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m tos [!] --tos VALUE[/MASK] | [!] --tos SYMBOL} (libxt_tos revision 1 / xt_tos): the
 * IPv4 TOS or IPv6 traffic-class byte, masked, equals VALUE. A number without mask means mask
 * 0xff; a symbolic name (Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost,
 * Normal-Service, case-insensitive) means mask 0x3f. Saved always as {@code 0xVV/0xMM}; listed
 * with the symbolic name when the mask is 0x3f and the value has one (without {@code -n}).
 */
public final class TosMatch extends XtOptMatch {
    private static final int O_TOS = 0;

    public TosMatch() {
        super("tos", new Entry("tos", O_TOS, Type.TOSMASK, INVERT | MAND, 0, 0x3f, 0, 0));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int value;
            private int mask;
            private boolean invert;

            @Override
            void parse(Call cb) {
                value = cb.tosValue;
                mask = cb.tosMask;
                if (cb.invert) {
                    invert = true;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(value, mask, invert);
            }
        };
    }

    /** The symbolic name iptables prints for value/mask, or null (tos_try_print_symbolic). */
    static String symbol(int value, int mask) {
        if (mask != 0x3f) {
            return null;
        }
        for (int i = 0; i < TOS_VALUES.length; i++) {
            if (TOS_VALUES[i] == value) {
                return TOS_NAMES[i];
            }
        }
        return null;
    }

    /** The parsed match. */
    public record Spec(int value, int mask, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "tos";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " !" : "").append(" --tos ").append(Fmt.hex2(value)).append('/')
                    .append(Fmt.hex2(mask));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("tos match").append(invert ? "!" : "");
            String sym = numeric ? null : symbol(value, mask);
            if (sym != null) {
                out.append(' ').append(sym);
            } else {
                out.append(Fmt.hex2(value)).append('/').append(Fmt.hex2(mask));
            }
        }

        @Override
        public boolean matches(Skb skb) {
            return ((skb.pd.tos & mask) == value) ^ invert;
        }
    }
}
