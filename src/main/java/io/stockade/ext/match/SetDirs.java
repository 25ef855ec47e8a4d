package io.stockade.ext.match;

import io.stockade.rules.ParameterProblem;

/**
 * The {@code NAME src|dst[,src|dst…]} argument shared by {@code -m set --match-set} and
 * {@code -j SET --add-set/--del-set/--map-set} (libxt_set.h: the name checks and
 * {@code parse_dirs}). A direction list is packed as {@code dim << 8 | srcBits} (bit d of srcBits:
 * dimension d is {@code src}); at most 6 dimensions. Pure string work, control plane only.
 */
public final class SetDirs {
    private SetDirs() {
    }

    /**
     * The set name of {@code "NAME FLAGS"} for option {@code --what}: two arguments required and a
     * name of at most 31 characters (IPSET_MAXNAMELEN - 1). Whether the set exists is the caller's.
     */
    public static String name(String what, String arg) throws ParameterProblem {
        int sp = arg.indexOf(' ');
        if (sp < 0) {
            throw new ParameterProblem("--" + what + " requires two args.");
        }
        String set = arg.substring(0, sp);
        if (set.length() > 31) {
            throw new ParameterProblem("setname `" + set + "' too long, max 31 characters.");
        }
        return set;
    }

    /** The direction list after the name in {@code "NAME FLAGS"}, packed as {@code dim << 8 | srcBits}. */
    public static int parse(String arg) throws ParameterProblem {
        String[] f = arg.substring(arg.indexOf(' ') + 1).split(",", -1);
        if (f.length > 6) {
            throw new ParameterProblem("Can't be more src/dst options than 6.");
        }
        int src = 0;
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("src")) {
                src |= 1 << i;
            } else if (!f[i].equals("dst")) {
                throw new ParameterProblem("You must spefify (the comma separated list of) 'src' or 'dst'.");
            }
        }
        return f.length << 8 | src;
    }

    /** Appends {@code " src,dst…"} for {@code dim} dimensions, as the save and print forms show it. */
    public static void append(StringBuilder out, int dim, int srcBits) {
        for (int i = 0; i < dim; i++) {
            out.append(i == 0 ? " " : ",").append((srcBits & (1 << i)) != 0 ? "src" : "dst");
        }
    }
}
