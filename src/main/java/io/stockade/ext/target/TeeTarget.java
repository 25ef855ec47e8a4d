package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.IpText;
import io.stockade.rules.Family;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j TEE --gateway ADDR [--oif NAME]} (libxt_TEE / xt_TEE) for IPv4 and IPv6. Per packet:
 * the original continues. LINUX-DIFF: the clone Linux routes to the gateway is not produced
 * (the Emitter has no "send to this next hop" channel).
 */
public final class TeeTarget implements TargetExtension {
    private static final int O_GATEWAY = 0;
    private static final int O_OIF = 1;
    private static final List<Option> OPTIONS = List.of(Option.value("gateway", O_GATEWAY), Option.value("oif", O_OIF));

    @Override
    public String name() {
        return "TEE";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("TEE", OPTIONS);
            private long[] gw;
            private String oif = "";

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (opt.id() == O_GATEWAY) {
                    gw = NatRange.address(env.family(), arg);
                } else {
                    if (arg.length() > 15) {
                        throw new ParameterProblem("TEE: option \"--oif\" is too long");
                    }
                    oif = arg;
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (gw == null) {
                    throw TargetArgs.mustSpecify("TEE", "gateway");
                }
                return new Spec(env.family(), gw[0], gw[1], oif);
            }
        };
    }

    /** The parsed target. */
    public record Spec(Family family, long gatewayHi, long gatewayLo, String oif) implements TargetSpec, TargetAction {
        private String gateway() {
            return family == Family.IPV4 ? IpText.v4(gatewayLo) : IpText.v6(gatewayHi, gatewayLo);
        }

        @Override
        public String name() {
            return "TEE";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --gateway ").append(gateway());
            if (!oif.isEmpty()) {
                out.append(" --oif ").append(oif);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("TEE gw:").append(gateway());
            if (!oif.isEmpty()) {
                out.append(" oif=").append(oif);
            }
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            return Verdict.CONTINUE;
        }
    }
}
