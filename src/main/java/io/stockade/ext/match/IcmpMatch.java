package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.IcmpNames;
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
 * {@code -m icmp --icmp-type [!] TYPE[/CODE]} (libipt_icmp / ip_tables' icmp_match, IPv4) and
 * {@code -m icmp6 --icmpv6-type [!] TYPE[/CODE]} (libip6t_icmp6 / ip6_tables' icmp6_match, IPv6):
 * one module, two instances ({@link #icmp()}, {@link #icmp6()}). IPv4: type 255 ("any") matches
 * every ICMP packet and without {@code --icmp-type} the match is "any"; IPv6: the option is
 * mandatory and there is no "any". Requires {@code -p icmp} / {@code -p ipv6-icmp}. Non-first
 * fragments never match; a first fragment shorter than the 8-byte header is hot-dropped.
 */
public final class IcmpMatch implements MatchExtension {
    private final boolean v6;
    private final String name;
    private final String option;
    private final List<Option> options;

    private IcmpMatch(boolean v6) {
        this.v6 = v6;
        this.name = v6 ? "icmp6" : "icmp";
        this.option = v6 ? "icmpv6-type" : "icmp-type";
        this.options = List.of(Option.invValue(option, 0));
    }

    /** {@code -m icmp} (IPv4). */
    public static IcmpMatch icmp() {
        return new IcmpMatch(false);
    }

    /** {@code -m icmp6} (IPv6). */
    public static IcmpMatch icmp6() {
        return new IcmpMatch(true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supports(Family family) {
        return family == (v6 ? Family.IPV6 : Family.IPV4);
    }

    @Override
    public List<Option> options() {
        return options;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int[] t;
            private boolean inv;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                if (t != null) {
                    throw Xt.once(name, option);
                }
                t = IcmpTypes.parse(arg, IcmpNames.table(v6), v6 ? "ICMPv6" : "ICMP");
                inv = inverted;
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                if (t == null) {
                    if (v6) {
                        throw Xt.required(name, option);
                    }
                    return new Spec(false, 0xff, 0, 0xff, false);
                }
                return new Spec(v6, t[0], t[1], t[2], inv);
            }
        };
    }

    /** The parsed match (struct ipt_icmp / ip6t_icmp). */
    public record Spec(boolean v6, int type, int codeMin, int codeMax, boolean inverted) implements MatchSpec, Matcher {

        @Override
        public String name() {
            return v6 ? "icmp6" : "icmp";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(inverted ? " ! --" : " --").append(v6 ? "icmpv6-type " : "icmp-type ");
            if (any()) {
                out.append("any");
            } else {
                IcmpTypes.appendSave(out, type, codeMin, codeMax);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(v6 ? "ipv6-icmp" : "icmp");
            IcmpTypes.appendPrint(out, IcmpNames.table(v6), type, codeMin, codeMax, inverted, numeric);
        }

        @Override
        public String check(CheckEnv env) {
            return Xt.protoIs(env, v6 ? 58 : 1) ? null : Xt.EINVAL;
        }

        /** IPv4's wildcard type 255 (icmp_type_code_match); IPv6 has none. */
        private boolean any() {
            return !v6 && type == 0xff && codeMin == 0 && codeMax == 0xff;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0 || truncated(pd)) {
                return false;
            }
            boolean m = (!v6 && type == 0xff)
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
