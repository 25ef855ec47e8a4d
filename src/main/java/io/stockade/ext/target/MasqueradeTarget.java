package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.nat.NatActions;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j MASQUERADE [--to-ports P[-P]] [--random] [--random-fully]} (libxt_MASQUERADE /
 * xt_MASQUERADE) for IPv4 and IPv6. Syntax, save, {@code -L} and checkentry (nat table,
 * POSTROUTING only; ports need a port protocol); the source address choice is the NAT layer's.
 */
public final class MasqueradeTarget implements TargetExtension {
    private static final int O_TO_PORTS = 0;
    private static final int O_RANDOM = 1;
    private static final int O_RANDOM_FULLY = 2;
    private static final List<Option> OPTIONS = List.of(
            Option.value("to-ports", O_TO_PORTS),
            Option.flag("random", O_RANDOM),
            Option.flag("random-fully", O_RANDOM_FULLY));

    @Override
    public String name() {
        return "MASQUERADE";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("MASQUERADE", OPTIONS);
            private NatRange ports;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_TO_PORTS) {
                    NatTargets.requirePortProtocol(env);
                    ports = NatRange.ports(env.family(), arg);
                }
            }

            @Override
            public TargetSpec finish() {
                return new Spec(ports, seen.has(O_RANDOM), seen.has(O_RANDOM_FULLY));
            }
        };
    }

    /** The parsed target; {@code ports} is null without {@code --to-ports}. */
    public record Spec(NatRange ports, boolean random, boolean randomFully) implements TargetSpec, TargetAction {
        /** masquerade_tg / masquerade_tg6: nf_nat_masquerade_ipv4/ipv6 with the output interface. */
        @Override
        public int execute(Skb skb, Emitter emitter) {
            boolean p = ports != null;
            return NatActions.masquerade(skb, NatActions.flags(false, p, 0, random, false, randomFully),
                    p ? ports.minPort() : 0, p ? ports.maxPort() : 0);
        }

        @Override
        public String name() {
            return "MASQUERADE";
        }

        @Override
        public void save(StringBuilder out) {
            if (ports != null) {
                out.append(" --to-ports ");
                ports.appendPorts(out);
            }
            NatTargets.appendFlags(out, " --", random, randomFully, false);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            String sep = "";
            if (ports != null) {
                out.append("masq ports: ");
                ports.appendPorts(out);
                sep = " ";
            }
            if (random) {
                out.append(sep).append("random");
                sep = " ";
            }
            if (randomFully) {
                out.append(sep).append("random-fully");
            }
        }

        @Override
        public String check(CheckEnv env) {
            String e = NatTargets.checkTable(env, Hook.POSTROUTING.bit());
            return e != null ? e : NatTargets.checkPorts(env, ports);
        }
    }
}
