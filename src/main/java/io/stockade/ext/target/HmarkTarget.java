package io.stockade.ext.target;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
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
 * SPI mask excludes port masks, and at least one tuple part must be given. Per packet
 * ({@code hmark_tg_v4/v6}): {@code mark = reciprocal_scale(jhash_3words(min(src,dst), max(src,dst),
 * ports, rnd) ^ (proto & proto-mask), mod) + offset} over the masked addresses (IPv6: the four
 * masked words XORed), the masked ports ordered high/low (none without a port or SPI mask, for
 * ICMP and for fragments), the quoted packet of an ICMP error; with {@code --hmark-tuple ct} the
 * conntrack entry's original source and reply source instead (no entry: no mark).
 * Checked against Linux (marks read back with LOG in a namespace).
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
                if ((flags & ((1 << SADDR) | (1 << DADDR) | (1 << SPI) | (1 << SPORT) | (1 << DPORT) | (1 << PROTO)
                        | (1 << CT))) == 0) {
                    throw new ParameterProblem("you have to specify --hmark-tuple at least");
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
                       int protoMask, long rnd, long modulus, long offset) implements TargetSpec, TargetAction {
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

        /** The address mask of a prefix option, as one 32-bit word {@code w} (0 = most significant). */
        private static int maskWord(int prefix, int w) {
            int bits = prefix - 32 * w;
            return bits <= 0 ? 0 : bits >= 32 ? -1 : -1 << (32 - bits);
        }

        private int addr(int version, long hi, long lo, int prefixId) {
            int prefix = has(prefixId) ? (prefixId == SADDR ? srcPrefix : dstPrefix) : 0;
            if (version == 4) {
                return (int) lo & maskWord(prefix, 0);
            }
            return ((int) (hi >>> 32) & maskWord(prefix, 0)) ^ ((int) hi & maskWord(prefix, 1))
                    ^ ((int) (lo >>> 32) & maskWord(prefix, 2)) ^ ((int) lo & maskWord(prefix, 3));
        }

        /** hmark_swap_ports: masked ports, the larger one in the high half. */
        private int ports(int sport, int dport) {
            int portMask = has(SPI) ? (int) spiMask : (has(SPORT) ? sportMask << 16 : 0) | (has(DPORT) ? dportMask : 0);
            int masked = ((sport << 16) | dport) & portMask;
            int s = masked >>> 16;
            int d = masked & 0xffff;
            return d > s ? (d << 16) | s : (s << 16) | d;
        }

        private boolean l3() {
            return (flags & ((1 << SPI) | (1 << SPORT) | (1 << DPORT))) == 0;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            int src;
            int dst;
            int ports = 0;
            int proto;
            if (has(CT)) {
                Conn ct = skb.conn;
                if (ct == null) {
                    return Verdict.CONTINUE;
                }
                src = addr(ct.ipVersion, ct.origSrcHi, ct.origSrcLo, SADDR);
                dst = addr(ct.ipVersion, ct.replySrcHi, ct.replySrcLo, DADDR);
                proto = ct.protocol;
                if (!l3() && proto != 1 && proto != 58) {
                    ports = ports(ct.origSrcPort, ct.replySrcPort);
                }
            } else {
                PacketDescriptor pd = skb.pd;
                long ip = pd.base;
                int version = pd.ipVersion;
                proto = pd.protocol;
                boolean fragment = pd.isFragment;
                int l4 = pd.l4Offset;
                if (pd.icmpError && pd.icmpInnerOffset >= 0 && pd.icmpInnerOffset + (version == 4 ? 20 : 40) <= pd.length) {
                    // use the quoted header of an ICMP error (get_inner_hdr)
                    ip = pd.icmpInnerOffset;
                    if (version == 4) {
                        proto = Wire.u8(pd.data, ip + 9);
                        fragment = (Wire.u16(pd.data, ip + 6) & 0x3fff) != 0;
                        l4 = (int) ip + (Wire.u8(pd.data, ip) & 0xf) * 4;
                    } else {
                        proto = Wire.u8(pd.data, ip + 6);
                        fragment = false;
                        l4 = (int) ip + 40;
                    }
                }
                if (version == 4) {
                    src = addr(4, 0, Wire.u32(pd.data, ip + 12), SADDR);
                    dst = addr(4, 0, Wire.u32(pd.data, ip + 16), DADDR);
                } else {
                    src = addr(6, Wire.i64(pd.data, ip + 8), Wire.i64(pd.data, ip + 16), SADDR);
                    dst = addr(6, Wire.i64(pd.data, ip + 24), Wire.i64(pd.data, ip + 32), DADDR);
                }
                if (!l3() && proto != 1 && proto != 58 && !fragment && l4 >= 0) {
                    int off = switch (proto) {
                        case 6, 17, 33, 50, 132, 136 -> 0;
                        case 51 -> 4;
                        default -> -1;
                    };
                    if (off >= 0 && l4 + off + 4 <= pd.length) {
                        ports = ports(Wire.u16(pd.data, l4 + off), Wire.u16(pd.data, l4 + off + 2));
                    }
                }
            }
            if (Integer.compareUnsigned(dst, src) < 0) {
                int t = src;
                src = dst;
                dst = t;
            }
            int hash = io.stockade.packet.Jhash.threeWords(src, dst, ports, (int) rnd) ^ (proto & protoMask);
            skb.mark = (int) (((hash & 0xffffffffL) * modulus) >>> 32) + (int) offset;
            return Verdict.CONTINUE;
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
