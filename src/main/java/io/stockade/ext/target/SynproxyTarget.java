package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import io.stockade.rules.CheckEnv;
import io.stockade.synproxy.SynproxyHook;
import io.stockade.synproxy.SynproxyOptions;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j SYNPROXY [--mss N] [--wscale N] [--sack-perm] [--timestamp] [--ecn]}
 * (libxt_SYNPROXY / ipt_SYNPROXY, ip6t_SYNPROXY). Syntax, save, {@code -L} and checkentry (filter
 * table, INPUT and FORWARD, {@code -p tcp} not inverted).
 *
 * <p>Per packet ({@code synproxy_tg4}/{@code synproxy_tg6}): a bad TCP checksum, a cut header or
 * cut options are dropped. A SYN (no ACK/FIN/RST) is answered with a SYN-ACK carrying a SYN
 * cookie ({@link io.stockade.synproxy.SynCookie}) and the options the client offered and the rule
 * allows (MSS as {@code --mss}, window scale as {@code --wscale}; without {@code --timestamp} no
 * window scale, SACK or ECN, since only the timestamp cookie can remember them) and is stolen. An
 * ACK (no SYN/FIN/RST) is checked against its cookie: invalid → DROP, valid → the SYN goes to the
 * server on a new entry with the synproxy extension ({@link SynproxyHook} takes over) and the ACK
 * is stolen. Anything else continues with the next rule.
 */
public final class SynproxyTarget implements TargetExtension {
    private static final int O_SACK_PERM = 0;
    private static final int O_TIMESTAMP = 1;
    private static final int O_WSCALE = 2;
    private static final int O_MSS = 3;
    private static final int O_ECN = 4;
    private static final List<Option> OPTIONS = List.of(
            Option.flag("sack-perm", O_SACK_PERM),
            Option.flag("timestamp", O_TIMESTAMP),
            Option.value("wscale", O_WSCALE),
            Option.value("mss", O_MSS),
            Option.flag("ecn", O_ECN));

    @Override
    public String name() {
        return "SYNPROXY";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("SYNPROXY", OPTIONS);
            private int wscale;
            private int mss;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_WSCALE) {
                    wscale = (int) TargetArgs.uint("SYNPROXY", "wscale", arg, 0, 255);
                } else if (opt.id() == O_MSS) {
                    mss = (int) TargetArgs.uint("SYNPROXY", "mss", arg, 0, 65535);
                }
            }

            @Override
            public TargetSpec finish() {
                return new Spec(seen.mask(), wscale, mss);
            }
        };
    }

    /** The parsed target: {@code options} holds bits of the option ids given. */
    public record Spec(int options, int wscale, int mss) implements TargetSpec, TargetAction {
        private boolean has(int id) {
            return (options & (1 << id)) != 0;
        }

        /** The kernel's {@code xt_synproxy_info.options} (XT_SYNPROXY_OPT_* bits) for this rule. */
        int kernelOptions() {
            return (has(O_MSS) ? SynproxyOptions.MSS : 0) | (has(O_WSCALE) ? SynproxyOptions.WSCALE_BIT : 0)
                    | (has(O_SACK_PERM) ? SynproxyOptions.SACK_PERM : 0)
                    | (has(O_TIMESTAMP) ? SynproxyOptions.TIMESTAMP : 0) | (has(O_ECN) ? SynproxyOptions.ECN : 0);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            PacketDescriptor pd = skb.pd;
            // nf_ip_checksum / nf_ip6_checksum, then the header and its options.
            if (pd.protocol != 6 || !Checksum.verifyL4(pd)) {
                return Verdict.DROP;
            }
            int th = pd.l4Offset;
            if (th < 0 || th + 20 > pd.length || pd.fragOffset != 0) {
                return Verdict.DROP;
            }
            int[] o = skb.scratchInts;
            SynproxyOptions.clear(o);
            if (!SynproxyOptions.parse(o, pd.data, th, (Wire.u8(pd.data, th + 12) >>> 4) * 4, pd.length)) {
                return Verdict.DROP;
            }
            int flags = Wire.u8(pd.data, th + 13);
            boolean syn = (flags & 0x02) != 0;
            boolean ack = (flags & 0x10) != 0;
            boolean finRst = (flags & 0x05) != 0;
            if (syn && !ack && !finRst) {
                if ((flags & 0xc0) == 0xc0) {
                    o[SynproxyOptions.OPTIONS] |= SynproxyOptions.ECN;
                }
                o[SynproxyOptions.OPTIONS] &= kernelOptions();
                o[SynproxyOptions.MSS_ENCODE] = o[SynproxyOptions.MSS_OPTION];
                o[SynproxyOptions.MSS_OPTION] = mss;
                if ((o[SynproxyOptions.OPTIONS] & SynproxyOptions.TIMESTAMP) != 0) {
                    // LINUX-DIFF: tcp_time_stamp_raw() is the packet time in milliseconds here.
                    SynproxyOptions.initTimestampCookie(o, wscale, (int) (skb.timeNanos / 1_000_000L));
                } else {
                    o[SynproxyOptions.OPTIONS] &= ~(SynproxyOptions.WSCALE_BIT | SynproxyOptions.SACK_PERM | SynproxyOptions.ECN);
                }
                SynproxyHook.sendClientSynack(skb, o, emitter);
                return Verdict.STOLEN;
            }
            if (ack && !syn && !finRst) {
                return SynproxyHook.recvClientAck(skb, o, Wire.i32(pd.data, th + 4), emitter) ? Verdict.STOLEN : Verdict.DROP;
            }
            return Verdict.CONTINUE;
        }

        @Override
        public String name() {
            return "SYNPROXY";
        }

        @Override
        public void save(StringBuilder out) {
            if (has(O_SACK_PERM)) {
                out.append(" --sack-perm");
            }
            if (has(O_TIMESTAMP)) {
                out.append(" --timestamp");
            }
            if (has(O_WSCALE)) {
                out.append(" --wscale ").append(wscale);
            }
            if (has(O_MSS)) {
                out.append(" --mss ").append(mss);
            }
            if (has(O_ECN)) {
                out.append(" --ecn");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("SYNPROXY ");
            if (has(O_SACK_PERM)) {
                out.append("sack-perm ");
            }
            if (has(O_TIMESTAMP)) {
                out.append("timestamp ");
            }
            if (has(O_WSCALE)) {
                out.append("wscale ").append(wscale).append(' ');
            }
            if (has(O_MSS)) {
                out.append("mss ").append(mss).append(' ');
            }
            if (has(O_ECN)) {
                out.append("ecn ");
            }
        }

        @Override
        public String check(CheckEnv env) {
            IpHeaderFilter ip = env.ip();
            if (env.table() != TableKind.FILTER || !env.onlyHooks(Hook.INPUT.bit() | Hook.FORWARD.bit())
                    || ip.protocol() != 6 || ip.inverted(IpHeaderFilter.INV_PROTO)) {
                return TargetArgs.EINVAL;
            }
            return null;
        }
    }
}
