package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j ECN} (libipt_ECN / ipt_ECN, IPv4): {@code --ecn-tcp-remove} (ECE=0 and CWR=0),
 * {@code --ecn-tcp-ece 0|1}, {@code --ecn-tcp-cwr 0|1}, {@code --ecn-ip-ect 0..3}. Per packet:
 * rewrites the IP ECN bits and the TCP ECE/CWR flags with incremental checksum updates.
 * Checkentry: mangle table; TCP operations need {@code -p tcp}.
 */
public final class EcnTarget implements TargetExtension {
    private static final int O_REMOVE = 0;
    private static final int O_CWR = 1;
    private static final int O_ECE = 2;
    private static final int O_IP_ECT = 3;
    private static final List<Option> OPTIONS = List.of(
            Option.flag("ecn-tcp-remove", O_REMOVE),
            Option.value("ecn-tcp-cwr", O_CWR),
            Option.value("ecn-tcp-ece", O_ECE),
            Option.value("ecn-ip-ect", O_IP_ECT));
    /** IPT_ECN_OP_SET_IP / SET_ECE / SET_CWR. */
    public static final int OP_SET_IP = 0x01;
    public static final int OP_SET_ECE = 0x10;
    public static final int OP_SET_CWR = 0x20;

    @Override
    public String name() {
        return "ECN";
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV4;
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("ECN", OPTIONS);
            private int op;
            private int ece;
            private int cwr;
            private int ect;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_REMOVE -> {
                        op |= OP_SET_ECE | OP_SET_CWR;
                        ece = 0;
                        cwr = 0;
                    }
                    case O_CWR -> {
                        op |= OP_SET_CWR;
                        cwr = (int) TargetArgs.uint("ECN", opt.name(), arg, 0, 1);
                    }
                    case O_ECE -> {
                        op |= OP_SET_ECE;
                        ece = (int) TargetArgs.uint("ECN", opt.name(), arg, 0, 1);
                    }
                    default -> {
                        op |= OP_SET_IP;
                        ect = (int) TargetArgs.uint("ECN", opt.name(), arg, 0, 3);
                    }
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (op == 0) {
                    throw new ParameterProblem("ECN target: An operation is required");
                }
                return new Spec(op, ece, cwr, ect);
            }
        };
    }

    /** The parsed target ({@code ipt_ECN_info}). */
    public record Spec(int operation, int ece, int cwr, int ipEct) implements TargetSpec, TargetAction {
        private boolean remove() {
            return (operation & (OP_SET_ECE | OP_SET_CWR)) == (OP_SET_ECE | OP_SET_CWR) && ece == 0 && cwr == 0;
        }

        @Override
        public String name() {
            return "ECN";
        }

        @Override
        public void save(StringBuilder out) {
            if (remove()) {
                out.append(" --ecn-tcp-remove");
            } else {
                if ((operation & OP_SET_ECE) != 0) {
                    out.append(" --ecn-tcp-ece ").append(ece);
                }
                if ((operation & OP_SET_CWR) != 0) {
                    out.append(" --ecn-tcp-cwr ").append(cwr);
                }
            }
            if ((operation & OP_SET_IP) != 0) {
                out.append(" --ecn-ip-ect ").append(ipEct);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("ECN");
            if (remove()) {
                out.append(" TCP remove");
            } else {
                if ((operation & OP_SET_ECE) != 0) {
                    out.append(" ECE=").append(ece);
                }
                if ((operation & OP_SET_CWR) != 0) {
                    out.append(" CWR=").append(cwr);
                }
            }
            if ((operation & OP_SET_IP) != 0) {
                out.append(" ECT codepoint=").append(ipEct);
            }
        }

        @Override
        public String check(CheckEnv env) {
            if (TargetArgs.mangleOnly(env) != null) {
                return TargetArgs.EINVAL;
            }
            IpHeaderFilter ip = env.ip();
            if ((operation & (OP_SET_ECE | OP_SET_CWR)) != 0
                    && (ip.protocol() != 6 || ip.inverted(IpHeaderFilter.INV_PROTO))) {
                return TargetArgs.EINVAL;
            }
            return null;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            PacketDescriptor pd = skb.pd;
            if ((operation & OP_SET_IP) != 0 && (pd.tos & 3) != ipEct) {
                DsField.setTos(skb, (pd.tos & ~3) | ipEct);
            }
            if ((operation & (OP_SET_ECE | OP_SET_CWR)) != 0 && pd.protocol == 6 && pd.fragOffset == 0) {
                int t = pd.l4Offset;
                if (t < 0 || t + 20 > pd.length) {
                    return Verdict.DROP;
                }
                int flags = Wire.u8(pd.data, t + 13);
                int now = flags;
                if ((operation & OP_SET_ECE) != 0) {
                    now = ece != 0 ? now | 0x40 : now & ~0x40;
                }
                if ((operation & OP_SET_CWR) != 0) {
                    now = cwr != 0 ? now | 0x80 : now & ~0x80;
                }
                if (now != flags) {
                    int oldWord = Wire.u16(pd.data, t + 12);
                    Wire.put8(pd.data, t + 13, now);
                    Wire.put16(pd.data, t + 16,
                            Checksum.update16(Wire.u16(pd.data, t + 16), oldWord, Wire.u16(pd.data, t + 12)));
                    pd.tcpFlags = now;
                }
            }
            return Verdict.CONTINUE;
        }
    }
}
