package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.Arrays;

/**
 * {@code -m bpf --bytecode "N,CODE JT JF K,…"} (libxt_bpf revision 1 / xt_bpf): runs a classic BPF
 * program (as {@code nfbpf_compile} or {@code tcpdump -ddd} print it, at most 64 instructions) on
 * the packet from its IP header; a non-zero return value matches. The kernel's checks
 * ({@code bpf_check_classic}: known opcodes, jumps in range, constant divisor non-zero, shifts
 * below 32, scratch memory written before read, RET last) refuse a bad program with EINVAL.
 *
 * <p>Ancillary loads ({@code SKF_AD_*}): protocol, pkttype, mark, len and ifindex-free ones are
 * answered from the packet; {@code SKF_NET_OFF} offsets address the IP header.
 * LINUX-DIFF: link-layer offsets ({@code SKF_LL_OFF}) and the remaining ancillary fields (ifindex,
 * hatype, rxhash, cpu, vlan, random, …) read as out of range (the program returns 0);
 * {@code --object-pinned} (eBPF objects in bpffs) is refused as iptables refuses a missing object.
 */
public final class BpfMatch extends XtOptMatch {
    static final int MAX_INSTR = 64;
    private static final int O_BYTECODE = 0;
    private static final int O_PINNED = 1;

    // Classic BPF opcode parts (linux/filter.h, linux/bpf_common.h).
    static final int LD = 0x00;
    static final int LDX = 0x01;
    static final int ST = 0x02;
    static final int STX = 0x03;
    static final int ALU = 0x04;
    static final int JMP = 0x05;
    static final int RET = 0x06;
    static final int MISC = 0x07;
    static final int W = 0x00;
    static final int H = 0x08;
    static final int B = 0x10;
    static final int IMM = 0x00;
    static final int ABS = 0x20;
    static final int IND = 0x40;
    static final int MEM = 0x60;
    static final int LEN = 0x80;
    static final int MSH = 0xa0;
    static final int K = 0x00;
    static final int X = 0x08;
    static final int A = 0x10;
    static final int ADD = 0x00;
    static final int SUB = 0x10;
    static final int MUL = 0x20;
    static final int DIV = 0x30;
    static final int OR = 0x40;
    static final int AND = 0x50;
    static final int LSH = 0x60;
    static final int RSH = 0x70;
    static final int NEG = 0x80;
    static final int MOD = 0x90;
    static final int XOR = 0xa0;
    static final int JA = 0x00;
    static final int JEQ = 0x10;
    static final int JGT = 0x20;
    static final int JGE = 0x30;
    static final int JSET = 0x40;
    static final int TAX = 0x00;
    static final int TXA = 0x80;
    static final int SKF_AD_OFF = -0x1000;
    static final int SKF_NET_OFF = -0x100000;
    static final int SKF_LL_OFF = -0x200000;

    public BpfMatch() {
        super("bpf",
                entry("bytecode", O_BYTECODE, Type.STRING, 0),
                entry("object-pinned", O_PINNED, Type.STRING, 0));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int[] prog;

            @Override
            void parse(Call cb) throws ParameterProblem {
                if (cb.entry.id() == O_BYTECODE) {
                    prog = parseProgram(cb.arg);
                } else {
                    // LINUX-DIFF: no bpffs objects exist in Stockade.
                    throw new ParameterProblem("bpf: failed to get bpf object");
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                int f = xflags & 3;
                if (f != 1 && f != 2) {
                    throw new ParameterProblem("bpf: one of --bytecode or --pinned is required");
                }
                return new Spec(prog);
            }
        };
    }

    /** A minimal sscanf: whitespace, optional sign, decimal digits; -1 position if none. */
    private static long[] scan(String s, int p) {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        boolean neg = false;
        if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            neg = s.charAt(p) == '-';
            p++;
        }
        int start = p;
        long v = 0;
        while (p < s.length() && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
            v = v * 10 + (s.charAt(p) - '0');
            p++;
        }
        return p == start ? null : new long[] {neg ? -v : v, p};
    }

    /** bpf_parse_string: {code, jt, jf, k} per instruction, flat. */
    static int[] parseProgram(String s) throws ParameterProblem {
        long[] head = scan(s, 0);
        if (head == null || (int) head[1] >= s.length() || s.charAt((int) head[1]) != ',') {
            throw new ParameterProblem("bpf: error parsing program length");
        }
        int len = (int) (head[0] & 0xffff);
        if (len == 0) {
            throw new ParameterProblem("bpf: illegal zero length program");
        }
        if (len > MAX_INSTR) {
            throw new ParameterProblem("bpf: number of instructions exceeds maximum");
        }
        int[] prog = new int[len * 4];
        int i = 0;
        int token = 0;
        while (true) {
            int comma = s.indexOf(',', token);
            if (comma < 0 || comma + 1 >= s.length()) {
                break;
            }
            token = comma + 1;
            if (i >= len) {
                throw new ParameterProblem("bpf: real program length exceeds the encoded length parameter");
            }
            int p = token;
            long[] v = new long[4];
            for (int f = 0; f < 4; f++) {
                long[] r = scan(s, p);
                if (r == null) {
                    throw new ParameterProblem("bpf: error at instr " + i);
                }
                v[f] = r[0];
                p = (int) r[1];
            }
            prog[4 * i] = (int) (v[0] & 0xffff);
            prog[4 * i + 1] = (int) (v[1] & 0xff);
            prog[4 * i + 2] = (int) (v[2] & 0xff);
            prog[4 * i + 3] = (int) v[3];
            i++;
        }
        if (i != len) {
            throw new ParameterProblem("bpf: parsed program length is less than the encoded length parameter");
        }
        return prog;
    }

    static boolean allowed(int code) {
        int cls = code & 0x07;
        return switch (cls) {
            case ALU -> {
                int op = code & 0xf0;
                yield (code & ~0xf8) == ALU && (op == NEG ? (code & X) == 0 : op <= XOR);
            }
            case LD -> code == (LD | W | ABS) || code == (LD | H | ABS) || code == (LD | B | ABS)
                    || code == (LD | W | LEN) || code == (LD | W | IND) || code == (LD | H | IND)
                    || code == (LD | B | IND) || code == (LD | IMM) || code == (LD | MEM);
            case LDX -> code == (LDX | W | LEN) || code == (LDX | B | MSH) || code == (LDX | IMM)
                    || code == (LDX | MEM);
            case ST, STX -> code == cls;
            case MISC -> code == (MISC | TAX) || code == (MISC | TXA);
            case RET -> code == (RET | K) || code == (RET | A);
            default -> {
                int op = code & 0xf0;
                yield code == (JMP | JA) || ((code & ~0xf8) == JMP && op >= JEQ && op <= JSET);
            }
        };
    }

    /** bpf_check_classic + check_load_and_stores: true if the kernel accepts the program. */
    static boolean valid(int[] p) {
        int flen = p.length / 4;
        for (int pc = 0; pc < flen; pc++) {
            int code = p[4 * pc];
            int jt = p[4 * pc + 1];
            int jf = p[4 * pc + 2];
            int k = p[4 * pc + 3];
            if (!allowed(code)) {
                return false;
            }
            int cls = code & 7;
            if (cls == ALU && (code & X) == 0) {
                int op = code & 0xf0;
                if ((op == DIV || op == MOD) && k == 0) {
                    return false;
                }
                if ((op == LSH || op == RSH) && Integer.compareUnsigned(k, 32) >= 0) {
                    return false;
                }
            }
            if ((code == (LD | MEM) || code == (LDX | MEM) || cls == ST || cls == STX)
                    && Integer.compareUnsigned(k, 16) >= 0) {
                return false;
            }
            if (code == (JMP | JA)) {
                if (Integer.compareUnsigned(k, flen - pc - 1) >= 0) {
                    return false;
                }
            } else if (cls == JMP && (pc + jt + 1 >= flen || pc + jf + 1 >= flen)) {
                return false;
            }
            if ((code == (LD | W | ABS) || code == (LD | H | ABS) || code == (LD | B | ABS)) && k < 0
                    && k >= SKF_AD_OFF && !ancillaryKnown(k - SKF_AD_OFF)) {
                return false;
            }
        }
        if ((p[4 * (flen - 1)] & 7) != RET) {
            return false;
        }
        int[] masks = new int[flen];
        Arrays.fill(masks, -1);
        int memvalid = 0;
        for (int pc = 0; pc < flen; pc++) {
            memvalid &= masks[pc];
            int code = p[4 * pc];
            int k = p[4 * pc + 3];
            int cls = code & 7;
            if (cls == ST || cls == STX) {
                memvalid |= 1 << k;
            } else if (code == (LD | MEM) || code == (LDX | MEM)) {
                if ((memvalid & (1 << k)) == 0) {
                    return false;
                }
            } else if (code == (JMP | JA)) {
                masks[pc + 1 + k] &= memvalid;
                memvalid = -1;
            } else if (cls == JMP) {
                masks[pc + 1 + p[4 * pc + 1]] &= memvalid;
                masks[pc + 1 + p[4 * pc + 2]] &= memvalid;
                memvalid = -1;
            }
        }
        return true;
    }

    /** SKF_AD_* offsets the kernel knows (up to SKF_AD_RANDOM). */
    static boolean ancillaryKnown(int ad) {
        return ad >= 0 && ad <= 56 && ad % 4 == 0;
    }

    /** The parsed match: instructions as {code, jt, jf, k} quadruples. */
    public record Spec(int[] prog) implements MatchSpec, Matcher {
        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && Arrays.equals(s.prog, prog);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(prog);
        }

        @Override
        public String name() {
            return "bpf";
        }

        private void code(StringBuilder out) {
            for (int i = 0; i < prog.length / 4; i++) {
                out.append(i > 0 ? "," : "").append(prog[4 * i]).append(' ').append(prog[4 * i + 1]).append(' ')
                        .append(prog[4 * i + 2]).append(' ').append(Integer.toUnsignedString(prog[4 * i + 3]));
            }
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --bytecode \"").append(prog.length / 4).append(',');
            code(out);
            out.append('"');
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            // iptables prints "match bpf " without a leading space and ends with a NUL byte,
            // which is left out here.
            out.append("match bpf ");
            code(out);
        }

        @Override
        public String check(CheckEnv env) {
            return valid(prog) ? null : EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            return run(skb) != 0;
        }

        /** Loads {@code size} bytes at a BPF offset (SKF_NET_OFF/SKF_AD_OFF aware); -1L out of range. */
        private static long load(Skb skb, int k, int size, int len) {
            PacketDescriptor pd = skb.pd;
            int off = k;
            if (k < 0) {
                if (k >= SKF_AD_OFF) {
                    return size == 4 ? ancillary(skb, k - SKF_AD_OFF, len) : -1L;
                }
                if (k >= SKF_NET_OFF && k < SKF_NET_OFF + 0x100000 - 0x1000) {
                    off = k - SKF_NET_OFF;
                } else {
                    return -1L;
                }
            }
            if (off < 0 || off + size > len) {
                return -1L;
            }
            return switch (size) {
                case 4 -> HeaderBytes.u32(pd, off);
                case 2 -> HeaderBytes.u16(pd, off);
                default -> HeaderBytes.u8(pd, off);
            };
        }

        private static long ancillary(Skb skb, int ad, int len) {
            return switch (ad) {
                case 0 -> skb.pd.ipVersion == 6 ? 0x86dd : 0x0800;   // SKF_AD_PROTOCOL
                case 4 -> skb.pktType;                               // SKF_AD_PKTTYPE
                case 20 -> skb.mark & 0xffffffffL;                   // SKF_AD_MARK
                default -> -1L;
            };
        }

        /** The classic BPF interpreter; returns the program's unsigned result as a long. */
        long run(Skb skb) {
            PacketDescriptor pd = skb.pd;
            int len = pd.ipTotalLength > 0 ? Math.min(pd.length, pd.ipTotalLength) : pd.length;
            int a = 0;
            int x = 0;
            int m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0;
            int m8 = 0, m9 = 0, m10 = 0, m11 = 0, m12 = 0, m13 = 0, m14 = 0, m15 = 0;
            int n = prog.length / 4;
            for (int pc = 0, steps = 0; pc < n && steps <= MAX_INSTR; pc++, steps++) {
                int code = prog[4 * pc];
                int k = prog[4 * pc + 3];
                switch (code & 7) {
                    case LD -> {
                        int mode = code & 0xe0;
                        int size = (code & 0x18) == W ? 4 : (code & 0x18) == H ? 2 : 1;
                        if (mode == ABS || mode == IND) {
                            long v = load(skb, mode == IND ? x + k : k, size, len);
                            if (v < 0) {
                                return 0;
                            }
                            a = (int) v;
                        } else if (mode == LEN) {
                            a = len;
                        } else if (mode == IMM) {
                            a = k;
                        } else {
                            a = switch (k) {
                                case 0 -> m0; case 1 -> m1; case 2 -> m2; case 3 -> m3;
                                case 4 -> m4; case 5 -> m5; case 6 -> m6; case 7 -> m7;
                                case 8 -> m8; case 9 -> m9; case 10 -> m10; case 11 -> m11;
                                case 12 -> m12; case 13 -> m13; case 14 -> m14; default -> m15;
                            };
                        }
                    }
                    case LDX -> {
                        int mode = code & 0xe0;
                        if (mode == LEN) {
                            x = len;
                        } else if (mode == MSH) {
                            long v = load(skb, k, 1, len);
                            if (v < 0) {
                                return 0;
                            }
                            x = (int) ((v & 0xf) << 2);
                        } else if (mode == IMM) {
                            x = k;
                        } else {
                            x = switch (k) {
                                case 0 -> m0; case 1 -> m1; case 2 -> m2; case 3 -> m3;
                                case 4 -> m4; case 5 -> m5; case 6 -> m6; case 7 -> m7;
                                case 8 -> m8; case 9 -> m9; case 10 -> m10; case 11 -> m11;
                                case 12 -> m12; case 13 -> m13; case 14 -> m14; default -> m15;
                            };
                        }
                    }
                    case ST, STX -> {
                        int v = (code & 7) == ST ? a : x;
                        switch (k) {
                            case 0 -> m0 = v; case 1 -> m1 = v; case 2 -> m2 = v; case 3 -> m3 = v;
                            case 4 -> m4 = v; case 5 -> m5 = v; case 6 -> m6 = v; case 7 -> m7 = v;
                            case 8 -> m8 = v; case 9 -> m9 = v; case 10 -> m10 = v; case 11 -> m11 = v;
                            case 12 -> m12 = v; case 13 -> m13 = v; case 14 -> m14 = v; default -> m15 = v;
                        }
                    }
                    case ALU -> {
                        int src = (code & X) != 0 ? x : k;
                        switch (code & 0xf0) {
                            case ADD -> a += src;
                            case SUB -> a -= src;
                            case MUL -> a *= src;
                            case DIV -> {
                                if (src == 0) {
                                    return 0;
                                }
                                a = Integer.divideUnsigned(a, src);
                            }
                            case MOD -> {
                                if (src == 0) {
                                    return 0;
                                }
                                a = Integer.remainderUnsigned(a, src);
                            }
                            case OR -> a |= src;
                            case AND -> a &= src;
                            case XOR -> a ^= src;
                            case LSH -> a = (src & 0xffffffffL) >= 32 ? 0 : a << src;
                            case RSH -> a = (src & 0xffffffffL) >= 32 ? 0 : a >>> src;
                            default -> a = -a;
                        }
                    }
                    case JMP -> {
                        int op = code & 0xf0;
                        if (op == JA) {
                            pc += k;
                        } else {
                            int src = (code & X) != 0 ? x : k;
                            boolean cond = switch (op) {
                                case JEQ -> a == src;
                                case JGT -> Integer.compareUnsigned(a, src) > 0;
                                case JGE -> Integer.compareUnsigned(a, src) >= 0;
                                default -> (a & src) != 0;
                            };
                            pc += cond ? prog[4 * pc + 1] : prog[4 * pc + 2];
                        }
                    }
                    case RET -> {
                        return ((code & 0x18) == A ? a : k) & 0xffffffffL;
                    }
                    default -> {
                        if ((code & 0xf8) == TXA) {
                            a = x;
                        } else {
                            x = a;
                        }
                    }
                }
            }
            return 0;
        }
    }
}
