package io.stockade.ext.target;

import io.stockade.rules.Family;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j HMARK} (libxt_HMARK / xt_HMARK): {@code --hmark-tuple ct|src,dst,sport,dport,spi,proto},
 * {@code --hmark-src-prefix}, {@code --hmark-dst-prefix}, {@code --hmark-sport-mask},
 * {@code --hmark-dport-mask}, {@code --hmark-spi-mask}, {@code --hmark-proto-mask},
 * {@code --hmark-rnd}, {@code --hmark-mod}, {@code --hmark-offset}; mod and rnd are mandatory, the
 * SPI mask excludes port masks. Syntax, save and {@code -L}; the per-packet hash is not
 * implemented (the spec is not an action, so the engine refuses the rule instead of ignoring it).
 */
public final class HmarkTarget implements TargetExtension {
    static final int SADDR = 0;
    static final int DADDR = 1;
    static final int SPI = 2;
    static final int SPORT = 3;
    static final int DPORT = 4;
    static final int PROTO = 5;
    static final int RND = 6;
    static final int MODULUS = 7;
    static final int OFFSET = 8;
    static final int CT = 9;
    private static final int O_TUPLE = 10;
    private static final List<Option> OPTIONS = List.of(
            Option.value("hmark-tuple", O_TUPLE),
            Option.value("hmark-src-prefix", SADDR),
            Option.value("hmark-dst-prefix", DADDR),
            Option.value("hmark-sport-mask", SPORT),
            Option.value("hmark-dport-mask", DPORT),
            Option.value("hmark-spi-mask", SPI),
            Option.value("hmark-proto-mask", PROTO),
            Option.value("hmark-rnd", RND),
            Option.value("hmark-mod", MODULUS),
            Option.value("hmark-offset", OFFSET));

    @Override
    public String name() {
        return "HMARK";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        int bits = env.family() == Family.IPV4 ? 32 : 128;
        return new Parser() {
            private final OptionSet seen = new OptionSet("HMARK", OPTIONS);
            private int flags;
            private final long[] v = new long[9];

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                int id = opt.id();
                if (id == O_TUPLE) {
                    for (String w : arg.split(",", -1)) {
                        switch (w) {
                            case "ct" -> flags |= 1 << CT;
                            case "src" -> set(SADDR, bits);
                            case "dst" -> set(DADDR, bits);
                            case "sport" -> set(SPORT, 0xffff);
                            case "dport" -> set(DPORT, 0xffff);
                            case "spi" -> set(SPI, 0xffffffffL);
                            case "proto" -> set(PROTO, 0xffff);
                            default -> throw new ParameterProblem("Bad type \"" + w + "\"");
                        }
                    }
                    return;
                }
                long max = switch (id) {
                    case SADDR, DADDR -> 128;
                    case SPORT, DPORT, PROTO -> 0xffff;
                    default -> 0xffffffffL;
                };
                set(id, TargetArgs.uint("HMARK", opt.name(), arg, id == MODULUS ? 1 : 0, max));
            }

            private void set(int id, long value) {
                flags |= 1 << id;
                v[id] = value;
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if ((flags & (1 << MODULUS)) == 0) {
                    throw new ParameterProblem("--hmark-mod is mandatory");
                }
                if ((flags & (1 << RND)) == 0) {
                    throw new ParameterProblem("--hmark-rnd is mandatory");
                }
                if ((flags & (1 << SPI)) != 0 && (flags & ((1 << SPORT) | (1 << DPORT))) != 0) {
                    throw new ParameterProblem("you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time");
                }
                return new Spec(flags, (int) v[SADDR], (int) v[DADDR], (int) v[SPORT], (int) v[DPORT], v[SPI],
                        (int) v[PROTO], v[RND], v[MODULUS], v[OFFSET]);
            }
        };
    }

    /** The parsed target ({@code xt_hmark_info}); {@code flags} has a bit per option given. */
    public record Spec(int flags, int srcPrefix, int dstPrefix, int sportMask, int dportMask, long spiMask,
                       int protoMask, long rnd, long modulus, long offset) implements TargetSpec {
        private boolean has(int id) {
            return (flags & (1 << id)) != 0;
        }

        @Override
        public String name() {
            return "HMARK";
        }

        @Override
        public void save(StringBuilder out) {
            if (has(SADDR)) {
                out.append(" --hmark-src-prefix ").append(srcPrefix);
            }
            if (has(DADDR)) {
                out.append(" --hmark-dst-prefix ").append(dstPrefix);
            }
            if (has(SPORT)) {
                out.append(" --hmark-sport-mask ").append(String.format("0x%04x", sportMask));
            }
            if (has(DPORT)) {
                out.append(" --hmark-dport-mask ").append(String.format("0x%04x", dportMask));
            }
            if (has(SPI)) {
                out.append(" --hmark-spi-mask ").append(String.format("0x%08x", spiMask));
            }
            if (has(PROTO)) {
                out.append(" --hmark-proto-mask ").append(String.format("0x%02x", protoMask));
            }
            if (has(RND)) {
                out.append(" --hmark-rnd ").append(String.format("0x%08x", rnd));
            }
            if (has(MODULUS)) {
                out.append(" --hmark-mod ").append(modulus);
            }
            if (has(OFFSET)) {
                out.append(" --hmark-offset ").append(offset);
            }
            if (has(CT)) {
                out.append(" --hmark-tuple ct");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("HMARK ");
            if (has(MODULUS)) {
                out.append("mod ").append(modulus).append(' ');
            }
            if (has(OFFSET)) {
                out.append("+ 0x").append(Long.toHexString(offset)).append(' ');
            }
            if (has(CT)) {
                out.append("ct, ");
            }
            if (has(SADDR)) {
                out.append("src-prefix ").append(srcPrefix).append(' ');
            }
            if (has(DADDR)) {
                out.append("dst-prefix ").append(dstPrefix).append(' ');
            }
            if (has(SPORT)) {
                out.append("sport-mask 0x").append(Integer.toHexString(sportMask)).append(' ');
            }
            if (has(DPORT)) {
                out.append("dport-mask 0x").append(Integer.toHexString(dportMask)).append(' ');
            }
            if (has(SPI)) {
                out.append("spi-mask 0x").append(Long.toHexString(spiMask)).append(' ');
            }
            if (has(PROTO)) {
                out.append("proto-mask 0x").append(Integer.toHexString(protoMask)).append(' ');
            }
            if (has(RND)) {
                out.append("rnd 0x").append(Long.toHexString(rnd)).append(' ');
            }
        }
    }
}
