package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j TCPOPTSTRIP [--strip-options LIST]} (libxt_TCPOPTSTRIP / xt_TCPOPTSTRIP): option
 * kinds 2–255 by number or name (mss, wscale, sack-permitted, sack, timestamp, md5). Per packet:
 * each listed option is overwritten with NOPs, the TCP checksum updated word by word.
 * Checkentry: mangle table, {@code -p tcp}.
 */
public final class TcpoptstripTarget implements TargetExtension {
    private static final List<Option> OPTIONS = List.of(Option.value("strip-options", 0));
    private static final String[] NAMES = {"wscale", "mss", "sack-permitted", "sack", "timestamp", "md5"};
    private static final int[] KINDS = {3, 2, 4, 5, 8, 19};

    @Override
    public String name() {
        return "TCPOPTSTRIP";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("TCPOPTSTRIP", OPTIONS);
            private final long[] bitmap = new long[4];

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                for (String item : arg.split(",", -1)) {
                    int kind = -1;
                    for (int i = 0; i < NAMES.length; i++) {
                        if (NAMES[i].equals(item)) {
                            kind = KINDS[i];
                        }
                    }
                    if (kind < 0) {
                        kind = (int) TargetArgs.parseUnsigned(item, 255);
                        if (kind < 0) {
                            throw new ParameterProblem("Bad TCP option value \"" + item + "\"");
                        }
                        if (kind < 2) {
                            throw new ParameterProblem("Option value may not be 0 or 1");
                        }
                    }
                    bitmap[kind >>> 6] |= 1L << (kind & 63);
                }
            }

            @Override
            public TargetSpec finish() {
                return new Spec(bitmap[0], bitmap[1], bitmap[2], bitmap[3]);
            }
        };
    }

    /** The parsed target: the 256-bit strip bitmap. */
    public record Spec(long b0, long b1, long b2, long b3) implements TargetSpec, TargetAction {
        boolean strips(int kind) {
            long w = switch (kind >>> 6) {
                case 0 -> b0;
                case 1 -> b1;
                case 2 -> b2;
                default -> b3;
            };
            return (w & (1L << (kind & 63))) != 0;
        }

        @Override
        public String name() {
            return "TCPOPTSTRIP";
        }

        private void list(StringBuilder out, boolean numeric) {
            String sep = "";
            for (int k = 0; k < 256; k++) {
                if (!strips(k)) {
                    continue;
                }
                out.append(sep);
                sep = ",";
                String name = null;
                for (int i = 0; i < KINDS.length && !numeric; i++) {
                    if (KINDS[i] == k) {
                        name = NAMES[i];
                    }
                }
                out.append(name != null ? name : String.valueOf(k));
            }
        }

        private boolean any() {
            return (b0 | b1 | b2 | b3) != 0;
        }

        @Override
        public void save(StringBuilder out) {
            if (any()) {
                out.append(" --strip-options ");
                list(out, true);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            if (any()) {
                out.append("TCPOPTSTRIP options ");
                list(out, numeric);
            }
        }

        @Override
        public String check(CheckEnv env) {
            IpHeaderFilter ip = env.ip();
            if (ip.protocol() != 6 || ip.inverted(IpHeaderFilter.INV_PROTO)) {
                return TargetArgs.EINVAL;
            }
            return TargetArgs.mangleOnly(env);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            PacketDescriptor pd = skb.pd;
            if (pd.protocol != 6 || pd.fragOffset != 0) {
                return Verdict.CONTINUE;
            }
            int t = pd.l4Offset;
            if (t < 0 || t + 20 > pd.length) {
                return Verdict.DROP;
            }
            int hdr = (Wire.u8(pd.data, t + 12) >>> 4) * 4;
            if (t + hdr > pd.length) {
                return Verdict.DROP;
            }
            int check = Wire.u16(pd.data, t + 16);
            for (int i = 20; i < hdr - 1; ) {
                int kind = Wire.u8(pd.data, t + i);
                int len = kind <= 1 || Wire.u8(pd.data, t + i + 1) == 0 ? 1 : Wire.u8(pd.data, t + i + 1);
                if (i + len > hdr) {
                    break;
                }
                if (strips(kind)) {
                    for (int j = 0; j < len; j++) {
                        int o = Wire.u8(pd.data, t + i + j);
                        boolean high = (i + j) % 2 == 0;
                        check = Checksum.update16(check, high ? o << 8 : o, high ? 1 << 8 : 1);
                        Wire.put8(pd.data, t + i + j, 1);
                    }
                }
                i += len;
            }
            Wire.put16(pd.data, t + 16, check);
            return Verdict.CONTINUE;
        }
    }
}
