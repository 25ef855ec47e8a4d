package io.stockade.ext.match;

import io.stockade.rules.ParameterProblem;
import io.stockade.syntax.Numbers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * libxtables' {@code xtables_parse_val_mask}/{@code xtables_print_val_mask} and the
 * {@code xtables_lmap} name tables (iproute2's {@code /etc/iproute2/rt_realms},
 * {@code /etc/iproute2/group}) that realm and devgroup read, as iptables does, at parse and print
 * time (control plane only). A missing file is an empty map.
 */
public final class ValMask {
    private ValMask() {
    }

    /** One id ↔ name table. */
    record Lmap(List<Long> ids, List<String> names) {
        static Lmap load(String file) {
            List<Long> ids = new ArrayList<>();
            List<String> names = new ArrayList<>();
            try {
                for (String raw : Files.readAllLines(Path.of(file))) {
                    String line = raw.strip();
                    if (line.isEmpty() || line.charAt(0) == '#') {
                        continue;
                    }
                    Numbers.Num n = Numbers.Num.parse(line, 0, 0);
                    if (n == null || n.end >= line.length() || !Character.isWhitespace(line.charAt(n.end))) {
                        continue;
                    }
                    String rest = line.substring(n.end).strip();
                    int sp = 0;
                    while (sp < rest.length() && !Character.isWhitespace(rest.charAt(sp))) {
                        sp++;
                    }
                    ids.add(n.value);
                    names.add(rest.substring(0, sp));
                }
            } catch (IOException | RuntimeException e) {
                // As libxtables: an unreadable map is no map.
            }
            return new Lmap(List.copyOf(ids), List.copyOf(names));
        }

        long id(String name) {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).equals(name)) {
                    return ids.get(i);
                }
            }
            return -1;
        }

        String name(long id) {
            for (int i = 0; i < ids.size(); i++) {
                if (ids.get(i) == id) {
                    return names.get(i);
                }
            }
            return null;
        }
    }

    /**
     * {@code xtables_parse_mark_mask}: {@code VALUE[/MASK]}, unsigned 32-bit numbers in any C base,
     * as {value, mask} (mask 0xffffffff when not given), with iptables' messages for a bad number
     * and for trailing garbage.
     */
    public static long[] parse(String ext, String opt, String arg) throws ParameterProblem {
        return parse(ext, opt, arg, null);
    }

    /** {value, mask}; the mask is 0xffffffff when not given; {@code lmap} may be null (numbers only). */
    static long[] parse(String ext, String opt, String arg, Lmap lmap) throws ParameterProblem {
        Numbers.Num n = Numbers.Num.parse(arg, 0, 0);
        if (n == null || !n.inRange(0, 0xffffffffL)) {
            return byName(ext, opt, arg, lmap, true);
        }
        if (n.end == arg.length()) {
            return new long[] {n.value, 0xffffffffL};
        }
        if (arg.charAt(n.end) != '/') {
            if (lmap != null) {
                return byName(ext, opt, arg, lmap, false);
            }
            throw new ParameterProblem(ext + ": trailing garbage after value for option \"--" + opt + "\".\n");
        }
        Numbers.Num m = Numbers.Num.parse(arg, n.end + 1, 0);
        if (m == null || !m.inRange(0, 0xffffffffL)) {
            throw new ParameterProblem(ext + ": bad integer value for option \"--" + opt + "\", or out of range.\n");
        }
        if (m.end != arg.length()) {
            throw new ParameterProblem(ext + ": trailing garbage after value for option \"--" + opt + "\".\n");
        }
        return new long[] {n.value, m.value};
    }

    private static long[] byName(String ext, String opt, String arg, Lmap lmap, boolean badVal)
            throws ParameterProblem {
        if (lmap == null) {
            throw new ParameterProblem(ext + ": bad integer value for option \"--" + opt + "\", or out of range.\n");
        }
        long id = lmap.id(arg);
        if (id < 0 || id == 0xffffffffL) {
            throw new ParameterProblem(ext + ": could not map name " + arg
                    + " to an integer value for option \"--" + opt + "\".\n");
        }
        return new long[] {id, 0xffffffffL};
    }

    /** {@code xtables_print_val_mask}: " 0xV/0xM", " NAME" or " 0xV" (leading space included). */
    static void print(StringBuilder out, long val, long mask, Lmap lmap) {
        if (mask != 0xffffffffL) {
            out.append(' ').append(Fmt.hex(val)).append('/').append(Fmt.hex(mask));
            return;
        }
        String name = lmap == null ? null : lmap.name(val);
        out.append(' ').append(name != null ? name : Fmt.hex(val));
    }
}
