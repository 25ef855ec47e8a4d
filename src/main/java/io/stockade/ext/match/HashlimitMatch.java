package io.stockade.ext.match;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m hashlimit} (libxt_hashlimit revision 3 / xt_hashlimit): per-key token buckets —
 * {@code --hashlimit-upto|--hashlimit-above RATE} (packets {@code N/sec|min|hour|day} or bytes
 * {@code N[k|m]b/s}), {@code --hashlimit-burst}, {@code --hashlimit-mode
 * srcip,srcport,dstip,dstport}, {@code --hashlimit-srcmask/--hashlimit-dstmask},
 * {@code --hashlimit-name}, the {@code --hashlimit-htable-*} settings and
 * {@code --hashlimit-rate-match/--hashlimit-rate-interval}. Buckets live in a
 * {@link HashlimitTable} shared by name.
 */
public final class HashlimitMatch extends XtOptMatch {
    static final int O_UPTO = 0;
    static final int O_ABOVE = 1;
    static final int O_MODE = 3;
    static final int O_SRCMASK = 4;
    static final int O_DSTMASK = 5;
    static final int O_NAME = 6;
    static final int O_BURST = 7;
    static final int O_SIZE = 8;
    static final int O_MAX = 9;
    static final int O_GCINT = 10;
    static final int O_EXPIRE = 11;
    static final int O_RATEMATCH = 12;
    static final int O_INTERVAL = 13;

    /** XT_HASHLIMIT_* mode bits. */
    public static final int HASH_DIP = 1;
    public static final int HASH_DPT = 2;
    public static final int HASH_SIP = 4;
    public static final int HASH_SPT = 8;
    public static final int INVERT = 0x10;
    public static final int BYTES = 0x20;
    public static final int RATE_MATCH = 0x40;
    static final int BYTE_SHIFT = 4;
    static final long BURST_MAX = 1000000;
    static final long GCINTERVAL = 1000;
    static final long BYTE_EXPIRE = 15;
    static final long BYTE_EXPIRE_BURST = 60;

    public HashlimitMatch() {
        super("hashlimit",
                new Entry("hashlimit-upto", O_UPTO, Type.STRING, XtOptMatch.INVERT, 0, 0, 1 << O_ABOVE, 0),
                new Entry("hashlimit-above", O_ABOVE, Type.STRING, XtOptMatch.INVERT, 0, 0, 1 << O_UPTO, 0),
                new Entry("hashlimit", O_UPTO, Type.STRING, XtOptMatch.INVERT, 0, 0, 1 << O_ABOVE, 0),
                entry("hashlimit-srcmask", O_SRCMASK, Type.UINT8, 0, 0, 128),
                entry("hashlimit-dstmask", O_DSTMASK, Type.UINT8, 0, 0, 128),
                entry("hashlimit-burst", O_BURST, Type.STRING, 0),
                entry("hashlimit-htable-size", O_SIZE, Type.UINT32, 0),
                entry("hashlimit-htable-max", O_MAX, Type.UINT32, 0),
                entry("hashlimit-htable-gcinterval", O_GCINT, Type.UINT32, 0),
                entry("hashlimit-htable-expire", O_EXPIRE, Type.UINT32, 0),
                entry("hashlimit-mode", O_MODE, Type.STRING, 0),
                entry("hashlimit-name", O_NAME, Type.STRING, MAND),
                entry("hashlimit-rate-match", O_RATEMATCH, Type.NONE, 0),
                entry("hashlimit-rate-interval", O_INTERVAL, Type.STRING, 0));
    }

    static long costToBytes(long cost) {
        long r = cost != 0 ? Long.divideUnsigned(0xffffffffL, cost) : 0xffffffffL;
        return (r - 1) << BYTE_SHIFT;
    }

    static long bytesToCost(long bytes) {
        long r = (bytes >>> BYTE_SHIFT) & 0xffffffffL;
        return 0xffffffffL / (r + 1);
    }

    private static long factor(char c) {
        return c == 'm' ? 1024 * 1024 : c == 'k' ? 1024 : 1;
    }

    /** atoll on the leading digits. */
    private static long atoll(String s) {
        long v = 0;
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        return v;
    }

    private static ParameterProblem burstError() {
        return new ParameterProblem("bad value for option \"--hashlimit-burst\", or out of range (1-" + BURST_MAX + ").");
    }

    @Override
    protected State newState(ParseEnv env) {
        Family fam = env.family();
        return new State() {
            private long avg;
            private long burst = 5;
            private int mode;
            private int srcmask = fam.addressBits;
            private int dstmask = fam.addressBits;
            private long size;
            private long max;
            private long gc = GCINTERVAL;
            private long expire;
            private long interval;
            private long mult = 1;
            private String name;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_UPTO, O_ABOVE -> {
                        boolean above = cb.entry.id() == O_ABOVE;
                        if (above != cb.invert) {
                            mode |= INVERT;
                        }
                        if (!parseBytes(cb.arg) && !parseRate(cb.arg)) {
                            throw new ParameterProblem("hashlimit: Bad value for \"--" + cb.entry.name()
                                    + "\" option: \"" + cb.arg + "\"");
                        }
                    }
                    case O_BURST -> burst = parseBurst(cb.arg);
                    case O_MODE -> {
                        for (String tok : cb.arg.split("[,|]")) {
                            switch (tok) {
                                case "" -> {
                                }
                                case "dstip" -> mode |= HASH_DIP;
                                case "srcip" -> mode |= HASH_SIP;
                                case "srcport" -> mode |= HASH_SPT;
                                case "dstport" -> mode |= HASH_DPT;
                                default -> throw new ParameterProblem(
                                        "hashlimit: Bad value for \"--hashlimit-mode\" option: \"" + cb.arg + "\"");
                            }
                        }
                    }
                    case O_SRCMASK -> srcmask = (int) cb.value;
                    case O_DSTMASK -> dstmask = (int) cb.value;
                    case O_NAME -> {
                        if (cb.arg.isEmpty() || cb.arg.length() > 254) {
                            throw new ParameterProblem("hashlimit: option \"--hashlimit-name\" needs 1-254 characters");
                        }
                        name = cb.arg;
                    }
                    case O_SIZE -> size = cb.value;
                    case O_MAX -> max = cb.value;
                    case O_GCINT -> gc = cb.value;
                    case O_EXPIRE -> expire = cb.value;
                    case O_RATEMATCH -> mode |= RATE_MATCH;
                    case O_INTERVAL -> {
                        long r = LimitMatch.atoi(cb.arg);
                        if ((int) r <= 0) {
                            throw new ParameterProblem("hashlimit: Bad value for \"--hashlimit-rate-interval\" option: \""
                                    + cb.arg + "\"");
                        }
                        interval = r;
                    }
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            private boolean parseBytes(String rate) throws ParameterProblem {
                int at = rate.indexOf("b/s");
                if (at <= 0) {
                    return false;
                }
                long r = atoll(rate);
                if (r == 0) {
                    return false;
                }
                long tmp = r * factor(rate.charAt(at - 1));
                long cost = bytesToCost(tmp);
                if (cost == 0) {
                    throw new ParameterProblem("Rate too high \"" + rate + "\"");
                }
                mult = BYTE_EXPIRE;
                avg = cost;
                mode |= BYTES;
                return true;
            }

            private boolean parseRate(String rate) throws ParameterProblem {
                mult = 1;
                int slash = rate.indexOf('/');
                if (slash >= 0) {
                    String u = rate.substring(slash + 1);
                    if (u.isEmpty()) {
                        return false;
                    } else if ("second".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 6) {
                        mult = 1;
                    } else if ("minute".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 6) {
                        mult = 60;
                    } else if ("hour".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 4) {
                        mult = 3600;
                    } else if ("day".regionMatches(true, 0, u, 0, u.length()) && u.length() <= 3) {
                        mult = 86400;
                    } else {
                        return false;
                    }
                }
                long r = atoll(rate);
                if (r == 0) {
                    return false;
                }
                long tmp = HashlimitTable.SCALE_V2 * mult / r;
                if (tmp == 0) {
                    throw new ParameterProblem("Rate too fast \"" + rate + "\"");
                }
                avg = tmp;
                mode &= ~BYTES;
                return true;
            }

            private long parseBurst(String s) throws ParameterProblem {
                int i = 0;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                long v = i == 0 || i > 18 ? -1 : Long.parseLong(s.substring(0, i));
                if (v < 1 || (i == s.length() && v > BURST_MAX)) {
                    throw burstError();
                }
                return v * (i < s.length() ? factor(s.charAt(i)) : 1);
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if ((xflags & ((1 << O_UPTO) | (1 << O_ABOVE))) == 0) {
                    throw new ParameterProblem("You have to specify --hashlimit");
                }
                long exp = (xflags & (1 << O_EXPIRE)) != 0 ? expire : mult * 1000;
                long b = burst;
                if ((mode & BYTES) != 0) {
                    long bb = 0;
                    if ((xflags & (1 << O_BURST)) != 0) {
                        long unit = costToBytes(avg);
                        if (burst < unit) {
                            throw new ParameterProblem("burst cannot be smaller than " + unit + "b");
                        }
                        bb = (burst / unit) & 0xffffffffL;
                        if (burst % unit != 0) {
                            bb++;
                        }
                        if ((xflags & (1 << O_EXPIRE)) == 0) {
                            exp = BYTE_EXPIRE_BURST * 1000;
                        }
                    }
                    b = bb;
                } else if (burst > BURST_MAX) {
                    throw burstError();
                }
                long a = avg;
                long iv = interval;
                if ((xflags & (1 << O_RATEMATCH)) != 0) {
                    if ((mode & BYTES) == 0) {
                        a /= mult;
                    }
                    if (iv == 0) {
                        iv = (mode & BYTES) != 0 ? 1 : mult;
                    }
                }
                return new Spec(fam, a, b, mode, srcmask, dstmask, size, max, gc, exp, iv, name);
            }
        };
    }

    /** print_rate (revision 3): appends " N/unit" and returns the unit in ms. */
    static long appendRate(StringBuilder out, long period) {
        if (period == 0) {
            out.append(" inf");
            return 0;
        }
        long s = HashlimitTable.SCALE_V2;
        long[] mult = {s * 86400, s * 3600, s * 60, s};
        String[] names = {"day", "hour", "min", "sec"};
        int i;
        for (i = 1; i < mult.length; i++) {
            if (period > mult[i] || mult[i] / period < mult[i] % period) {
                break;
            }
        }
        out.append(' ').append(mult[i - 1] / period).append('/').append(names[i - 1]);
        return mult[i - 1] / s * 1000;
    }

    /** print_bytes: appends " Nkb/s" and the burst; returns the default expire in ms. */
    static long appendBytes(StringBuilder out, long avg, long burst, String prefix) {
        long[] thresh = {1024 * 1024, 1024, 1};
        String[] unit = {"m", "k", ""};
        long r = costToBytes(avg);
        int i;
        for (i = 0; i < 2; i++) {
            if (r >= thresh[i] && bytesToCost(r & ~(thresh[i] - 1)) == avg) {
                break;
            }
        }
        out.append(' ').append(r / thresh[i]).append(unit[i]).append("b/s");
        if (burst == 0) {
            return BYTE_EXPIRE * 1000;
        }
        r *= burst;
        out.append(' ').append(prefix);
        for (i = 0; i < 2; i++) {
            if (r >= thresh[i]) {
                break;
            }
        }
        out.append("burst ").append(r / thresh[i]).append(unit[i]).append('b');
        return BYTE_EXPIRE_BURST * 1000;
    }

    static void appendMode(StringBuilder out, int mode, char sep) {
        out.append(' ');
        boolean prev = false;
        String[] names = {"srcip", "srcport", "dstip", "dstport"};
        int[] bits = {HASH_SIP, HASH_SPT, HASH_DIP, HASH_DPT};
        for (int i = 0; i < 4; i++) {
            if ((mode & bits[i]) != 0) {
                if (prev) {
                    out.append(sep);
                }
                out.append(names[i]);
                prev = true;
            }
        }
    }

    /**
     * The parsed match (struct hashlimit_cfg3 and the table name).
     *
     * @param avg    period in 1/1000000 s per packet, or the byte cost in byte mode
     * @param expire idle time before a key is removed, ms
     */
    public record Spec(Family family, long avg, long burst, int mode, int srcmask, int dstmask, long size, long max,
            long gcInterval, long expire, long interval, String tableName) implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "hashlimit";
        }

        private void dump(StringBuilder out, boolean save) {
            String p = save ? "--hashlimit-" : "";
            out.append((mode & INVERT) != 0 ? (save ? " --hashlimit-above" : " limit: above")
                    : (save ? " --hashlimit-upto" : " limit: up to"));
            long quantum;
            if ((mode & BYTES) != 0) {
                quantum = appendBytes(out, avg, burst, p);
            } else {
                long period = avg;
                if (!save && interval != 0) {
                    period *= interval;
                }
                quantum = appendRate(out, period);
                out.append(' ').append(p).append("burst ").append(burst);
            }
            if ((mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT)) != 0) {
                out.append(' ').append(p).append("mode");
                appendMode(out, mode, save ? ',' : '-');
            }
            if (save) {
                out.append(" --hashlimit-name ").append(tableName);
            }
            if (size != 0) {
                out.append(' ').append(p).append("htable-size ").append(size);
            }
            if (max != 0) {
                out.append(' ').append(p).append("htable-max ").append(max);
            }
            if (gcInterval != GCINTERVAL) {
                out.append(' ').append(p).append("htable-gcinterval ").append(gcInterval);
            }
            if (expire != quantum) {
                out.append(' ').append(p).append("htable-expire ").append(expire);
            }
            int dmask = family.addressBits;
            if (srcmask != dmask) {
                out.append(' ').append(p).append("srcmask ").append(srcmask);
            }
            if (dstmask != dmask) {
                out.append(' ').append(p).append("dstmask ").append(dstmask);
            }
            if ((mode & RATE_MATCH) != 0) {
                out.append(' ').append(p).append("rate-match");
                if (interval != 1) {
                    out.append(' ').append(p).append("rate-interval ").append(interval);
                }
            }
        }

        @Override
        public void save(StringBuilder out) {
            dump(out, true);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            dump(sb, false);
            out.append(sb, 1, sb.length());
        }

        /** hashlimit_mt_check_common and xt_check_proc_name. */
        @Override
        public String check(CheckEnv env) {
            if (tableName.equals(".") || tableName.equals("..") || tableName.indexOf('/') >= 0) {
                return Xt.EINVAL;
            }
            if (gcInterval == 0 || expire == 0) {
                return Xt.EINVAL;
            }
            if (srcmask > family.addressBits || dstmask > family.addressBits) {
                return Xt.EINVAL;
            }
            if ((mode & RATE_MATCH) != 0) {
                if (avg == 0 || Long.compareUnsigned(avg, 0xffffffffL) > 0) {
                    return "Numerical result out of range.";
                }
                if (interval == 0) {
                    return Xt.EINVAL;
                }
            } else if ((mode & BYTES) != 0) {
                if (HashlimitTable.user2creditsByte(avg) == 0) {
                    return Xt.EINVAL;
                }
            } else if (burst == 0 || Long.compareUnsigned(HashlimitTable.user2credits(avg * burst),
                    HashlimitTable.user2credits(avg)) < 0) {
                return "Numerical result out of range.";
            }
            return null;
        }

        @Override
        public Matcher compile(RuntimeState state) {
            HashlimitTable t = state.shared(HashlimitTable.KEY_PREFIX + family.version + ":" + tableName,
                    () -> new HashlimitTable(this));
            return new Run(mode, t);
        }
    }

    private static long maskHi(long hi, int plen, Family f) {
        if (f == Family.IPV4) {
            return 0;
        }
        return plen >= 64 ? hi : (plen == 0 ? 0 : hi & (-1L << (64 - plen)));
    }

    private static long maskLo(long lo, int plen, Family f) {
        if (f == Family.IPV4) {
            return plen == 0 ? 0 : lo & ((0xffffffffL << (32 - plen)) & 0xffffffffL);
        }
        return plen <= 64 ? 0 : (plen == 128 ? lo : lo & (-1L << (128 - plen)));
    }

    /** The per-packet half (hashlimit_mt_common). */
    static final class Run implements Matcher {
        private final int ruleMode;
        private final HashlimitTable t;

        Run(int ruleMode, HashlimitTable t) {
            this.ruleMode = ruleMode;
            this.t = t;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            Spec c = t.cfg;
            int m = c.mode();
            Family f = t.family;
            long sHi = 0;
            long sLo = 0;
            long dHi = 0;
            long dLo = 0;
            int ports = 0;
            if ((m & HASH_DIP) != 0) {
                dHi = maskHi(pd.dstHi, c.dstmask(), f);
                dLo = maskLo(pd.dstLo, c.dstmask(), f);
            }
            if ((m & HASH_SIP) != 0) {
                sHi = maskHi(pd.srcHi, c.srcmask(), f);
                sLo = maskLo(pd.srcLo, c.srcmask(), f);
            }
            if ((m & (HASH_SPT | HASH_DPT)) != 0 && hasPorts(pd.protocol)) {
                if ((m & HASH_SPT) != 0) {
                    ports |= pd.srcPort << 16;
                }
                if ((m & HASH_DPT) != 0) {
                    ports |= pd.dstPort;
                }
            }
            long now = Jiffies.of(skb.timeNanos);
            t.gc(now);
            int e = t.find(sHi, sLo, dHi, dLo, ports);
            if (e < 0) {
                e = t.create(sHi, sLo, dHi, dLo, ports, now);
                if (e < 0) {
                    return false;
                }
            } else {
                t.touch(e, now);
            }
            boolean under = t.underLimit(e, ruleMode, pd.ipTotalLength);
            return under != ((ruleMode & INVERT) != 0);
        }

        /** Table full, or the ports the mode needs are cut off: the kernel hot-drops. */
        @Override
        public boolean hotdrop(Skb skb) {
            PacketDescriptor pd = skb.pd;
            int m = t.cfg.mode();
            if ((m & (HASH_SPT | HASH_DPT)) != 0 && hasPorts(pd.protocol) && pd.fragOffset == 0
                    && (pd.l4Offset < 0 || pd.length - pd.l4Offset < 4)) {
                return true;
            }
            return t.count() >= t.max && !matchesExisting(skb);
        }

        private boolean matchesExisting(Skb skb) {
            // A full table only refuses new keys; recomputing the key is cheap and allocation-free.
            PacketDescriptor pd = skb.pd;
            Spec c = t.cfg;
            int m = c.mode();
            Family f = t.family;
            long dHi = (m & HASH_DIP) != 0 ? maskHi(pd.dstHi, c.dstmask(), f) : 0;
            long dLo = (m & HASH_DIP) != 0 ? maskLo(pd.dstLo, c.dstmask(), f) : 0;
            long sHi = (m & HASH_SIP) != 0 ? maskHi(pd.srcHi, c.srcmask(), f) : 0;
            long sLo = (m & HASH_SIP) != 0 ? maskLo(pd.srcLo, c.srcmask(), f) : 0;
            int ports = 0;
            if ((m & (HASH_SPT | HASH_DPT)) != 0 && hasPorts(pd.protocol)) {
                ports = ((m & HASH_SPT) != 0 ? pd.srcPort << 16 : 0) | ((m & HASH_DPT) != 0 ? pd.dstPort : 0);
            }
            return t.find(sHi, sLo, dHi, dLo, ports) >= 0;
        }

        /** proto_ports_offset: protocols whose first 4 bytes are ports. */
        // LINUX-DIFF: ESP/AH (SPI bytes as "ports" in the kernel) key with ports 0.
        private static boolean hasPorts(int proto) {
            return proto == 6 || proto == 17 || proto == 136 || proto == 132 || proto == 33;
        }
    }
}
