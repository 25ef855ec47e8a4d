package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.IpText;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
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
 * {@code -j SNPT} / {@code -j DNPT --src-pfx P/L --dst-pfx P/L} (libip6t_SNPT/DNPT, ip6t_NPT):
 * RFC 6296 checksum-neutral IPv6 prefix translation, one class for both. Checkentry: mangle
 * table, SNPT in INPUT/POSTROUTING, DNPT in PREROUTING/OUTPUT, prefixes at most /64 with no host
 * bits. Per packet ({@code ip6t_npt_map_pfx}): the prefix is replaced and the 16-bit word after
 * it (word 3 for /48 and shorter, else the first word from 4 on that is not 0xffff) absorbs the
 * checksum adjustment; when no such word exists the packet is dropped (Linux also sends an ICMPv6
 * parameter problem, which Stockade does not).
 */
public final class NptTarget implements TargetExtension {
    private static final int O_SRC_PFX = 0;
    private static final int O_DST_PFX = 1;
    private static final List<Option> OPTIONS = List.of(Option.value("src-pfx", O_SRC_PFX), Option.value("dst-pfx", O_DST_PFX));

    private final boolean source;

    /** @param source true for SNPT (rewrites the source address), false for DNPT */
    public NptTarget(boolean source) {
        this.source = source;
    }

    @Override
    public String name() {
        return source ? "SNPT" : "DNPT";
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        String name = name();
        return new Parser() {
            private final OptionSet seen = new OptionSet(name, OPTIONS);
            private final long[][] pfx = new long[2][];
            private final int[] len = new int[2];

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                int slash = arg.indexOf('/');
                pfx[opt.id()] = NatRange.address(Family.IPV6, slash < 0 ? arg : arg.substring(0, slash));
                long l = slash < 0 ? 128 : TargetArgs.parseUnsigned(arg.substring(slash + 1), 128);
                if (l < 0) {
                    throw new ParameterProblem("Invalid prefix length \"" + arg.substring(slash + 1) + "\"");
                }
                len[opt.id()] = (int) l;
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (pfx[O_SRC_PFX] == null) {
                    throw TargetArgs.mustSpecify(name, "src-pfx");
                }
                if (pfx[O_DST_PFX] == null) {
                    throw TargetArgs.mustSpecify(name, "dst-pfx");
                }
                return new Spec(source, pfx[0][0], pfx[0][1], len[0], pfx[1][0], pfx[1][1], len[1]);
            }
        };
    }

    /** The parsed target ({@code ip6t_npt_tginfo}). */
    public record Spec(boolean source, long srcHi, long srcLo, int srcLen, long dstHi, long dstLo, int dstLen)
            implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return source ? "SNPT" : "DNPT";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --src-pfx ").append(IpText.v6(srcHi, srcLo)).append('/').append(srcLen)
                    .append(" --dst-pfx ").append(IpText.v6(dstHi, dstLo)).append('/').append(dstLen);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(name()).append(" src-pfx ").append(IpText.v6(srcHi, srcLo)).append('/').append(srcLen)
                    .append(" dst-pfx ").append(IpText.v6(dstHi, dstLo)).append('/').append(dstLen);
        }

        private static boolean hostBitsClear(long hi, long lo, int len) {
            long[] m = NetmapTarget.prefixMask(Family.IPV6, len);
            return (hi & ~m[0]) == 0 && (lo & ~m[1]) == 0;
        }

        @Override
        public String check(CheckEnv env) {
            int hooks = source ? Hook.INPUT.bit() | Hook.POSTROUTING.bit() : Hook.PREROUTING.bit() | Hook.OUTPUT.bit();
            if (TargetArgs.mangleOnly(env) != null || !env.onlyHooks(hooks) || srcLen > 64 || dstLen > 64
                    || !hostBitsClear(srcHi, srcLo, srcLen) || !hostBitsClear(dstHi, dstLo, dstLen)) {
                return TargetArgs.EINVAL;
            }
            return null;
        }

        private static long words(long v) {
            return (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
        }

        /** ~csum_fold(src_sum - dst_sum), the value checkentry stores. */
        int adjustment() {
            long sum = words(srcHi) + words(srcLo) + (0xffffL * 8 - words(dstHi) - words(dstLo));
            while ((sum >>> 16) != 0) {
                sum = (sum & 0xffff) + (sum >>> 16);
            }
            return (int) (~sum & 0xffff) ^ 0xffff;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            PacketDescriptor pd = skb.pd;
            long at = pd.base + (source ? 8 : 24);
            int pfxLen = Math.max(srcLen, dstLen);
            // replace the first pfxLen bits with the destination prefix
            for (int i = 0; i < pfxLen; i += 32) {
                long dstWord = i < 64 ? (dstHi >>> (32 - i)) & 0xffffffffL : (dstLo >>> (96 - i)) & 0xffffffffL;
                long keep = pfxLen - i >= 32 ? 0 : (1L << (32 - (pfxLen - i))) - 1;
                long cur = Wire.u32(pd.data, at + i / 8);
                Wire.put32(pd.data, at + i / 8, (int) ((cur & keep) | (dstWord & ~keep & 0xffffffffL)));
            }
            int idx;
            // LINUX-DIFF: an unmappable address (all 0xffff words) drops the packet without the
            // ICMPv6 parameter problem Linux sends.
            if (pfxLen <= 48) {
                idx = 3;
            } else {
                idx = 4;
                while (idx < 8 && Wire.u16(pd.data, at + 2L * idx) == 0xffff) {
                    idx++;
                }
                if (idx == 8) {
                    return Verdict.DROP;
                }
            }
            long sum = Wire.u16(pd.data, at + 2L * idx) + (long) adjustment();
            while ((sum >>> 16) != 0) {
                sum = (sum & 0xffff) + (sum >>> 16);
            }
            int word = (int) sum;
            if (word == 0xffff) {
                word = 0;
            }
            Wire.put16(pd.data, at + 2L * idx, word);
            long hi = Wire.i64(pd.data, at);
            long lo = Wire.i64(pd.data, at + 8);
            if (source) {
                pd.srcHi = hi;
                pd.srcLo = lo;
            } else {
                pd.dstHi = hi;
                pd.dstLo = lo;
            }
            return Verdict.CONTINUE;
        }
    }
}
