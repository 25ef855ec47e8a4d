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
 * {@code -j TRACE} (libxt_TRACE / xt_TRACE): raw table, PREROUTING and OUTPUT. Per packet: sets
 * {@link Skb#trace} (the kernel's {@code nf_trace}) and hands the engine the LOG module's field
 * format; from then on the evaluator writes the kernel's trace line for every entry the packet
 * matches in every table ({@code TRACE: table:chain:rule|return|policy:N} and the LOG fields,
 * level 4, see {@code engine.Evaluator}). The TRACE rule itself is not traced (the kernel traces
 * before the target runs). Continues.
 */
public final class TraceTarget implements TargetExtension {
    @Override
    public String name() {
        return "TRACE";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            @Override
            public void parse(Option opt, String arg, boolean inverted) {
                throw new IllegalStateException("TRACE has no options");
            }

            @Override
            public TargetSpec finish() {
                return new Spec();
            }
        };
    }

    /** The parsed target (no options). */
    public record Spec() implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "TRACE";
        }

        @Override
        public void save(StringBuilder out) {
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
        }

        @Override
        public String check(CheckEnv env) {
            return NotrackTarget.checkRaw(env);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            skb.trace = true;
            skb.traceFormat = LogLine.FORMAT;
            return Verdict.CONTINUE;
        }
    }
}
