package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Option;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j CHECKSUM --checksum-fill} (libxt_CHECKSUM / xt_CHECKSUM): mangle table only. Linux
 * completes the checksum of packets whose checksum is still left to the NIC (CHECKSUM_PARTIAL);
 * packets Stockade sees are complete, so the target only continues, as Linux does for them.
 */
public final class ChecksumTarget implements TargetExtension {
    private static final List<Option> OPTIONS = List.of(Option.flag("checksum-fill", 0));

    @Override
    public String name() {
        return "CHECKSUM";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("CHECKSUM", OPTIONS);

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws io.stockade.rules.ParameterProblem {
                seen.once(opt);
            }

            @Override
            public TargetSpec finish() throws io.stockade.rules.ParameterProblem {
                if (!seen.has(0)) {
                    throw TargetArgs.mustSpecify("CHECKSUM", "checksum-fill");
                }
                return new Spec();
            }
        };
    }

    /** The parsed target (always {@code --checksum-fill}). */
    public record Spec() implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "CHECKSUM";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --checksum-fill");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("CHECKSUM fill");
        }

        @Override
        public String check(CheckEnv env) {
            return TargetArgs.mangleOnly(env);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            return Verdict.CONTINUE;
        }
    }
}
