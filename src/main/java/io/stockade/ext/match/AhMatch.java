package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * IPv4 {@code -m ah [!] --ahspi SPI[:SPI]} (libipt_ah / ipt_ah): the SPI of the AH header that is
 * the rule's transport protocol. The kernel requires {@code -p ah} and never matches non-first
 * fragments; a truncated AH header hot-drops the packet. For IPv6 see {@link Ah6Match}.
 */
public final class AhMatch extends XtOptMatch {
    static final int IPPROTO_AH = 51;

    public AhMatch() {
        super("ah", entry("ahspi", 0, Type.UINT32RC, INVERT));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV4;
    }

    @Override
    protected State newState(ParseEnv env) {
        return rangeState(Spec::new);
    }

    /** xt_check_match's protocol requirement: {@code -p PROTO} given and not inverted. */
    static String requireProto(CheckEnv env, int proto) {
        return env.ip().protocol() == proto
                && !env.ip().inverted(io.stockade.rules.IpHeaderFilter.INV_PROTO) ? null : EINVAL;
    }

    /** The parsed match: SPI range (unsigned 32-bit in longs) and inversion. */
    public record Spec(long min, long max, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "ah";
        }

        @Override
        public void save(StringBuilder out) {
            Fmt.saveRange(out, "ahspi", min, max, invert);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("ah ");
            Fmt.printRange(out, "spi", min, max, invert);
        }

        @Override
        public String check(CheckEnv env) {
            return requireProto(env, IPPROTO_AH);
        }

        @Override
        public boolean matches(Skb skb) {
            if (skb.pd.fragOffset != 0) {
                return false;
            }
            long spi = HeaderBytes.u32(skb.pd, skb.pd.l4Offset + 4);
            if (skb.pd.l4Offset < 0 || spi < 0) {
                return false;
            }
            return (spi >= min && spi <= max) ^ invert;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            return skb.pd.fragOffset == 0
                    && (skb.pd.l4Offset < 0 || !HeaderBytes.has(skb.pd, skb.pd.l4Offset, 8));
        }
    }
}
