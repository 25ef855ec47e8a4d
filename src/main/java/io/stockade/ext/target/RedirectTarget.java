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
 * {@code -j REDIRECT [--to-ports P[-P]] [--random]} (libxt_REDIRECT / xt_REDIRECT) for IPv4
 * and IPv6. Syntax, save, {@code -L} and checkentry (nat table, PREROUTING and OUTPUT; ports
 * need a port protocol; shifted ranges are refused as iptables 1.8 does); the rewrite to a local
 * address is the NAT layer's.
 */
public final class RedirectTarget implements TargetExtension {
    private static final int O_TO_PORTS = 0;
    private static final int O_RANDOM = 1;
    private static final List<Option> OPTIONS = List.of(
            Option.value("to-ports", O_TO_PORTS),
            Option.flag("random", O_RANDOM));

    @Override
    public String name() {
        return "REDIRECT";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("REDIRECT", OPTIONS);
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
                return new Spec(ports, seen.has(O_RANDOM));
            }
        };
    }

    /** The parsed target; {@code ports} is null without {@code --to-ports}. */
    public record Spec(NatRange ports, boolean random) implements TargetSpec, TargetAction {
        /** redirect_tg4 / redirect_tg6: nf_nat_redirect_ipv4/ipv6. */
        @Override
        public int execute(Skb skb, Emitter emitter) {
            boolean p = ports != null;
            return NatActions.redirect(skb, NatActions.flags(false, p, 0, random, false, false),
                    p ? ports.minPort() : 0, p ? ports.maxPort() : 0);
        }

        @Override
        public String name() {
            return "REDIRECT";
        }

        @Override
        public void save(StringBuilder out) {
            if (ports != null) {
                out.append(" --to-ports ");
                ports.appendPorts(out);
            }
            NatTargets.appendFlags(out, " --", random, false, false);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            if (ports != null) {
                out.append("redir ports ");
                ports.appendPorts(out);
                if (random) {
                    out.append(' ');
                }
            }
            if (random) {
                out.append("random");
            }
        }

        @Override
        public String check(CheckEnv env) {
            String e = NatTargets.checkTable(env, Hook.PREROUTING.bit() | Hook.OUTPUT.bit());
            return e != null ? e : NatTargets.checkPorts(env, ports);
        }
    }
}
