package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * IPv6 {@code -m ah [!] --ahspi SPI[:SPI] [!] --ahlen LEN --ahres} (libip6t_ah / ip6t_ah): the
 * first Authentication Header in the extension-header chain — its SPI range, its total length in
 * bytes ({@code (hdrlen + 2) * 4}, checked only when non-zero) and a zero reserved field. No
 * {@code -p} is needed. A truncated chain hot-drops the packet.
 */
public final class Ah6Match extends XtOptMatch {
    private static final int O_AHSPI = 0;
    private static final int O_AHLEN = 1;

    public Ah6Match() {
        super("ah",
                entry("ahspi", O_AHSPI, Type.UINT32RC, INVERT),
                entry("ahlen", O_AHLEN, Type.UINT32, INVERT),
                entry("ahres", 2, Type.NONE, 0));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long min;
            private long max = 0xffffffffL;
            private boolean invSpi;
            private long hdrlen;
            private boolean invLen;
            private boolean res;

            @Override
            void parse(Call cb) {
                switch (cb.entry.id()) {
                    case O_AHSPI -> {
                        min = cb.range[0];
                        max = cb.nvals == 1 ? min : cb.range[1];
                        invSpi |= cb.invert;
                    }
                    case O_AHLEN -> {
                        hdrlen = cb.value;
                        invLen |= cb.invert;
                    }
                    default -> res = true;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(min, max, invSpi, hdrlen, invLen, res);
            }
        };
    }

    /** The parsed match (ip6t_ah). */
    public record Spec(long min, long max, boolean invSpi, long hdrlen, boolean invLen, boolean res)
            implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "ah";
        }

        @Override
        public void save(StringBuilder out) {
            Fmt.saveRange(out, "ahspi", min, max, invSpi);
            if (hdrlen != 0 || invLen) {
                out.append(invLen ? " !" : "").append(" --ahlen ").append(hdrlen);
            }
            if (res) {
                out.append(" --ahres");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("ah ");
            Fmt.printRange(out, "spi", min, max, invSpi);
            if (hdrlen != 0 || invLen) {
                // iptables prints "length" right after the spi part, without a space.
                out.append("length:").append(invLen ? "!" : "").append(hdrlen);
            }
            if (res) {
                out.append(" reserved");
            }
        }

        @Override
        public boolean matches(Skb skb) {
            int ptr = HeaderBytes.findIpv6(skb.pd, HeaderBytes.NEXTHDR_AUTH);
            if (ptr < 0 || !HeaderBytes.has(skb.pd, ptr, 12)) {
                return false;
            }
            long spi = HeaderBytes.u32(skb.pd, ptr + 4);
            long len = (HeaderBytes.u8(skb.pd, ptr + 1) + 2L) << 2;
            return ((spi >= min && spi <= max) ^ invSpi)
                    && (hdrlen == 0 || ((hdrlen == len) ^ invLen))
                    && !(res && HeaderBytes.u16(skb.pd, ptr + 2) != 0);
        }

        @Override
        public boolean hotdrop(Skb skb) {
            int ptr = HeaderBytes.findIpv6(skb.pd, HeaderBytes.NEXTHDR_AUTH);
            return ptr == HeaderBytes.EBADMSG || (ptr >= 0 && !HeaderBytes.has(skb.pd, ptr, 12));
        }
    }
}
