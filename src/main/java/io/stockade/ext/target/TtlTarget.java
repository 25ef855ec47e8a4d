package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j TTL --ttl-set N | --ttl-inc N | --ttl-dec N} (libipt_TTL, IPv4) and
 * {@code -j HL --hl-set | --hl-inc | --hl-dec} (libip6t_HL, IPv6), one class for both (xt_HL):
 * set, or add/subtract saturating at 255/0, with the IPv4 checksum update. mangle table only.
 */
public final class TtlTarget implements TargetExtension {
    private static final int O_SET = 0;
    private static final int O_DEC = 1;
    private static final int O_INC = 2;
    /** IPT_TTL_SET / INC / DEC (modes of ipt_TTL_info; HL uses the same values). */
    public static final int SET = 0;
    public static final int INC = 1;
    public static final int DEC = 2;

    private final Family family;
    private final String name;
    private final String prefix;
    private final List<Option> options;

    public TtlTarget(Family family) {
        this.family = family;
        this.name = family == Family.IPV4 ? "TTL" : "HL";
        this.prefix = family == Family.IPV4 ? "ttl" : "hl";
        this.options = List.of(Option.value(prefix + "-set", O_SET), Option.value(prefix + "-dec", O_DEC),
                Option.value(prefix + "-inc", O_INC));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supports(Family f) {
        return f == family;
    }

    @Override
    public List<Option> options() {
        return options;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet(name, options);
            private int mode = -1;
            private int value;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                value = (int) TargetArgs.uint(name, opt.name(), arg, opt.id() == O_SET ? 0 : 1, 255);
                mode = opt.id() == O_SET ? SET : opt.id() == O_INC ? INC : DEC;
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive(7);
                if (mode < 0) {
                    throw new ParameterProblem(name + ": You must specify an action");
                }
                return new Spec(name, mode, value);
            }
        };
    }

    /** The parsed target: {@code name} is TTL or HL. */
    public record Spec(String name, int mode, int value) implements TargetSpec, TargetAction {
        private String prefix() {
            return name.equals("TTL") ? "ttl" : "hl";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --").append(prefix()).append(mode == SET ? "-set " : mode == INC ? "-inc " : "-dec ").append(value);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(name).append(mode == SET ? " set to " : mode == INC ? " increment by " : " decrement by ")
                    .append(value);
        }

        @Override
        public String check(CheckEnv env) {
            return TargetArgs.mangleOnly(env);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            int ttl = skb.pd.ttl;
            int now = switch (mode) {
                case SET -> value;
                case INC -> Math.min(255, ttl + value);
                default -> Math.max(0, ttl - value);
            };
            DsField.setTtl(skb, now);
            return Verdict.CONTINUE;
        }
    }
}
