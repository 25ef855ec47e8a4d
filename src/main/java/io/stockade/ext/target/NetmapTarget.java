package io.stockade.ext.target;

import io.stockade.packet.IpText;
import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.nat.NatActions;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j NETMAP --to ADDR[/PREFIX|/MASK]} (libxt_NETMAP / xt_NETMAP) for IPv4 and IPv6:
 * kept as the kernel's address range {@code [addr & mask, addr | ~mask]}, saved and listed as
 * {@code network/prefix}. Checkentry: nat table (any of its hooks). The 1:1 mapping is the NAT
 * layer's: it reads {@link Spec#range()}.
 */
public final class NetmapTarget implements TargetExtension {
    private static final int O_TO = 0;
    private static final List<Option> OPTIONS = List.of(Option.value("to", O_TO));

    @Override
    public String name() {
        return "NETMAP";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("NETMAP", OPTIONS);
            private NatRange range;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                range = network(env.family(), arg);
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (range == null) {
                    throw TargetArgs.mustSpecify("NETMAP", "to");
                }
                return new Spec(range);
            }
        };
    }

    static NatRange network(Family family, String arg) throws ParameterProblem {
        int slash = arg.indexOf('/');
        long[] a = NatRange.address(family, slash < 0 ? arg : arg.substring(0, slash));
        int bits = family.addressBits;
        long mHi;
        long mLo;
        if (slash < 0) {
            mHi = family == Family.IPV4 ? 0 : -1L;
            mLo = family == Family.IPV4 ? 0xffffffffL : -1L;
        } else {
            String m = arg.substring(slash + 1);
            long n = TargetArgs.parseUnsigned(m, bits);
            if (n >= 0 && m.chars().allMatch(Character::isDigit)) {
                long[] mask = prefixMask(family, (int) n);
                mHi = mask[0];
                mLo = mask[1];
            } else {
                long[] mask = NatRange.address(family, m);
                mHi = mask[0];
                mLo = mask[1];
            }
        }
        return new NatRange(family, true, a[0] & mHi, a[1] & mLo, a[0] | ~mHi & (family == Family.IPV4 ? 0 : -1L),
                (a[1] | ~mLo) & (family == Family.IPV4 ? 0xffffffffL : -1L), false, 0, 0, 0);
    }

    static long[] prefixMask(Family family, int n) {
        if (family == Family.IPV4) {
            return new long[] {0, n == 0 ? 0 : (0xffffffffL << (32 - n)) & 0xffffffffL};
        }
        long hi = n == 0 ? 0 : n >= 64 ? -1L : -1L << (64 - n);
        long lo = n <= 64 ? 0 : n == 128 ? -1L : -1L << (128 - n);
        return new long[] {hi, lo};
    }

    /** The parsed target: the range {@code [network, broadcast]} of the mapped prefix. */
    public record Spec(NatRange range) implements TargetSpec, TargetAction {
        /** netmap_tg4 / netmap_tg6: 1:1 prefix mapping, then nf_nat_setup_info for the hook's manip. */
        @Override
        public int execute(Skb skb, Emitter emitter) {
            NatRange r = range;
            return NatActions.netmap(skb, 0, r.minHi(), r.minLo(), r.maxHi(), r.maxLo(), 0, 0);
        }

        @Override
        public String name() {
            return "NETMAP";
        }

        /** Prefix length of the range (from the bits that differ between its ends). */
        public int prefixLength() {
            long dHi = range.minHi() ^ range.maxHi();
            long dLo = range.minLo() ^ range.maxLo();
            if (range.family() == Family.IPV4) {
                return 32 - Long.bitCount(dLo & 0xffffffffL);
            }
            return 128 - Long.bitCount(dHi) - Long.bitCount(dLo);
        }

        private String text() {
            String a = range.family() == Family.IPV4 ? IpText.v4(range.minLo()) : IpText.v6(range.minHi(), range.minLo());
            return a + "/" + prefixLength();
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --to ").append(text());
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("to:").append(text());
        }

        @Override
        public String check(CheckEnv env) {
            return NatTargets.checkTable(env, Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.OUTPUT.bit()
                    | Hook.POSTROUTING.bit());
        }
    }
}
