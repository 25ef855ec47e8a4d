package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * {@code -m time} (libxt_time / xt_time): {@code --datestart/--datestop YYYY[-MM[-DD[Thh[:mm[:ss]]]]]},
 * {@code --timestart/--timestop hh:mm[:ss]}, {@code [!] --weekdays}, {@code [!] --monthdays},
 * {@code --kerneltz} (else UTC), {@code --contiguous}; evaluated on the packet time
 * ({@code Skb.timeNanos}). With {@code --kerneltz} the kernel's timezone ({@link #kernelTzMinutesWest},
 * like sys_tz, normally 0) shifts the clock.
 */
public final class TimeMatch extends XtOptMatch {
    static final int O_DATE_START = 0;
    static final int O_DATE_STOP = 1;
    static final int O_TIME_START = 2;
    static final int O_TIME_STOP = 3;
    static final int O_MONTHDAYS = 4;
    static final int O_WEEKDAYS = 5;
    static final int O_LOCAL_TZ = 6;
    static final int O_UTC = 7;
    static final int O_KERNEL_TZ = 8;
    static final int O_CONTIGUOUS = 9;
    static final long MAX_DAYTIME = 24 * 60 * 60 - 1;
    static final long ALL_MONTHDAYS = 0xFFFFFFFEL;
    static final int ALL_WEEKDAYS = 0xFE;
    static final long DATE_MAX = Integer.MAX_VALUE;
    static final int LOCAL_TZ = 1;
    static final int CONTIGUOUS = 2;
    static final String[] WEEK_DAYS = {null, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

    /** sys_tz.tz_minuteswest of the modelled kernel (used with --kerneltz). */
    public static volatile int kernelTzMinutesWest = 0;

    public TimeMatch() {
        super("time",
                entry("datestart", O_DATE_START, Type.STRING, 0),
                entry("datestop", O_DATE_STOP, Type.STRING, 0),
                entry("timestart", O_TIME_START, Type.STRING, 0),
                entry("timestop", O_TIME_STOP, Type.STRING, 0),
                entry("monthdays", O_MONTHDAYS, Type.STRING, INVERT),
                entry("weekdays", O_WEEKDAYS, Type.STRING, INVERT),
                new Entry("localtz", O_LOCAL_TZ, Type.NONE, 0, 0, 0, 1 << O_UTC, 0),
                new Entry("utc", O_UTC, Type.NONE, 0, 0, 0, (1 << O_LOCAL_TZ) | (1 << O_KERNEL_TZ), 0),
                new Entry("kerneltz", O_KERNEL_TZ, Type.NONE, 0, 0, 0, 1 << O_UTC, 0),
                entry("contiguous", O_CONTIGUOUS, Type.NONE, 0));
    }

    static long parseDate(String s) throws ParameterProblem {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(\\d{4})(?:-(\\d{1,2})(?:-(\\d{1,2})(?:T(\\d{1,2})(?::(\\d{1,2})(?::(\\d{1,2}))?)?)?)?)?")
                .matcher(s);
        try {
            if (m.matches()) {
                LocalDateTime t = LocalDateTime.of(Integer.parseInt(m.group(1)), grp(m, 2, 1), grp(m, 3, 1),
                        grp(m, 4, 0), grp(m, 5, 0), grp(m, 6, 0));
                long e = t.toEpochSecond(ZoneOffset.UTC);
                if (e >= 0 && e <= DATE_MAX) {
                    return e;
                }
            }
        } catch (java.time.DateTimeException e) {
            // fall through to the error
        }
        throw new ParameterProblem("Invalid date \"" + s + "\" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]");
    }

    private static int grp(java.util.regex.Matcher m, int g, int dflt) {
        return m.group(g) == null ? dflt : Integer.parseInt(m.group(g));
    }

    static long parseTime(String s) throws ParameterProblem {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2}))?").matcher(s);
        if (m.matches()) {
            int h = Integer.parseInt(m.group(1));
            int mi = Integer.parseInt(m.group(2));
            int se = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            if (h <= 23 && mi <= 59 && se <= 59) {
                return h * 3600L + mi * 60L + se;
            }
        }
        throw new ParameterProblem("invalid time \"" + s
                + "\" specified, should be hh:mm[:ss] format and within the boundaries");
    }

    static int parseWeekdays(String s) throws ParameterProblem {
        int mask = 0;
        for (String t : s.split(",", -1)) {
            int d = -1;
            long n = strictUint(t, 1, 7);
            if (n > 0) {
                d = (int) n;
            } else {
                for (int i = 1; i <= 7; i++) {
                    if (WEEK_DAYS[i].equals(t)) {
                        d = i;
                    }
                }
            }
            if (d < 0) {
                throw new ParameterProblem(t + " is not a valid day specifier");
            }
            mask |= 1 << d;
        }
        return mask;
    }

    static long parseMonthdays(String s) throws ParameterProblem {
        long mask = 0;
        for (String t : s.split(",", -1)) {
            long n = strictUint(t, 1, 31);
            if (n < 0) {
                throw new ParameterProblem(t + " is not a valid day for --monthdays");
            }
            mask |= 1L << n;
        }
        return mask;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long dateStart;
            private long dateStop = DATE_MAX;
            private long timeStart;
            private long timeStop = MAX_DAYTIME;
            private long monthdays = ALL_MONTHDAYS;
            private int weekdays = ALL_WEEKDAYS;
            private int flags;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_DATE_START -> dateStart = parseDate(cb.arg);
                    case O_DATE_STOP -> dateStop = parseDate(cb.arg);
                    case O_TIME_START -> timeStart = parseTime(cb.arg);
                    case O_TIME_STOP -> timeStop = parseTime(cb.arg);
                    case O_MONTHDAYS -> {
                        monthdays = parseMonthdays(cb.arg);
                        if (cb.invert) {
                            monthdays = ~monthdays & ALL_MONTHDAYS;
                        }
                    }
                    case O_WEEKDAYS -> {
                        weekdays = parseWeekdays(cb.arg);
                        if (cb.invert) {
                            weekdays = ~weekdays & ALL_WEEKDAYS;
                        }
                    }
                    case O_LOCAL_TZ, O_KERNEL_TZ -> flags |= LOCAL_TZ;
                    case O_UTC -> flags &= ~LOCAL_TZ;
                    case O_CONTIGUOUS -> flags |= CONTIGUOUS;
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(dateStart, dateStop, timeStart, timeStop, monthdays, weekdays, flags);
            }
        };
    }

    static String daytime(long s) {
        return String.format("%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    static String date(long epoch, char sep) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epoch, 0, ZoneOffset.UTC);
        return String.format("%04d-%02d-%02d%c%02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(), sep,
                t.getHour(), t.getMinute(), t.getSecond());
    }

    /** The parsed match (struct xt_time_info). */
    public record Spec(long dateStart, long dateStop, long timeStart, long timeStop, long monthdays, int weekdays,
            int flags) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "time";
        }

        private void weekdayList(StringBuilder out) {
            boolean first = true;
            for (int d = 1; d <= 7; d++) {
                if ((weekdays & (1 << d)) != 0) {
                    out.append(first ? "" : ",").append(WEEK_DAYS[d]);
                    first = false;
                }
            }
        }

        private void monthdayList(StringBuilder out, boolean human) {
            boolean first = true;
            for (int d = 1; d <= 31; d++) {
                if ((monthdays & (1L << d)) != 0) {
                    out.append(first ? "" : ",").append(d);
                    if (human) {
                        // the suffix follows the last digit only, as iptables prints it (11st, 12nd, 13rd)
                        out.append(switch (d % 10) {
                            case 1 -> "st";
                            case 2 -> "nd";
                            case 3 -> "rd";
                            default -> "th";
                        });
                    }
                    first = false;
                }
            }
        }

        @Override
        public void save(StringBuilder out) {
            if (timeStart != 0 || timeStop != MAX_DAYTIME) {
                out.append(" --timestart ").append(daytime(timeStart)).append(" --timestop ").append(daytime(timeStop));
            }
            if (monthdays != ALL_MONTHDAYS) {
                out.append(" --monthdays ");
                monthdayList(out, false);
            }
            if (weekdays != ALL_WEEKDAYS) {
                out.append(" --weekdays ");
                weekdayList(out);
            }
            if (dateStart != 0) {
                out.append(" --datestart ").append(date(dateStart, 'T'));
            }
            // As iptables 1.8.9, the default --datestop (INT_MAX) is printed too.
            if (dateStop != 0) {
                out.append(" --datestop ").append(date(dateStop, 'T'));
            }
            if ((flags & LOCAL_TZ) != 0) {
                out.append(" --kerneltz");
            }
            if ((flags & CONTIGUOUS) != 0) {
                out.append(" --contiguous");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("TIME");
            if (timeStart != 0 || timeStop != MAX_DAYTIME) {
                out.append(" from ").append(daytime(timeStart)).append(" to ").append(daytime(timeStop));
            }
            if (weekdays != ALL_WEEKDAYS) {
                out.append(" on ");
                weekdayList(out);
            }
            if (monthdays != ALL_MONTHDAYS) {
                out.append(" on ");
                monthdayList(out, true);
            }
            if (dateStart != 0) {
                out.append(" starting from ").append(date(dateStart, ' '));
            }
            if (dateStop != DATE_MAX) {
                out.append(" until date ").append(date(dateStop, ' '));
            }
            if ((flags & LOCAL_TZ) == 0) {
                out.append(" UTC");
            }
            if ((flags & CONTIGUOUS) != 0) {
                out.append(" contiguous");
            }
        }

        /** time_mt_check: --contiguous needs a range that wraps midnight. */
        @Override
        public String check(CheckEnv env) {
            if ((flags & CONTIGUOUS) != 0 && timeStart < timeStop) {
                return Xt.EINVAL;
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            long stamp = Math.floorDiv(skb.timeNanos, 1_000_000_000L);
            if ((flags & LOCAL_TZ) != 0) {
                stamp -= 60L * kernelTzMinutesWest;
            }
            if (stamp < dateStart || stamp > dateStop) {
                return false;
            }
            long packetTime = Math.floorMod(stamp, 86400L);
            if (timeStart < timeStop) {
                if (packetTime < timeStart || packetTime > timeStop) {
                    return false;
                }
            } else {
                if (packetTime < timeStart && packetTime > timeStop) {
                    return false;
                }
                if ((flags & CONTIGUOUS) != 0 && packetTime <= timeStop) {
                    stamp -= 86400L;
                }
            }
            long days = Math.floorDiv(stamp, 86400L);
            int weekday = (int) Math.floorMod(4 + days, 7L);
            if (weekday == 0) {
                weekday = 7;
            }
            if ((weekdays & (1 << weekday)) == 0) {
                return false;
            }
            if (monthdays != ALL_MONTHDAYS) {
                return (monthdays & (1L << dayOfMonth(days))) != 0;
            }
            return true;
        }

        /** The day of the month of a day number since 1970-01-01 (civil-from-days, no allocation). */
        static int dayOfMonth(long z) {
            z += 719468;
            long era = Math.floorDiv(z, 146097L);
            long doe = z - era * 146097;
            long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long mp = (5 * doy + 2) / 153;
            return (int) (doy - (153 * mp + 2) / 5 + 1);
        }
    }
}
