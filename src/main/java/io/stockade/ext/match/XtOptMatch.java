package io.stockade.ext.match;

import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.syntax.Numbers;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of a match module written against libxtables' declarative option framework
 * ({@code xtoptions.c}): an entry table with types, ranges, {@code INVERT}/{@code MAND}/{@code MULTI}
 * flags and exclusion/also masks. The generic part reproduces {@code xtables_option_parse} (single
 * use, inversion, numeric types with iptables' exact messages) and {@code xtables_options_fcheck};
 * a module supplies a {@link State} that interprets each parsed {@link Call} and builds its spec.
 *
 * <p>A module whose parse in iptables does not go through {@code xtables_option_parse} (old-style
 * getopt parsers) sets {@link Entry#raw} on its entries and does all checks itself.
 */
abstract class XtOptMatch implements MatchExtension {
    /** {@code XTOPT_INVERT}. */
    static final int INVERT = 1;
    /** {@code XTOPT_MAND}. */
    static final int MAND = 2;
    /** {@code XTOPT_MULTI}. */
    static final int MULTI = 4;
    /** Not parsed generically: the module's parse sees the raw argument (old-style parse). */
    static final int RAW = 8;

    /**
     * What iptables prints (after {@code "iptables: "}) when the kernel's checkentry refuses a
     * match with EINVAL; {@link io.stockade.rules.MatchSpec#check} returns it.
     */
    static final String EINVAL = "Invalid argument. Run `dmesg' for more information.";

    /** The value types of {@code enum xt_option_type} used by these modules. */
    enum Type { NONE, UINT8, UINT16, UINT32, UINT64, UINT8RC, UINT16RC, UINT32RC, STRING, TOSMASK }

    /** One {@code xt_option_entry}. {@code min}/{@code max} 0 mean "type default", as in C. */
    record Entry(String name, int id, Type type, int flags, long min, long max, int excl, int also) {
        boolean raw() {
            return (flags & RAW) != 0;
        }
    }

    static Entry entry(String name, int id, Type type, int flags) {
        return new Entry(name, id, type, flags, 0, 0, 0, 0);
    }

    static Entry entry(String name, int id, Type type, int flags, long min, long max) {
        return new Entry(name, id, type, flags, min, max, 0, 0);
    }

    /** One option occurrence, the Java form of {@code struct xt_option_call}. */
    static final class Call {
        Entry entry;
        String arg;
        boolean invert;
        /** Integer value (UINT*), unsigned for UINT64. */
        long value;
        /** Range components (UINT*RC); {@link #nvals} of them are set. */
        final long[] range = new long[2];
        int nvals;
        int tosValue;
        int tosMask;
    }

    /** Per-occurrence module state: interprets calls, then builds the spec (final_check). */
    abstract static class State {
        /** Called after the generic checks and value parsing of {@code cb}. */
        abstract void parse(Call cb) throws ParameterProblem;

        /** After {@code xtables_options_fcheck}: the module's x6_fcheck and the spec. */
        abstract MatchSpec finish(int xflags) throws ParameterProblem;
    }

    /** Builds a spec from a range and its inversion. */
    interface RangeSpec {
        MatchSpec of(long min, long max, boolean inverted);
    }

    /**
     * The state of a module whose one option is an inverted UINT32RC range (ah's {@code --ahspi},
     * esp's {@code --espspi}): the last range given (one value: min = max), inverted if any
     * occurrence was; without the option the full range.
     */
    static State rangeState(RangeSpec spec) {
        return new State() {
            private long min;
            private long max = 0xffffffffL;
            private boolean inv;

            @Override
            void parse(Call cb) {
                min = cb.range[0];
                max = cb.nvals == 1 ? min : cb.range[1];
                inv |= cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return spec.of(min, max, inv);
            }
        };
    }

    private final String name;
    private final List<Entry> entries;
    private final List<Option> options;

    protected XtOptMatch(String name, Entry... entries) {
        this.name = name;
        this.entries = List.of(entries);
        List<Option> opts = new ArrayList<>();
        for (Entry e : entries) {
            boolean inv = (e.flags & (INVERT | RAW)) != 0;
            opts.add(new Option(e.name, e.type == Type.NONE ? Option.Arg.NONE : Option.Arg.REQUIRED,
                    inv, e.id));
        }
        this.options = List.copyOf(opts);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<Option> options() {
        return options;
    }

    /** A fresh module state for one {@code -m NAME}. */
    protected abstract State newState(ParseEnv env);

    @Override
    public final Parser newParser(ParseEnv env) {
        State state = newState(env);
        return new Parser() {
            private int xflags;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                Entry e = lookup(opt.id());
                Call cb = new Call();
                cb.entry = e;
                cb.arg = arg;
                cb.invert = inverted;
                if (!e.raw()) {
                    optionParse(cb, xflags);
                }
                state.parse(cb);
                xflags |= 1 << e.id;
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                // xtables_option_mfcall: the module's x6_fcheck runs before xtables_options_fcheck.
                // In C it reads zeroed data when a mandatory option is missing; here a module's
                // finish may trip over the missing (null) value instead, and then the mandatory
                // check, which would have come next, is the answer.
                MatchSpec spec;
                try {
                    spec = state.finish(xflags);
                } catch (RuntimeException e) {
                    fcheck(xflags);
                    throw e;
                }
                fcheck(xflags);
                return spec;
            }
        };
    }

    private Entry lookup(int id) {
        for (Entry e : entries) {
            if (e.id == id) {
                return e;
            }
        }
        throw new IllegalArgumentException(name + ": no option id " + id);
    }

    /** {@code xtables_option_parse}: single use, inversion, argument, then the typed value. */
    private void optionParse(Call cb, int xflags) throws ParameterProblem {
        Entry e = cb.entry;
        int eflag = 1 << e.id;
        if (((e.flags & MULTI) == 0 || (e.excl & eflag) != 0) && (xflags & eflag) != 0) {
            throw new ParameterProblem(name + ": option \"--" + e.name + "\" can only be used once.\n");
        }
        if (cb.invert && (e.flags & INVERT) == 0) {
            throw new ParameterProblem(name + ": option \"--" + e.name + "\" cannot be inverted.\n");
        }
        if (e.type != Type.NONE && cb.arg == null) {
            throw new ParameterProblem(name + ": option \"--" + e.name + "\" requires an argument.\n");
        }
        switch (e.type) {
            case UINT8, UINT16, UINT32, UINT64 -> parseInt(cb);
            case UINT8RC, UINT16RC, UINT32RC -> parseMint(cb);
            case TOSMASK -> parseTosMask(cb);
            case STRING -> {
                if (e.min != 0 && cb.arg.length() < e.min) {
                    throw new ParameterProblem("Argument must have a minimum length of " + e.min + " characters\n");
                }
                if (e.max != 0 && cb.arg.length() > e.max) {
                    throw new ParameterProblem("Argument must have a maximum length of " + e.max + " characters\n");
                }
            }
            default -> {
            }
        }
    }

    static long typeMax(Type t) {
        return switch (t) {
            case UINT8, UINT8RC -> 0xff;
            case UINT16, UINT16RC -> 0xffff;
            case UINT32, UINT32RC -> 0xffffffffL;
            case UINT64 -> -1L;
            default -> 0;
        };
    }

    private void parseInt(Call cb) throws ParameterProblem {
        Entry e = cb.entry;
        long lmin = e.min;
        long lmax = e.max != 0 ? e.max : typeMax(e.type);
        Numbers.Num n = Numbers.Num.parse(cb.arg, 0, 0);
        if (n == null || n.end != cb.arg.length() || !n.inRange(lmin, lmax)) {
            throw new ParameterProblem(name + ": bad value for option \"--" + e.name
                    + "\", or out of range (" + Long.toUnsignedString(lmin) + "-"
                    + Long.toUnsignedString(lmax) + ").\n");
        }
        cb.value = n.value;
    }

    private void parseMint(Call cb) throws ParameterProblem {
        Entry e = cb.entry;
        long lmax = typeMax(e.type);
        if (e.max != 0 && e.max < lmax) {
            lmax = e.max;
        }
        long lmin = e.min;
        String s = cb.arg;
        int pos = 0;
        cb.nvals = 0;
        while (true) {
            if (cb.nvals == 2) {
                throw new ParameterProblem(name + ": Too many components for option \"--" + e.name
                        + "\" (max: 2)\n");
            }
            long value;
            int end;
            if (pos == s.length() || s.charAt(pos) == ':') {
                end = pos;
                value = cb.nvals == 1 ? lmax : lmin;
            } else {
                Numbers.Num n = Numbers.Num.parse(s, pos, 0);
                if (n == null || !n.inRange(lmin, lmax)) {
                    throw new ParameterProblem(name + ": bad value for option \"--" + e.name
                            + "\" near \"" + s.substring(pos) + "\", or out of range ("
                            + Long.toUnsignedString(lmin) + "-" + Long.toUnsignedString(lmax) + ").\n");
                }
                end = n.end;
                if (end != s.length() && s.charAt(end) != ':') {
                    throw new ParameterProblem(name + ": Argument to \"--" + e.name
                            + "\" has unexpected characters near \"" + s.substring(end) + "\".\n");
                }
                value = n.value;
                lmin = value;
            }
            cb.range[cb.nvals++] = value;
            if (end == s.length()) {
                break;
            }
            pos = end + 1;
        }
    }

    /** The symbolic TOS names, in iptables' order (tos_values.c). */
    static final String[] TOS_NAMES = {
        "Minimize-Delay", "Maximize-Throughput", "Maximize-Reliability", "Minimize-Cost", "Normal-Service"};
    static final int[] TOS_VALUES = {0x10, 0x08, 0x04, 0x02, 0x00};

    private void parseTosMask(Call cb) throws ParameterProblem {
        String s = cb.arg;
        Numbers.Num n = Numbers.Num.parse(s, 0, 0);
        if (n != null && n.inRange(0, 0xff)) {
            cb.tosValue = (int) n.value;
            cb.tosMask = 0xff;
            int end = n.end;
            if (end < s.length() && s.charAt(end) == '/') {
                Numbers.Num m = Numbers.Num.parse(s, end + 1, 0);
                if (m == null || !m.inRange(0, 0xff)) {
                    throw new ParameterProblem("Illegal value: \"" + s + "\"");
                }
                cb.tosMask = (int) m.value;
                end = m.end;
            }
            if (end != s.length()) {
                throw new ParameterProblem("Illegal value: \"" + s + "\"");
            }
            return;
        }
        cb.tosMask = (int) cb.entry.max;
        for (int i = 0; i < TOS_NAMES.length; i++) {
            if (TOS_NAMES[i].equalsIgnoreCase(s)) {
                cb.tosValue = TOS_VALUES[i];
                return;
            }
        }
        throw new ParameterProblem("Symbolic name \"" + s + "\" is unknown");
    }

    /** {@code xtables_options_fcheck}: mandatory options, exclusions and "also requires". */
    private void fcheck(int xflags) throws ParameterProblem {
        for (Entry e : entries) {
            if ((e.flags & MAND) != 0 && (xflags & (1 << e.id)) == 0) {
                throw new ParameterProblem(name + ": option \"--" + e.name + "\" must be specified\n");
            }
            if ((xflags & (1 << e.id)) == 0) {
                continue;
            }
            for (Entry o : entries) {
                if (o.id == e.id) {
                    continue;
                }
                int of = 1 << o.id;
                if ((e.also & of) != 0 && (xflags & of) == 0) {
                    throw new ParameterProblem(name + ": option \"--" + e.name + "\" also requires \"--"
                            + o.name + "\".\n");
                }
                if ((e.excl & of) != 0 && (xflags & of) != 0) {
                    throw new ParameterProblem(name + ": option \"--" + e.name
                            + "\" cannot be used together with \"--" + o.name + "\".\n");
                }
            }
        }
    }

    /** {@code xtables_strtoui} with {@code end == NULL}: the whole string must be the number. */
    static long strictUint(String s, long min, long max) {
        Numbers.Num n = Numbers.Num.parse(s, 0, 0);
        if (n == null || n.end != s.length() || !n.inRange(min, max)) {
            return -1;
        }
        return n.value;
    }
}
