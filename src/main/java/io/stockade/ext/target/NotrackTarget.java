package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.Option;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j NOTRACK} (libxt_NOTRACK, the kernel's CT target with {@code XT_CT_NOTRACK}): raw
 * table, PREROUTING and OUTPUT. Per packet: marks the packet untracked ({@code ctinfo} 7,
 * {@code conn} null) unless it already has a conntrack entry; continues.
 */
public final class NotrackTarget implements TargetExtension {
    @Override
    public String name() {
        return "NOTRACK";
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
                throw new IllegalStateException("NOTRACK has no options");
            }

            @Override
            public TargetSpec finish() {
                return new Spec();
            }
        };
    }

    /** IP_CT_UNTRACKED. */
    static final int UNTRACKED = 7;

    /** Marks a packet untracked, as {@code nf_ct_set(skb, NULL, IP_CT_UNTRACKED)}. */
    static int untrack(Skb skb) {
        if (skb.conn == null && skb.ctinfo != UNTRACKED) {
            skb.ctinfo = UNTRACKED;
        }
        return Verdict.CONTINUE;
    }

    /** Checkentry of the CT family: raw table, PREROUTING/OUTPUT. */
    static String checkRaw(CheckEnv env) {
        return env.table() != TableKind.RAW || !env.onlyHooks(Hook.PREROUTING.bit() | Hook.OUTPUT.bit())
                ? TargetArgs.EINVAL : null;
    }

    /** The parsed target (no options). */
    public record Spec() implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "NOTRACK";
        }

        @Override
        public void save(StringBuilder out) {
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            // LINUX-DIFF: iptables 1.8.9 shows "CT" in -L's target column (NOTRACK is a CT alias
            // there) and "NOTRACK" here; Stockade's target column says NOTRACK.
            out.append("NOTRACK");
        }

        @Override
        public String check(CheckEnv env) {
            return checkRaw(env);
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            return untrack(skb);
        }
    }
}
