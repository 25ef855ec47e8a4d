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
 * {@code -m icmp6 --icmpv6-type [!] TYPE[/CODE]} (libip6t_icmp6 / ip6_tables' icmp6_match), IPv6
 * only. Requires {@code -p ipv6-icmp} (58). The option is mandatory. There is no "any" type.
 * Non-first fragments never match; a first fragment shorter than the 8-byte ICMPv6 header is
 * hot-dropped.
 */
public final class Icmp6Match implements MatchExtension {
    private static final List<Option> OPTIONS = List.of(Option.invValue("icmpv6-type", 0));

    @Override
    public String name() {
        return "icmp6";
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
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
                    throw Xt.once("icmp6", "icmpv6-type");
                }
                t = IcmpTypes.parse(arg, IcmpTypes.ICMP6, "ICMPv6");
                inv = inverted;
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                if (t == null) {
                    throw Xt.required("icmp6", "icmpv6-type");
                }
                return new Spec(t[0], t[1], t[2], inv);
            }
        };
    }

    /** The parsed match (struct ip6t_icmp). */
    public record Spec(int type, int codeMin, int codeMax, boolean inverted) implements MatchSpec, Matcher {

        @Override
        public String name() {
            return "icmp6";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(inverted ? " ! --icmpv6-type " : " --icmpv6-type ");
            IcmpTypes.appendSave(out, type, codeMin, codeMax);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("ipv6-icmp");
            IcmpTypes.appendPrint(out, IcmpTypes.ICMP6, type, codeMin, codeMax, inverted, numeric);
        }

        @Override
        public String check(CheckEnv env) {
            return Xt.protoIs(env, 58) ? null : Xt.EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0 || truncated(pd)) {
                return false;
            }
            boolean m = pd.icmpType == type && pd.icmpCode >= codeMin && pd.icmpCode <= codeMax;
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
