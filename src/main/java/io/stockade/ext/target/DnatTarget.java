package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j DNAT --to-destination [ADDR[-ADDR]][:PORT[-PORT][/BASE]] [--random] [--persistent]}
 * (libxt_DNAT / xt_nat revision 2) for IPv4 and IPv6 ({@code [ADDR]:PORT}). Syntax, save,
 * {@code -L} and checkentry only: nat table, PREROUTING and OUTPUT hooks; ports need {@code -p tcp},
 * udp, sctp, dccp or icmp. The translation itself is the NAT layer's: it reads {@link Spec#range()}
 * and the flags.
 */
public final class DnatTarget implements TargetExtension {
    private static final int O_TO = 0;
    private static final int O_RANDOM = 1;
    private static final int O_PERSISTENT = 2;
    private static final List<Option> OPTIONS = List.of(
            Option.value("to-destination", O_TO),
            Option.flag("random", O_RANDOM),
            Option.flag("persistent", O_PERSISTENT));

    @Override
    public String name() {
        return "DNAT";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("DNAT", OPTIONS);
            private NatRange range;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_TO) {
                    range = NatRange.parse(env.family(), arg);
                    NatTargets.parsePorts(env, range);
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (range == null) {
                    throw TargetArgs.mustSpecify("DNAT", "to-destination");
                }
                return new Spec(range, seen.has(O_RANDOM), seen.has(O_PERSISTENT));
            }
        };
    }

    /** The parsed target: the range and the NF_NAT_RANGE_* flags, for the NAT layer. */
    public record Spec(NatRange range, boolean random, boolean persistent) implements TargetSpec, TargetAction {
        /** xt_dnat_target_v2: nf_nat_setup_info(ct, range, NF_NAT_MANIP_DST). */
        @Override
        public int execute(Skb skb, Emitter emitter) {
            return NatTargets.setup(skb, false, range, random, persistent, false);
        }

        @Override
        public String name() {
            return "DNAT";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --to-destination ").append(range.text());
            NatTargets.appendFlags(out, " --", random, false, persistent);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("to:").append(range.text());
            NatTargets.appendFlags(out, " ", random, false, persistent);
        }

        @Override
        public String check(CheckEnv env) {
            String e = NatTargets.checkTable(env, Hook.PREROUTING.bit() | Hook.OUTPUT.bit());
            return e != null ? e : NatTargets.checkPorts(env, range);
        }
    }
}
