package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j SECMARK --selctx CONTEXT} (libxt_SECMARK / xt_SECMARK): mangle or security table; the
 * context is at most 255 bytes. Per packet: continues. LINUX-DIFF: there is no SELinux policy to
 * turn the context into a security id, so {@code Skb.secmark} is not set; Linux refuses the rule
 * when SELinux does not know the context.
 */
public final class SecmarkTarget implements TargetExtension {
    private static final List<Option> OPTIONS = List.of(Option.value("selctx", 0));

    @Override
    public String name() {
        return "SECMARK";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("SECMARK", OPTIONS);
            private String ctx;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                if (arg.length() > 255) {
                    throw new ParameterProblem("SECMARK: option \"--selctx\" is too long");
                }
                ctx = arg;
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (ctx == null) {
                    throw TargetArgs.mustSpecify("SECMARK", "selctx");
                }
                return new Spec(ctx);
            }
        };
    }

    /** The parsed target. */
    public record Spec(String selctx) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "SECMARK";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --selctx ").append(selctx);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("SECMARK selctx ").append(selctx);
        }

        @Override
        public String check(CheckEnv env) {
            return env.table() == TableKind.MANGLE || env.table() == TableKind.SECURITY ? null : TargetArgs.EINVAL;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            return Verdict.CONTINUE;
        }
    }
}
