package io.stockade.ext.target;

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
                    ports = NatRange.ports(env.family(), arg);
                    NatTargets.parsePorts(env, ports);
                }
            }

            @Override
            public TargetSpec finish() {
                return new Spec(ports, seen.has(O_RANDOM));
            }
        };
    }

    /** The parsed target; {@code ports} is null without {@code --to-ports}. */
    public record Spec(NatRange ports, boolean random) implements TargetSpec {
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
            if (random) {
                out.append(" --random");
            }
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
