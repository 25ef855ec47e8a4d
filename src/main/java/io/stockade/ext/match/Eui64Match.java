package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * IPv6 {@code -m eui64} (libip6t_eui64 / ip6t_eui64), no options: the low 64 bits of the source
 * address are the modified EUI-64 derived from the Ethernet source MAC ({@link Skb#srcMac}).
 * Valid from PREROUTING, INPUT and FORWARD. Without a known MAC it does not match.
 */
public final class Eui64Match extends XtOptMatch {
    public Eui64Match() {
        super("eui64");
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            @Override
            void parse(Call cb) {
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec();
            }
        };
    }

    /** The modified EUI-64 interface identifier of a 48-bit MAC. */
    static long eui64(long mac) {
        long oui = (mac >>> 24) & 0xffffff;
        long nic = mac & 0xffffff;
        return ((oui ^ 0x020000) << 40) | (0xfffeL << 24) | nic;
    }

    /** The match (no data). */
    public record Spec() implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "eui64";
        }

        @Override
        public void save(StringBuilder out) {
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            // iptables has no print for eui64 and falls back to "NAME " (without a leading space).
            out.append("eui64 ");
        }

        @Override
        public String check(CheckEnv env) {
            return env.onlyHooks(Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit()) ? null : EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            return skb.srcMac >= 0 && skb.pd.ipVersion == 6 && skb.pd.srcLo == eui64(skb.srcMac);
        }
    }
}
