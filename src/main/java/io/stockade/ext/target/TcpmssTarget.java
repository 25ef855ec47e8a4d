package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code -j TCPMSS --set-mss N | --clamp-mss-to-pmtu} (libxt_TCPMSS / xt_TCPMSS). Checkentry
 * (legacy): {@code -p tcp}, a {@code tcp} match whose {@code --tcp-flags} comparison includes
 * SYN (not inverted) in the same rule, and clamping only from FORWARD, OUTPUT and POSTROUTING.
 * Per packet ({@code tcpmss_mangle_packet}): never raises an MSS option; lowers it to N or to
 * {@code routeMtu - 40} (IPv6: 60) with the RFC 1624 checksum update; a SYN without MSS option
 * and without payload gets one (capped at 536 / 1220) when the packet buffer has room; fragments
 * are left alone; a malformed TCP header or an unknown path MTU drops the packet.
 */
public final class TcpmssTarget implements TargetExtension {
    private static final int O_SET_MSS = 0;
    private static final int O_CLAMP_MSS = 1;
    private static final List<Option> OPTIONS = List.of(
            Option.value("set-mss", O_SET_MSS),
            Option.flag("clamp-mss-to-pmtu", O_CLAMP_MSS));
    /** XT_TCPMSS_CLAMP_PMTU. */
    public static final int CLAMP_PMTU = 0xffff;

    @Override
    public String name() {
        return "TCPMSS";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        int max = 65535 - (env.family() == Family.IPV4 ? 20 : 40); // UINT16_MAX - sizeof(iphdr | ip6_hdr)
        return new Parser() {
            private final OptionSet seen = new OptionSet("TCPMSS", OPTIONS);
            private int mss = -1;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                mss = opt.id() == O_SET_MSS ? (int) TargetArgs.uint("TCPMSS", "set-mss", arg, 0, max) : CLAMP_PMTU;
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive(3);
                if (mss < 0) {
                    throw new ParameterProblem("TCPMSS target: At least one parameter is required");
                }
                return new Spec(mss);
            }
        };
    }

    /** True if {@code m} is a tcp match whose flag comparison includes SYN, not inverted (find_syn_match). */
    static boolean synMatch(MatchSpec m) {
        if (!m.name().equals("tcp")) {
            return false;
        }
        StringBuilder sb = new StringBuilder();
        m.save(sb);
        String s = sb.toString();
        int at = s.indexOf("--tcp-flags ");
        if (at < 0 || s.substring(0, at).endsWith("! ")) {
            return false;
        }
        String[] f = s.substring(at + 12).trim().split("\\s+");
        if (f.length < 2) {
            return false;
        }
        for (String flag : f[1].split(",")) {
            if (flag.equals("SYN") || flag.equals("ALL")) {
                return true;
            }
        }
        return false;
    }

    /** The parsed target: {@code mss} is the value, or {@link #CLAMP_PMTU}. */
    public record Spec(int mss) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "TCPMSS";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(mss == CLAMP_PMTU ? " --clamp-mss-to-pmtu" : " --set-mss " + mss);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(mss == CLAMP_PMTU ? "TCPMSS clamp to PMTU" : "TCPMSS set " + mss);
        }

        @Override
        public String check(CheckEnv env) {
            IpHeaderFilter ip = env.ip();
            if (ip.protocol() != 6 || ip.inverted(IpHeaderFilter.INV_PROTO)) {
                return TargetArgs.EINVAL;
            }
            if (mss == CLAMP_PMTU
                    && !env.onlyHooks(Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit())) {
                return TargetArgs.EINVAL;
            }
            for (MatchSpec m : env.matches()) {
                if (synMatch(m)) {
                    return null;
                }
            }
            return TargetArgs.EINVAL;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            PacketDescriptor pd = skb.pd;
            if (pd.fragOffset != 0 || pd.protocol != 6) {
                return Verdict.CONTINUE;
            }
            if (pd.l4Offset < 0 || pd.truncated) {
                return Verdict.DROP;
            }
            MemorySegment s = pd.data;
            int tcp = pd.l4Offset;
            int len = (int) (pd.base + pd.ipTotalLength - tcp);
            if (len < 20) {
                return Verdict.DROP;
            }
            int hdr = (Wire.u8(s, tcp + 12) >>> 4) * 4;
            if (len < hdr || hdr < 20) {
                return Verdict.DROP;
            }
            int minLen = pd.ipVersion == 4 ? 40 : 60;
            int newMss;
            if (mss == CLAMP_PMTU) {
                // LINUX-DIFF: Linux takes min(route MTU, MTU of the reverse route); the host model
                // gives one MTU (Skb.routeMtu). 0 means "not routed yet": the packet is left alone.
                if (skb.routeMtu == 0) {
                    return Verdict.CONTINUE;
                }
                if (skb.routeMtu <= minLen) {
                    return Verdict.DROP;
                }
                newMss = skb.routeMtu - minLen;
            } else {
                newMss = mss;
            }
            for (int i = 20; i <= hdr - 4; ) {
                int kind = Wire.u8(s, tcp + i);
                if (kind == 2 && Wire.u8(s, tcp + i + 1) == 4) {
                    int old = Wire.u16(s, tcp + i + 2);
                    if (old <= newMss) {
                        return Verdict.CONTINUE;
                    }
                    Wire.put16(s, tcp + i + 2, newMss);
                    Wire.put16(s, tcp + 16, Checksum.update16(Wire.u16(s, tcp + 16), old, newMss));
                    return Verdict.CONTINUE;
                }
                // optlen(): EOL/NOP and malformed lengths advance by one byte
                int ol = kind <= 1 ? 1 : Wire.u8(s, tcp + i + 1);
                i += ol == 0 ? 1 : ol;
            }
            if (len > hdr || hdr >= 60) {
                return Verdict.CONTINUE;
            }
            insertMss(pd, s, tcp, len, Math.min(newMss, pd.ipVersion == 4 ? 536 : 1220));
            return Verdict.CONTINUE;
        }

        /** Adds an MSS option in front of the others when the buffer has 4 spare bytes. */
        private static void insertMss(PacketDescriptor pd, MemorySegment s, int tcp, int len, int value) {
            long end = pd.base + pd.ipTotalLength;
            if (s.byteSize() < end + 4 || s.isReadOnly()) {
                // LINUX-DIFF: Linux grows the skb; a packet whose buffer has no room keeps no MSS option.
                return;
            }
            MemorySegment.copy(s, tcp + 20, s, tcp + 24, len - 20);
            int check = Wire.u16(s, tcp + 16);
            check = Checksum.update16(check, len, len + 4);
            Wire.put8(s, tcp + 20, 2);
            Wire.put8(s, tcp + 21, 4);
            Wire.put16(s, tcp + 22, value);
            check = Checksum.update16(check, 0, 0x0204);
            check = Checksum.update16(check, 0, value);
            int oldWord = Wire.u16(s, tcp + 12);
            Wire.put8(s, tcp + 12, Wire.u8(s, tcp + 12) + 0x10);
            check = Checksum.update16(check, oldWord, Wire.u16(s, tcp + 12));
            Wire.put16(s, tcp + 16, check);
            int total = pd.ipTotalLength + 4;
            if (pd.ipVersion == 4) {
                int oldTotal = Wire.u16(s, pd.base + 2);
                Wire.put16(s, pd.base + 2, total);
                Wire.put16(s, pd.base + 10, Checksum.update16(Wire.u16(s, pd.base + 10), oldTotal, total));
            } else {
                Wire.put16(s, pd.base + 4, total - 40);
            }
            pd.ipTotalLength = total;
            pd.length += 4;
            pd.tcpHeaderLength += 4;
            pd.payloadOffset += 4;
            pd.tcpMss = value;
        }
    }
}
