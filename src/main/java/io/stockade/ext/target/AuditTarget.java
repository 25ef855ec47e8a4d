package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;
import java.util.Locale;

/**
 * {@code -j AUDIT --type accept|drop|reject} (libxt_AUDIT / xt_AUDIT; the type is matched
 * case-insensitively and saved in lower case). Per packet: continues; the audit record
 * (NETFILTER_PKT to auditd) is not produced — Stockade has no audit channel.
 */
public final class AuditTarget implements TargetExtension {
    private static final List<Option> OPTIONS = List.of(Option.value("type", 0));
    static final List<String> TYPES = List.of("accept", "drop", "reject");

    @Override
    public String name() {
        return "AUDIT";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("AUDIT", OPTIONS);
            private int type = -1;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                type = TYPES.indexOf(arg.toLowerCase(Locale.ROOT));
                if (type < 0) {
                    throw new ParameterProblem("Bad action type value \"" + arg + "\"");
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (type < 0) {
                    throw TargetArgs.mustSpecify("AUDIT", "type");
                }
                return new Spec(type);
            }
        };
    }

    /** The parsed target: XT_AUDIT_TYPE_ACCEPT (0), DROP (1) or REJECT (2). */
    public record Spec(int type) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "AUDIT";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --type ").append(TYPES.get(type));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("AUDIT ").append(TYPES.get(type));
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            // LINUX-DIFF: no NETFILTER_PKT audit record is produced (no audit channel).
            return Verdict.CONTINUE;
        }
    }
}
