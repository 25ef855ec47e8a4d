package io.stockade.ext.match;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m limit [--limit RATE[/second|/minute|/hour|/day]] [--limit-burst N]} (libxt_limit /
 * xt_limit): a token bucket in the kernel's units — the average period {@code avg} is
 * XT_LIMIT_SCALE (10000) × seconds per packet, credits are jiffies × CREDITS_PER_JIFFY, the bucket
 * starts full and refills on packet time. Default 3/hour, burst 5. The bucket lives in the
 * compiled rule: every ruleset commit starts a new one, as every table replacement re-runs the
 * kernel's checkentry.
 */
public final class LimitMatch extends XtOptMatch {
    static final int O_LIMIT = 0;
    static final int O_BURST = 1;
    /** XT_LIMIT_SCALE. */
    static final long SCALE = 10000;
    /** XT_LIMIT_AVG default: 3/hour. */
    static final long DEFAULT_AVG = SCALE * 60 * 60 / 3;
    static final int DEFAULT_BURST = 5;
    /** MAX_CPJ = 0xFFFFFFFF / (HZ*60*60*24), CREDITS_PER_JIFFY = POW2_BELOW32(MAX_CPJ). */
    static final long CREDITS_PER_JIFFY = Long.highestOneBit(0xFFFFFFFFL / (Jiffies.HZ * 60L * 60 * 24));

    public LimitMatch() {
        super("limit",
                entry("limit", O_LIMIT, Type.STRING, 0),
                entry("limit-burst", O_BURST, Type.UINT32, 0, 0, 10000));
    }

    /**
     * parse_rate: {@code N[/unit]} with a unit prefix of second/minute/hour/day; returns avg, or -1.
     */
    static long parseRate(String rate) throws ParameterProblem {
        int slash = rate.indexOf('/');
        long mult = 1;
        if (slash >= 0) {
            String u = rate.substring(slash + 1);
            if (u.isEmpty()) {
                return -1;
            } else if ("second".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 6) {
                mult = 1;
            } else if ("minute".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 6) {
                mult = 60;
            } else if ("hour".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 4) {
                mult = 60 * 60;
            } else if ("day".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 3) {
                mult = 24 * 60 * 60;
            } else {
                return -1;
            }
        }
        long r = atoi(slash < 0 ? rate : rate.substring(0, slash));
        if (r == 0) {
            return -1;
        }
        long avg = (SCALE * mult / r) & 0xffffffffL;
        if (avg == 0) {
            throw new ParameterProblem("Rate too fast \"" + rate + "\"");
        }
        return avg;
    }

    /** C atoi on the leading digits (after an optional sign), 32-bit wrapped, as unsigned. */
    static long atoi(String s) {
        int i = 0;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = (v * 10 + (s.charAt(i) - '0')) & 0xffffffffL;
            i++;
        }
        return (neg ? -v : v) & 0xffffffffL;
    }

    /** print_rate: the largest unit whose count is exact enough, e.g. " 3/hour". */
    static void appendRate(StringBuilder out, long avg) {
        if (avg == 0) {
            out.append("inf");
            return;
        }
        long[] mult = {SCALE * 24 * 60 * 60, SCALE * 60 * 60, SCALE * 60, SCALE};
        String[] names = {"day", "hour", "min", "sec"};
        int i;
        for (i = 1; i < mult.length; i++) {
            if (avg > mult[i] || mult[i] / avg < mult[i] % avg) {
                break;
            }
        }
        out.append(mult[i - 1] / avg).append('/').append(names[i - 1]);
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long avg = DEFAULT_AVG;
            private long burst = DEFAULT_BURST;

            @Override
            void parse(Call cb) throws ParameterProblem {
                if (cb.entry.id() == O_LIMIT) {
                    long a = parseRate(cb.arg);
                    if (a < 0) {
                        throw new ParameterProblem("bad rate \"" + cb.arg + "\"'");
                    }
                    avg = a;
                } else {
                    burst = cb.value;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(avg, burst);
            }
        };
    }

    /** user2credits: a period in XT_LIMIT_SCALE units to credits (u32 arithmetic). */
    static long user2credits(long user) {
        long hzCpj = Jiffies.HZ * CREDITS_PER_JIFFY;
        if (user > 0xFFFFFFFFL / hzCpj) {
            return ((user / SCALE) * hzCpj) & 0xffffffffL;
        }
        return ((user * hzCpj) & 0xffffffffL) / SCALE;
    }

    /**
     * The parsed match (struct xt_rateinfo's user part).
     *
     * @param avg   period per packet in 1/10000 s
     * @param burst bucket size in packets
     */
    public record Spec(long avg, long burst) implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "limit";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --limit ");
            appendRate(out, avg);
            if (burst != DEFAULT_BURST) {
                out.append(" --limit-burst ").append(burst);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("limit: avg ");
            appendRate(out, avg);
            out.append(" burst ").append(burst);
        }

        /** limit_mt_check: burst 0 or an overflowing avg × burst is ERANGE. */
        @Override
        public String check(CheckEnv env) {
            if (burst == 0 || user2credits((avg * burst) & 0xffffffffL) < user2credits(avg)) {
                return "Numerical result out of range.";
            }
            return null;
        }

        @Override
        public Matcher compile(RuntimeState state) {
            return new Bucket(user2credits((avg * burst) & 0xffffffffL), user2credits(avg));
        }
    }

    /** The per-rule bucket (xt_limit_priv + credit_cap/cost). Not thread-safe: one per worker. */
    static final class Bucket implements Matcher {
        private final long creditCap;
        private final long cost;
        private long credit;
        private long prev = Long.MIN_VALUE;

        Bucket(long creditCap, long cost) {
            this.creditCap = creditCap;
            this.cost = cost;
            this.credit = creditCap;
        }

        @Override
        public boolean matches(Skb skb) {
            long now = Jiffies.of(skb.timeNanos);
            if (prev == Long.MIN_VALUE) {
                // The kernel's bucket is full at insertion and stays capped until the first packet.
                prev = now;
            }
            long increase = ((now - prev) * CREDITS_PER_JIFFY) & 0xffffffffL;
            prev = now;
            long c = (credit + increase) & 0xffffffffL;
            if (c > creditCap) {
                c = creditCap;
            }
            boolean ret = c >= cost;
            if (ret) {
                c -= cost;
            }
            credit = c;
            return ret;
        }

        /** Credits left (for tests and introspection). */
        long credit() {
            return credit;
        }
    }
}
