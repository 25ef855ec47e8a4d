package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m cpu [!] --cpu N} (libxt_cpu / xt_cpu): the CPU processing the packet.
 *
 * <p>LINUX-DIFF: Stockade evaluates every packet on its single engine thread, which counts as
 * CPU 0.
 */
public final class CpuMatch extends XtOptMatch {
    /** The CPU number Stockade's engine reports for every packet. */
    static final long ENGINE_CPU = 0;

    public CpuMatch() {
        super("cpu", entry("cpu", 0, Type.UINT32, INVERT | MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long cpu;
            private boolean invert;

            @Override
            void parse(Call cb) {
                cpu = cb.value;
                invert |= cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(cpu, invert);
            }
        };
    }

    /** The parsed match (xt_cpu_info). */
    public record Spec(long cpu, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " !" : "").append(" --cpu ").append(cpu);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("cpu ").append(invert ? "! " : "").append(cpu);
        }

        @Override
        public boolean matches(Skb skb) {
            return (cpu == ENGINE_CPU) ^ invert;
        }
    }
}
