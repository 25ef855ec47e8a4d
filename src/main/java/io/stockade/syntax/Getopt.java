package io.stockade.syntax;

import io.stockade.rules.Option;
import java.util.List;

/**
 * glibc getopt_long as iptables drives it: optstring starting with {@code "-:"} (non-options are
 * returned in order as value 1, a missing argument is {@code ':'}), long options by exact name or
 * unambiguous prefix, short options clustered ({@code -nvL}) with attached arguments
 * ({@code -ptcp}). The long-option table can grow while scanning (modules loaded by {@code -m}).
 */
final class Getopt {
    static final int NON_OPTION = 1;
    static final int UNKNOWN = '?';
    static final int MISSING = ':';

    /** One entry of the merged long-option table. */
    record LongOpt(String name, Option.Arg arg, int val, Object owner, Option option) {
        boolean sameAs(LongOpt o) {
            return arg == o.arg && val == o.val && owner == o.owner
                    && (option == null ? o.option == null : o.option != null && option.id() == o.option.id());
        }
    }

    /** Result of one step. */
    static final class Event {
        int c;
        String optarg;
        LongOpt longOpt;
        /** The argv element the option came from (for error messages). */
        String token;
    }

    private final List<String> argv;
    private final String optstring;
    int optind;
    private int nextchar;

    Getopt(List<String> argv, String optstring) {
        this.argv = argv;
        this.optstring = optstring;
    }

    boolean hasArg() {
        return optind < argv.size() && !argv.get(optind).startsWith("-") && !argv.get(optind).startsWith("!");
    }

    /** Steps back to re-scan the last long option (iptables' {@code optind--} after loading a module). */
    void rewind() {
        optind--;
        nextchar = 0;
    }

    /** The next option, or null at the end (or after {@code --}). */
    Event next(List<List<LongOpt>> longOpts) {
        Event e = new Event();
        if (nextchar > 0) {
            return shortOpt(e);
        }
        if (optind >= argv.size()) {
            return null;
        }
        String tok = argv.get(optind);
        if (tok.equals("--")) {
            optind++;
            return null;
        }
        if (tok.startsWith("--")) {
            return longOpt(e, tok, longOpts);
        }
        if (tok.startsWith("-") && tok.length() > 1) {
            nextchar = 1;
            return shortOpt(e);
        }
        optind++;
        e.c = NON_OPTION;
        e.optarg = tok;
        e.token = tok;
        return e;
    }

    private Event longOpt(Event e, String tok, List<List<LongOpt>> groups) {
        optind++;
        e.token = tok;
        int eq = tok.indexOf('=');
        String name = eq < 0 ? tok.substring(2) : tok.substring(2, eq);
        LongOpt found = null;
        exact:
        for (List<LongOpt> longOpts : groups) {
            for (LongOpt o : longOpts) {
                if (o.name().equals(name)) {
                    found = o;
                    break exact;
                }
            }
        }
        if (found == null) {
            boolean ambiguous = false;
            for (List<LongOpt> longOpts : groups) {
                for (LongOpt o : longOpts) {
                    if (o.name().startsWith(name)) {
                        if (found == null) {
                            found = o;
                        } else if (!found.sameAs(o)) {
                            ambiguous = true;
                        }
                    }
                }
            }
            if (ambiguous) {
                e.c = UNKNOWN;
                return e;
            }
        }
        if (found == null) {
            e.c = UNKNOWN;
            return e;
        }
        e.longOpt = found;
        if (eq >= 0) {
            if (found.arg() == Option.Arg.NONE || found.arg() == Option.Arg.OPTIONAL_WORD) {
                e.c = UNKNOWN;
                e.longOpt = null;
                return e;
            }
            e.optarg = tok.substring(eq + 1);
        } else if (found.arg() == Option.Arg.REQUIRED || found.arg() == Option.Arg.TWO) {
            if (optind < argv.size()) {
                e.optarg = argv.get(optind++);
            } else {
                e.c = MISSING;
                return e;
            }
        }
        e.c = found.val();
        return e;
    }

    private Event shortOpt(Event e) {
        String tok = argv.get(optind);
        e.token = tok;
        char c = tok.charAt(nextchar++);
        boolean last = nextchar >= tok.length();
        int idx = c == ':' || c == '-' ? -1 : optstring.indexOf(c);
        if (idx < 0) {
            if (last) {
                nextchar = 0;
                optind++;
            }
            e.c = UNKNOWN;
            e.optarg = "-" + c;
            return e;
        }
        boolean takesArg = idx + 1 < optstring.length() && optstring.charAt(idx + 1) == ':';
        boolean optional = takesArg && idx + 2 < optstring.length() && optstring.charAt(idx + 2) == ':';
        e.c = c;
        if (!takesArg) {
            if (last) {
                nextchar = 0;
                optind++;
            }
            return e;
        }
        if (!last) {
            e.optarg = tok.substring(nextchar);
            nextchar = 0;
            optind++;
            return e;
        }
        nextchar = 0;
        optind++;
        if (optional) {
            return e;
        }
        if (optind < argv.size()) {
            e.optarg = argv.get(optind++);
            return e;
        }
        e.c = MISSING;
        return e;
    }
}
