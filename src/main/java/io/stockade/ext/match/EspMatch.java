package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m esp [!] --espspi SPI[:SPI]} (libxt_esp / xt_esp), both families: the SPI of the ESP
 * header that is the rule's transport protocol. The kernel requires {@code -p esp}; non-first
 * fragments never match; a truncated header hot-drops the packet.
 */
public final class EspMatch extends XtOptMatch {
    static final int IPPROTO_ESP = 50;

    public EspMatch() {
        super("esp", entry("espspi", 0, Type.UINT32RC, INVERT));
    }

    @Override
    protected State newState(ParseEnv env) {
        return rangeState(Spec::new);
    }

    /** The parsed match. */
    public record Spec(long min, long max, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "esp";
        }

        @Override
        public void save(StringBuilder out) {
            Fmt.saveRange(out, "espspi", min, max, invert);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("esp");
            if (!Fmt.skipRange(min, max, invert)) {
                out.append(' ');
                Fmt.printRange(out, "spi", min, max, invert);
            }
        }

        @Override
        public String check(CheckEnv env) {
            return AhMatch.requireProto(env, IPPROTO_ESP);
        }

        @Override
        public boolean matches(Skb skb) {
            if (skb.pd.fragOffset != 0) {
                return false;
            }
            long spi = HeaderBytes.u32(skb.pd, skb.pd.l4Offset);
            if (skb.pd.l4Offset < 0 || !HeaderBytes.has(skb.pd, skb.pd.l4Offset, 8)) {
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
