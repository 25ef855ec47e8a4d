package io.stockade.ext.target;

import io.stockade.engine.CompilableTarget;
import io.stockade.engine.Emitter;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Chain;
import io.stockade.rules.Option;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Ruleset;
import io.stockade.rules.Table;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;
import java.util.Locale;

/**
 * {@code -j RATEEST --rateest-name NAME --rateest-interval T --rateest-ewmalog T}
 * (libxt_RATEEST / xt_RATEEST): times in s, ms or us (tc syntax); the interval is rounded up to
 * 2^n × 250 ms (n = -2..3) and the EWMA log derived from the time constant exactly as
 * {@code RATEEST_final_check}; save and {@code -L} print them back from those exponents
 * ("250.0ms"). Per packet (xt_rateest_tg) the packet's length and one packet are added to the
 * named {@link RateEstimator}, shared with every other RATEEST rule of that name and read by the
 * {@code rateest} match; the verdict is CONTINUE. checkentry refuses a second definition of a name
 * with other parameters ("Invalid argument"), as the kernel does.
 */
public final class RateestTarget implements TargetExtension {
    private static final int O_NAME = 0;
    private static final int O_INTERVAL = 1;
    private static final int O_EWMALOG = 2;
    private static final List<Option> OPTIONS = List.of(
            Option.value("rateest-name", O_NAME),
            Option.value("rateest-interval", O_INTERVAL),
            Option.value("rateest-ewmalog", O_EWMALOG));
    private static final double UNITS_PER_SEC = 1000000.0;

    @Override
    public String name() {
        return "RATEEST";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    private static final String INVALID_ARGUMENT = "Invalid argument. Run `dmesg' for more information.";

    /** Every RATEEST target of the ruleset (both families, every table), in table and chain order. */
    public static List<Spec> defined(Ruleset ruleset) {
        List<Spec> all = new java.util.ArrayList<>();
        for (Table t : ruleset.allTables()) {
            for (Chain c : t.chains()) {
                for (Rule r : c.rules()) {
                    if (r.target() instanceof RuleTarget.Extension x && x.spec() instanceof Spec s) {
                        all.add(s);
                    }
                }
            }
        }
        return all;
    }

    /** tc's get_time: microseconds, or -1. */
    static double time(String s) {
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            return -1;
        }
        double t;
        try {
            t = Double.parseDouble(s.substring(0, i));
        } catch (NumberFormatException e) {
            return -1;
        }
        return switch (s.substring(i).toLowerCase(Locale.ROOT)) {
            case "", "s", "sec", "secs" -> t * UNITS_PER_SEC;
            case "ms", "msec", "msecs" -> t * UNITS_PER_SEC / 1000;
            case "us", "usec", "usecs" -> t;
            default -> -1;
        };
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("RATEEST", OPTIONS);
            private String name;
            private double interval;
            private double ewmalog;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_NAME -> name = arg.length() > 15 ? arg.substring(0, 15) : arg; // IFNAMSIZ - 1, strncpy
                    default -> {
                        double t = time(arg);
                        if (t < 0) {
                            throw new ParameterProblem("RATEEST: bad " + (opt.id() == O_INTERVAL ? "interval" : "ewmalog")
                                    + " value \"" + arg + "\"");
                        }
                        if (opt.id() == O_INTERVAL) {
                            interval = t;
                        } else {
                            ewmalog = t;
                        }
                    }
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (name == null) {
                    throw TargetArgs.mustSpecify("RATEEST", "rateest-name");
                }
                int iv = 0;
                while (iv <= 5 && interval > (1 << iv) * (UNITS_PER_SEC / 4)) {
                    iv++;
                }
                if (iv > 5) {
                    throw new ParameterProblem("RATEEST: interval value is too large");
                }
                iv -= 2;
                int ewma = 1;
                for (; ewma < 32; ewma++) {
                    double w = 1.0 - 1.0 / (1L << ewma);
                    if (interval / (-Math.log(w)) > ewmalog) {
                        break;
                    }
                }
                ewma--;
                if (ewma == 0 || ewma >= 31) {
                    throw new ParameterProblem("RATEEST: ewmalog value is out of range");
                }
                return new Spec(name, iv, ewma);
            }
        };
    }

    /** The parsed target ({@code xt_rateest_target_info}): interval exponent and EWMA log. */
    public record Spec(String estimator, int interval, int ewmaLog) implements TargetSpec, CompilableTarget {
        @Override
        public String name() {
            return "RATEEST";
        }

        static String time(long us) {
            if (us >= 1000000) {
                return String.format(Locale.ROOT, "%.1fs", us / 1000000.0);
            }
            if (us >= 1000) {
                return String.format(Locale.ROOT, "%.1fms", us / 1000.0);
            }
            return us + "us";
        }

        private long intervalUs() {
            return (1000000L << (interval + 2)) / 4;
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --rateest-name ").append(estimator).append(" --rateest-interval ").append(time(intervalUs()))
                    .append(" --rateest-ewmalog ").append(time(intervalUs() << ewmaLog));
        }

        @Override
        public String check(CheckEnv env) {
            if (env.ruleset() == null) {
                return null;
            }
            for (Spec other : defined(env.ruleset())) {
                if (other.estimator.equals(estimator) && (other.interval != interval || other.ewmaLog != ewmaLog)) {
                    return INVALID_ARGUMENT;
                }
            }
            return null;
        }

        @Override
        public TargetAction compile(RuntimeState state) {
            RateEstimator est = state.shared(RateEstimator.KEY_PREFIX + estimator, RateEstimator::new);
            est.configure(interval, ewmaLog);
            return new TargetAction() {
                @Override
                public int execute(Skb skb, Emitter emitter) {
                    est.add(skb.timeNanos, skb.pd.ipTotalLength);
                    return Verdict.CONTINUE;
                }
            };
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("name ").append(estimator).append(" interval ").append(time(intervalUs()))
                    .append(" ewmalog ").append(time(intervalUs() << ewmaLog));
        }
    }
}
