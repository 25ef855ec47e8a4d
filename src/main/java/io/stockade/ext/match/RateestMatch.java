package io.stockade.ext.match;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.ext.target.RateEstimator;
import io.stockade.ext.target.RateestTarget;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.List;
import java.util.Locale;

/**
 * {@code -m rateest} (libxt_rateest / xt_rateest): compares the rates of a RATEEST estimator with
 * given rates ({@code --rateest NAME --rateest-lt --rateest-bps 8bit}, absolute mode) or with a
 * second estimator ({@code --rateest1 A --rateest-gt --rateest-pps --rateest2 B}, relative mode);
 * with {@code --rateest-delta} the given rates minus the estimates are compared instead
 * ({@code --rateest-bps1 R1 … --rateest-bps2 R2}). The rate after {@code --rateest-bps[12]} and
 * {@code --rateest-pps[12]} is an optional separate word ({@link Option.Arg#OPTIONAL_WORD}).
 *
 * <p>Rates are stored as bytes per second ({@code 8bit} = 1; tc suffixes, a bare number is bits);
 * save prints bits with iptables 1.8.9's suffixes (bit/Kbit/Mbit), {@code -L} too, {@code -nL}
 * the stored bytes. checkentry needs exactly one of absolute/relative, bps or pps, a mode
 * (else "Invalid argument") and the named estimators defined by RATEEST rules somewhere in the
 * ruleset (else "No chain/target/match by that name."). Per packet: the kernel's comparisons on
 * unsigned 32-bit values of the estimators' current rates ({@link RateEstimator}).
 */
public final class RateestMatch implements MatchExtension {
    static final int F_INVERT = 1;
    static final int F_ABS = 1 << 1;
    static final int F_REL = 1 << 2;
    static final int F_DELTA = 1 << 3;
    static final int F_BPS = 1 << 4;
    static final int F_PPS = 1 << 5;
    static final int MODE_NONE = 0;
    static final int MODE_EQ = 1;
    static final int MODE_LT = 2;
    static final int MODE_GT = 3;

    private static final int O_EST1 = 0;
    private static final int O_EST2 = 1;
    private static final int O_BPS1 = 2;
    private static final int O_PPS1 = 3;
    private static final int O_BPS2 = 4;
    private static final int O_PPS2 = 5;
    private static final int O_DELTA = 6;
    private static final int O_LT = 7;
    private static final int O_GT = 8;
    private static final int O_EQ = 9;
    private static final List<Option> OPTIONS = List.of(
            new Option("rateest1", Option.Arg.REQUIRED, true, O_EST1),
            new Option("rateest", Option.Arg.REQUIRED, true, O_EST1),
            new Option("rateest2", Option.Arg.REQUIRED, true, O_EST2),
            Option.optionalWord("rateest-bps1", true, O_BPS1),
            Option.optionalWord("rateest-pps1", true, O_PPS1),
            Option.optionalWord("rateest-bps2", true, O_BPS2),
            Option.optionalWord("rateest-pps2", true, O_PPS2),
            Option.optionalWord("rateest-bps", true, O_BPS2),
            Option.optionalWord("rateest-pps", true, O_PPS2),
            Option.invFlag("rateest-delta", O_DELTA),
            Option.invFlag("rateest-lt", O_LT),
            Option.invFlag("rateest-gt", O_GT),
            Option.invFlag("rateest-eq", O_EQ));

    /** Name arrays are IFNAMSIZ (16) bytes: strncpy keeps 15 characters. */
    static final int NAME_MAX = 15;

    @Override
    public String name() {
        return "rateest";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    /** tc's rate suffixes (case-insensitive) and their factor in bits. */
    private static final String[] SUFFIX = {"bit", "kibit", "kbit", "mibit", "mbit", "gibit", "gbit", "tibit",
        "tbit", "bps", "kibps", "kbps", "mibps", "mbps", "gibps", "gbps", "tibps", "tbps"};
    private static final double[] SCALE = {1., 1024., 1000., 1024. * 1024., 1000000., 1024. * 1024. * 1024.,
        1000000000., 1024. * 1024. * 1024. * 1024., 1000000000000., 8., 8. * 1024., 8000., 8. * 1024 * 1024,
        8000000., 8. * 1024. * 1024. * 1024., 8000000000., 8. * 1024. * 1024. * 1024. * 1024., 8000000000000.};

    /** rateest_get_rate: bytes per second as an unsigned 32-bit value, or -1. */
    static long rate(String s) {
        int i = 0;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return -1;
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            int k = j;
            while (k < s.length() && Character.isDigit(s.charAt(k))) {
                k++;
            }
            if (k > j) {
                i = k;
            }
        }
        double v = Double.parseDouble(s.substring(0, i));
        String suffix = s.substring(i).toLowerCase(Locale.ROOT);
        double scale;
        if (suffix.isEmpty()) {
            scale = 1.;
        } else {
            scale = -1;
            for (int n = 0; n < SUFFIX.length; n++) {
                if (SUFFIX[n].equals(suffix)) {
                    scale = SCALE[n];
                    break;
                }
            }
            if (scale < 0) {
                return -1;
            }
        }
        return ((long) (v * scale / 8.)) & 0xffffffffL;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int seen;
            private boolean rateSinceMode;
            private String name1 = "";
            private String name2 = "";
            private int flags;
            private int mode = MODE_NONE;
            private long bps1;
            private long pps1;
            private long bps2;
            private long pps2;

            private void once(int id, String what) throws ParameterProblem {
                if ((seen & (1 << id)) != 0) {
                    throw new ParameterProblem("rateest: can't specify " + what + " twice");
                }
                seen |= 1 << id;
            }

            private static void notInverted(boolean inverted, String what) throws ParameterProblem {
                if (inverted) {
                    throw new ParameterProblem("rateest: " + what + " can't be inverted");
                }
            }

            private static String name(String arg) {
                return arg.length() > NAME_MAX ? arg.substring(0, NAME_MAX) : arg;
            }

            private static long pps(String arg) throws ParameterProblem {
                long v = XtOptMatch.strictUint(arg, 0, 0xffffffffL);
                if (v < 0) {
                    throw new ParameterProblem("rateest: could not parse pps `" + arg + "'");
                }
                return v;
            }

            private static long bps(String arg) throws ParameterProblem {
                long v = rate(arg);
                if (v < 0) {
                    throw new ParameterProblem("rateest: could not parse rate `" + arg + "'");
                }
                return v;
            }

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                switch (opt.id()) {
                    case O_EST1 -> {
                        notInverted(inverted, "rateest");
                        once(O_EST1, "--rateest1");
                        name1 = name(arg);
                    }
                    case O_EST2 -> {
                        notInverted(inverted, "rateest");
                        once(O_EST2, "--rateest2");
                        name2 = name(arg);
                        flags |= F_REL;
                    }
                    case O_BPS1, O_BPS2 -> {
                        notInverted(inverted, "rateest-bps");
                        once(opt.id(), opt.id() == O_BPS1 ? "--rateest-bps1" : "--rateest-bps2");
                        flags |= F_BPS;
                        rateSinceMode = true;
                        if (arg != null) {
                            if (opt.id() == O_BPS1) {
                                bps1 = bps(arg);
                            } else {
                                bps2 = bps(arg);
                            }
                        }
                    }
                    case O_PPS1, O_PPS2 -> {
                        notInverted(inverted, "rateest-pps");
                        once(opt.id(), opt.id() == O_PPS1 ? "--rateest-pps1" : "--rateest-pps2");
                        flags |= F_PPS;
                        rateSinceMode = true;
                        if (arg != null) {
                            if (opt.id() == O_PPS1) {
                                pps1 = pps(arg);
                            } else {
                                pps2 = pps(arg);
                            }
                        }
                    }
                    case O_DELTA -> {
                        notInverted(inverted, "rateest-delta");
                        once(O_DELTA, "--rateest-delta");
                        flags |= F_DELTA;
                    }
                    default -> {
                        if ((seen & (1 << opt.id())) != 0 && rateSinceMode) {
                            // LINUX-DIFF: iptables 1.8.9 saves a bps-and-pps rule with its mode twice
                            // ("--rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit --rateest-pps1 3
                            // --rateest-lt …") and then refuses to read that line back; a repeat after a
                            // rate option is accepted here so that save output restores.
                            seen &= ~(1 << opt.id());
                        }
                        once(opt.id(), "lt/gt/eq");
                        rateSinceMode = false;
                        mode = opt.id() == O_EQ ? MODE_EQ : opt.id() == O_LT ? MODE_LT : MODE_GT;
                        if (inverted) {
                            flags |= F_INVERT;
                        }
                    }
                }
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                int f = flags;
                if ((f & F_REL) == 0) {
                    f |= F_ABS;
                }
                return new Spec(name1, name2, f, mode, bps1, pps1, bps2, pps2);
            }
        };
    }

    /**
     * The parsed match ({@code struct xt_rateest_match_info} up to its kernel pointers): rates in
     * bytes per second and packets per second, unsigned 32-bit.
     */
    public record Spec(String name1, String name2, int flags, int mode, long bps1, long pps1, long bps2, long pps2)
            implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "rateest";
        }

        private boolean has(int f) {
            return (flags & f) != 0;
        }

        private static void rate(StringBuilder out, long rate, boolean numeric) {
            if (numeric) {
                out.append(' ').append(rate);
                return;
            }
            double bits = (double) rate * 8;
            if (bits >= 1000.0 * 1000000.0) {
                out.append(String.format(Locale.ROOT, " %.0fMbit", bits / 1000000.0));
            } else if (bits >= 1000.0 * 1000.0) {
                out.append(String.format(Locale.ROOT, " %.0fKbit", bits / 1000.0));
            } else {
                out.append(String.format(Locale.ROOT, " %.0fbit", bits));
            }
        }

        private void mode(StringBuilder out, String prefix) {
            if (has(F_INVERT)) {
                out.append(" !");
            }
            out.append(' ').append(prefix).append(switch (mode) {
                case MODE_EQ -> "eq";
                case MODE_LT -> "lt";
                case MODE_GT -> "gt";
                default -> "none";
            });
        }

        @Override
        public void save(StringBuilder out) {
            if (has(F_DELTA)) {
                out.append(" --rateest-delta");
            }
            out.append(has(F_REL) ? " --rateest1 " : " --rateest ").append(name1);
            if (has(F_BPS)) {
                if (has(F_DELTA)) {
                    out.append(" --rateest-bps1");
                    rate(out, bps1, false);
                }
                mode(out, "--rateest-");
                if (has(F_DELTA)) {
                    out.append(" --rateest-bps2");
                    rate(out, bps2, false);
                } else {
                    out.append(" --rateest-bps");
                    if (!has(F_REL)) {
                        rate(out, bps2, false);
                    }
                }
            }
            if (has(F_PPS)) {
                if (has(F_DELTA)) {
                    out.append(" --rateest-pps1 ").append(pps1);
                }
                mode(out, "--rateest-");
                if (has(F_DELTA)) {
                    out.append(" --rateest-pps2 ").append(pps2);
                } else {
                    out.append(" --rateest-pps");
                    if (!has(F_REL)) {
                        out.append(' ').append(pps2);
                    }
                }
            }
            if (has(F_REL)) {
                out.append(" --rateest2 ").append(name2);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("rateest match ").append(name1);
            if (has(F_DELTA)) {
                out.append(" delta");
            }
            if (has(F_BPS)) {
                out.append(" bps");
                if (has(F_DELTA)) {
                    rate(out, bps1, numeric);
                }
                if (has(F_ABS)) {
                    rate(out, bps2, numeric);
                    mode(out, "");
                }
            }
            if (has(F_PPS)) {
                out.append(" pps");
                if (has(F_DELTA)) {
                    out.append(' ').append(pps1);
                }
                if (has(F_ABS)) {
                    mode(out, "");
                    out.append(' ').append(pps2);
                }
            }
            if (has(F_REL)) {
                mode(out, "");
                out.append(' ').append(name2);
                if (has(F_BPS)) {
                    out.append(" bps");
                    if (has(F_DELTA)) {
                        rate(out, bps2, numeric);
                    }
                }
                if (has(F_PPS)) {
                    out.append(" pps");
                    if (has(F_DELTA)) {
                        out.append(' ').append(pps2);
                    }
                }
            }
        }

        @Override
        public String check(CheckEnv env) {
            if (Integer.bitCount(flags & (F_ABS | F_REL)) != 1 || (flags & (F_BPS | F_PPS)) == 0
                    || mode == MODE_NONE) {
                return "Invalid argument. Run `dmesg' for more information.";
            }
            if (env.ruleset() == null) {
                return null;
            }
            boolean found1 = false;
            boolean found2 = !has(F_REL);
            for (RateestTarget.Spec t : RateestTarget.defined(env.ruleset())) {
                found1 |= t.estimator().equals(name1);
                found2 |= t.estimator().equals(name2);
            }
            return found1 && found2 ? null : "No chain/target/match by that name.";
        }

        @Override
        public Matcher compile(RuntimeState state) {
            RateEstimator e1 = state.shared(RateEstimator.KEY_PREFIX + name1, RateEstimator::new);
            RateEstimator e2 = has(F_REL) ? state.shared(RateEstimator.KEY_PREFIX + name2, RateEstimator::new) : null;
            int f = flags;
            int m = mode;
            long b1 = bps1;
            long p1 = pps1;
            long b2 = bps2;
            long p2 = pps2;
            return new Matcher() {
                @Override
                public boolean matches(Skb skb) {
                    return evaluate(f, m, b1, p1, b2, p2, e1.bps(skb.timeNanos), e1.pps(skb.timeNanos),
                            e2 == null ? 0 : e2.bps(skb.timeNanos), e2 == null ? 0 : e2.pps(skb.timeNanos));
                }
            };
        }
    }

    /**
     * xt_rateest_mt on given estimates ({@code sb1}/{@code sp1} of the first estimator, {@code sb2}/
     * {@code sp2} of the second in relative mode): the kernel's u32 comparisons.
     */
    static boolean evaluate(int flags, int mode, long bps1, long pps1, long bps2, long pps2, long sb1, long sp1,
                            long sb2, long sp2) {
        long b1;
        long p1;
        long b2;
        long p2;
        if ((flags & F_DELTA) != 0) {
            b1 = Long.compareUnsigned(bps1, sb1) >= 0 ? (bps1 - sb1) & 0xffffffffL : 0;
            p1 = Long.compareUnsigned(pps1, sp1) >= 0 ? (pps1 - sp1) & 0xffffffffL : 0;
        } else {
            b1 = sb1 & 0xffffffffL;
            p1 = sp1 & 0xffffffffL;
        }
        if ((flags & F_ABS) != 0) {
            b2 = bps2;
            p2 = pps2;
        } else if ((flags & F_DELTA) != 0) {
            b2 = Long.compareUnsigned(bps2, sb2) >= 0 ? (bps2 - sb2) & 0xffffffffL : 0;
            p2 = Long.compareUnsigned(pps2, sp2) >= 0 ? (pps2 - sp2) & 0xffffffffL : 0;
        } else {
            b2 = sb2 & 0xffffffffL;
            p2 = sp2 & 0xffffffffL;
        }
        boolean bps = (flags & F_BPS) != 0;
        boolean pps = (flags & F_PPS) != 0;
        boolean ret = true;
        switch (mode) {
            case MODE_LT -> {
                ret &= !bps || b1 < b2;
                ret &= !pps || p1 < p2;
            }
            case MODE_GT -> {
                ret &= !bps || b1 > b2;
                ret &= !pps || p1 > p2;
            }
            case MODE_EQ -> {
                ret &= !bps || b1 == b2;
                ret &= !pps || p1 == p2;
            }
            default -> {
            }
        }
        return ret != ((flags & F_INVERT) != 0);
    }
}
