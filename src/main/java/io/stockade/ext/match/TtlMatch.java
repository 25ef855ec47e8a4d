package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m ttl --ttl-eq|--ttl-lt|--ttl-gt N} (libipt_ttl / ipt_ttl, IPv4) and
 * {@code -m hl --hl-eq|--hl-lt|--hl-gt N} (libip6t_hl / ip6t_hl, IPv6); only {@code -eq} takes
 * {@code !} (mode NE).
 */
public final class TtlMatch extends XtOptMatch {
    static final int EQ = 0;
    static final int NE = 1;
    static final int LT = 2;
    static final int GT = 3;
    private final boolean hl;

    private TtlMatch(boolean hl, String p) {
        super(hl ? "hl" : "ttl",
                new Entry(p + "-eq", EQ, Type.UINT8, INVERT, 0, 0, 0, 0),
                new Entry(p + "-lt", LT, Type.UINT8, 0, 0, 0, (1 << EQ) | (1 << GT), 0),
                new Entry(p + "-gt", GT, Type.UINT8, 0, 0, 0, (1 << EQ) | (1 << LT), 0));
        this.hl = hl;
    }

    /** {@code -m ttl} (IPv4). */
    public static TtlMatch ttl() {
        return new TtlMatch(false, "ttl");
    }

    /** {@code -m hl} (IPv6). */
    public static TtlMatch hl() {
        return new TtlMatch(true, "hl");
    }

    @Override
    public boolean supports(Family family) {
        return family == (hl ? Family.IPV6 : Family.IPV4);
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int mode = -1;
            private int value;

            @Override
            void parse(Call cb) {
                mode = cb.entry.id() == EQ && cb.invert ? NE : cb.entry.id();
                value = (int) cb.value;
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (mode < 0) {
                    throw new ParameterProblem(hl ? "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'"
                            : "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
                }
                return new Spec(hl, mode, value);
            }
        };
    }

    /** The parsed match (struct ipt_ttl_info / ip6t_hl_info). */
    public record Spec(boolean hl, int mode, int value) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return hl ? "hl" : "ttl";
        }

        @Override
        public void save(StringBuilder out) {
            String p = hl ? "--hl" : "--ttl";
            out.append(switch (mode) {
                case EQ -> " " + p + "-eq ";
                case NE -> " ! " + p + "-eq ";
                case LT -> " " + p + "-lt ";
                default -> " " + p + "-gt ";
            }).append(value);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(hl ? "HL match HL " : "TTL match TTL ").append(switch (mode) {
                case EQ -> "== ";
                case NE -> "!= ";
                case LT -> "< ";
                default -> "> ";
            }).append(value);
        }

        @Override
        public boolean matches(Skb skb) {
            int t = skb.pd.ttl;
            return switch (mode) {
                case EQ -> t == value;
                case NE -> t != value;
                case LT -> t < value;
                default -> t > value;
            };
        }
    }
}
