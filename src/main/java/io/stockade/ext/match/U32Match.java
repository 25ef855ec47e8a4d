package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.syntax.Numbers;
import java.util.Arrays;

/**
 * {@code -m u32 [!] --u32 TESTS} (libxt_u32 / xt_u32): up to 11 tests joined by {@code &&}; each
 * reads a big-endian 32-bit word at a location from the start of the IP header, transforms it
 * with {@code &N}, {@code <<N}, {@code >>N} and {@code @N} (move the base by the current value and
 * read the word at base+N), and compares it with up to 11 values or ranges
 * ({@code =V,A:B}). Reading past the packet makes the test (and the match) false. Saved and listed
 * in hex as iptables normalises it.
 */
public final class U32Match extends XtOptMatch {
    /** XT_U32_MAXSIZE; arrays hold MAXSIZE + 1 elements. */
    static final int MAXSIZE = 10;
    static final int SLOTS = MAXSIZE + 1;
    static final int AND = 0;
    static final int LEFTSH = 1;
    static final int RIGHTSH = 2;
    static final int AT = 3;

    public U32Match() {
        super("u32", entry("u32", 0, Type.STRING, MAND | INVERT));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private Spec spec;

            @Override
            void parse(Call cb) throws ParameterProblem {
                spec = parseTests(cb.arg, cb.invert);
            }

            @Override
            MatchSpec finish(int xflags) {
                return spec;
            }
        };
    }

    /** A parse position: libxt_u32 reports errors "at char N" (offset into the argument). */
    private static final class Cursor {
        final String s;
        int p;

        Cursor(String s) {
            this.s = s;
        }

        char at() {
            return p < s.length() ? s.charAt(p) : '\0';
        }

        long number(int pos) throws ParameterProblem {
            Numbers.Num n = Numbers.Num.parse(s, p, 0);
            if (n == null || !n.inRange(0, 0xffffffffL) || n.end == p) {
                throw new ParameterProblem("u32: at char " + pos + ": not a number or out of range");
            }
            p = n.end;
            return n.value;
        }

        void skipSpace() {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
                p++;
            }
        }
    }

    /** u32_parse. */
    static Spec parseTests(String arg, boolean invert) throws ParameterProblem {
        int[] nnums = new int[SLOTS];
        int[] nvals = new int[SLOTS];
        int[] num = new int[SLOTS * SLOTS];
        int[] op = new int[SLOTS * SLOTS];
        int[] min = new int[SLOTS * SLOTS];
        int[] max = new int[SLOTS * SLOTS];
        int testind = 0;
        int locind = 0;
        int valind = 0;
        int state = 0;
        Cursor c = new Cursor(arg);
        while (true) {
            c.skipSpace();
            if (c.at() == '\0') {
                if (state == 0) {
                    throw new ParameterProblem("u32: abrupt end of input after location specifier");
                }
                if (valind == 0) {
                    throw new ParameterProblem("u32: test ended with no value specified");
                }
                nnums[testind] = locind;
                nvals[testind] = valind;
                ++testind;
                if (testind > MAXSIZE) {
                    // Unreachable in practice as in iptables: the && branch refuses earlier.
                    throw new ParameterProblem("u32: at char " + c.p + ": too many \"&&\"s");
                }
                return new Spec(invert, testind, Arrays.copyOf(nnums, testind), Arrays.copyOf(nvals, testind),
                        Arrays.copyOf(num, testind * SLOTS), Arrays.copyOf(op, testind * SLOTS),
                        Arrays.copyOf(min, testind * SLOTS), Arrays.copyOf(max, testind * SLOTS));
            }
            int base = testind * SLOTS;
            if (state == 0) {
                if (c.at() == '=') {
                    if (locind == 0) {
                        throw new ParameterProblem("u32: at char " + c.p + ": location spec missing");
                    }
                    c.p++;
                    state = 1;
                } else {
                    if (locind != 0) {
                        char o = c.at();
                        if (o == '&') {
                            op[base + locind] = AND;
                        } else if (o == '<') {
                            c.p++;
                            if (c.at() != '<') {
                                throw new ParameterProblem("u32: at char " + c.p + ": a second '<' was expected");
                            }
                            op[base + locind] = LEFTSH;
                        } else if (o == '>') {
                            c.p++;
                            if (c.at() != '>') {
                                throw new ParameterProblem("u32: at char " + c.p + ": a second '>' was expected");
                            }
                            op[base + locind] = RIGHTSH;
                        } else if (o == '@') {
                            op[base + locind] = AT;
                        } else {
                            throw new ParameterProblem("u32: at char " + c.p + ": operator expected");
                        }
                        c.p++;
                    }
                    num[base + locind] = (int) c.number(c.p);
                    if (++locind > MAXSIZE) {
                        throw new ParameterProblem("u32: at char " + c.p + ": too many operators");
                    }
                }
            } else {
                if (c.at() == '&') {
                    c.p++;
                    if (c.at() != '&') {
                        throw new ParameterProblem("u32: at char " + c.p + ": a second '&' was expected");
                    }
                    if (valind == 0) {
                        throw new ParameterProblem("u32: at char " + c.p + ": value spec missing");
                    }
                    nnums[testind] = locind;
                    nvals[testind] = valind;
                    ++testind;
                    if (testind > MAXSIZE) {
                        throw new ParameterProblem("u32: at char " + c.p + ": too many \"&&\"s");
                    }
                    c.p++;
                    state = 0;
                    locind = 0;
                    valind = 0;
                } else {
                    if (valind > 0) {
                        if (c.at() != ',') {
                            throw new ParameterProblem("u32: at char " + c.p + ": expected \",\" or \"&&\"");
                        }
                        c.p++;
                    }
                    min[base + valind] = (int) c.number(c.p);
                    c.skipSpace();
                    if (c.at() == ':') {
                        c.p++;
                        max[base + valind] = (int) c.number(c.p);
                    } else {
                        max[base + valind] = min[base + valind];
                    }
                    if (++valind > MAXSIZE) {
                        throw new ParameterProblem("u32: at char " + c.p + ": too many \",\"s");
                    }
                }
            }
        }
    }

    /**
     * The parsed match (xt_u32), flat: test t's location element i is at {@code t * 11 + i} of
     * {@code num}/{@code op}, its value range j at {@code t * 11 + j} of {@code min}/{@code max}
     * (unsigned 32-bit values in ints).
     */
    public record Spec(boolean invert, int ntests, int[] nnums, int[] nvals, int[] num, int[] op, int[] min,
            int[] max) implements MatchSpec, Matcher {
        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.invert == invert && s.ntests == ntests && Arrays.equals(s.nnums, nnums)
                    && Arrays.equals(s.nvals, nvals) && Arrays.equals(s.num, num) && Arrays.equals(s.op, op)
                    && Arrays.equals(s.min, min) && Arrays.equals(s.max, max);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(num) * 31 + Arrays.hashCode(min) + ntests;
        }

        @Override
        public String name() {
            return "u32";
        }

        private static String hex(int v) {
            return "0x" + Integer.toHexString(v);
        }

        private void dump(StringBuilder out) {
            out.append(" \"");
            for (int t = 0; t < ntests; t++) {
                int b = t * SLOTS;
                if (t > 0) {
                    out.append("&&");
                }
                out.append(hex(num[b]));
                for (int i = 1; i < nnums[t]; i++) {
                    out.append(switch (op[b + i]) {
                        case AND -> "&";
                        case LEFTSH -> "<<";
                        case RIGHTSH -> ">>";
                        default -> "@";
                    });
                    out.append(hex(num[b + i]));
                }
                out.append('=');
                for (int j = 0; j < nvals[t]; j++) {
                    if (j > 0) {
                        out.append(',');
                    }
                    out.append(hex(min[b + j]));
                    if (min[b + j] != max[b + j]) {
                        out.append(':').append(hex(max[b + j]));
                    }
                }
            }
            out.append('"');
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " !" : "").append(" --u32");
            dump(out);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("u32").append(invert ? " !" : "");
            dump(out);
        }

        @Override
        public boolean matches(Skb skb) {
            return matchIt(skb) ^ invert;
        }

        /** u32_match_it; lengths and offsets are unsigned 32-bit, held in longs. */
        private boolean matchIt(Skb skb) {
            var pd = skb.pd;
            long len = pd.ipTotalLength > 0 ? Math.min(pd.length, pd.ipTotalLength) : pd.length;
            for (int t = 0; t < ntests; t++) {
                int b = t * SLOTS;
                long at = 0;
                long pos = num[b] & 0xffffffffL;
                if (len < 4 || pos > len - 4) {
                    return false;
                }
                int val = (int) HeaderBytes.u32(pd, (int) pos);
                for (int i = 1; i < nnums[t]; i++) {
                    int number = num[b + i];
                    switch (op[b + i]) {
                        case AND -> val &= number;
                        case LEFTSH -> val <<= number;
                        case RIGHTSH -> val >>>= number;
                        default -> {
                            long v = val & 0xffffffffL;
                            if (at + v > 0xffffffffL) {
                                return false;
                            }
                            at += v;
                            pos = number & 0xffffffffL;
                            if (at + 4 > 0xffffffffL || len < at + 4 || pos > len - at - 4) {
                                return false;
                            }
                            val = (int) HeaderBytes.u32(pd, (int) (at + pos));
                        }
                    }
                }
                int j = 0;
                for (; j < nvals[t]; j++) {
                    if (Integer.compareUnsigned(min[b + j], val) <= 0 && Integer.compareUnsigned(val, max[b + j]) <= 0) {
                        break;
                    }
                }
                if (j >= nvals[t]) {
                    return false;
                }
            }
            return true;
        }
    }
}
