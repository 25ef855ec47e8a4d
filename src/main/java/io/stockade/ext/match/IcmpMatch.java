package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.List;

/**
 * {@code -m icmp --icmp-type [!] TYPE[/CODE]} (libipt_icmp / ip_tables' icmp_match), IPv4 only.
 * Type 255 ("any") matches every ICMP packet. Requires {@code -p icmp}. Without
 * {@code --icmp-type} the match is "any". Non-first fragments never match; a first fragment
 * shorter than the 8-byte ICMP header is hot-dropped.
 */
public final class IcmpMatch implements MatchExtension {
    private static final List<Option> OPTIONS = List.of(Option.invValue("icmp-type", 0));

    @Override
    public String name() {
        return "icmp";
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV4;
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int[] t;
            private boolean inv;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                if (t != null) {
                    throw Xt.once("icmp", "icmp-type");
                }
                t = IcmpTypes.parse(arg, IcmpTypes.ICMP, "ICMP");
                inv = inverted;
            }

            @Override
            public MatchSpec finish() {
                return t == null ? new Spec(0xff, 0, 0xff, false) : new Spec(t[0], t[1], t[2], inv);
            }
        };
    }

    /** The parsed match (struct ipt_icmp). */
    public record Spec(int type, int codeMin, int codeMax, boolean inverted) implements MatchSpec, Matcher {

        @Override
        public String name() {
            return "icmp";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(inverted ? " ! --icmp-type " : " --icmp-type ");
            if (type == 0xff && codeMin == 0 && codeMax == 0xff) {
                out.append("any");
            } else {
                IcmpTypes.appendSave(out, type, codeMin, codeMax);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("icmp");
            IcmpTypes.appendPrint(out, IcmpTypes.ICMP, type, codeMin, codeMax, inverted, numeric);
        }

        @Override
        public String check(CheckEnv env) {
            return Xt.protoIs(env, 1) ? null : Xt.EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0 || truncated(pd)) {
                return false;
            }
            boolean m = type == 0xff
                    || (pd.icmpType == type && pd.icmpCode >= codeMin && pd.icmpCode <= codeMax);
            return m != inverted;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            return skb.pd.fragOffset == 0 && truncated(skb.pd);
        }

        static boolean truncated(PacketDescriptor pd) {
            return pd.l4Offset < 0 || pd.length - pd.l4Offset < 8;
        }
    }
}
