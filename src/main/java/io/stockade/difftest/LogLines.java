package io.stockade.difftest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LOG lines on both sides, made comparable. The kernel logs from the gateway namespace only while
 * the global sysctl {@code net.netfilter.nf_log_all_netns} is 1 ({@link KernelLab} sets it for the
 * run and restores it), into the one kernel log every process on the machine shares; so on the
 * kernel side every LOG rule's prefix starts with a tag unique to this run ({@link #tagged}) and
 * only records carrying it are read from {@code /dev/kmsg} (by the driver, after each packet).
 * A line is compared as {@code <PRI>TEXT}: the record's priority (the rule's {@code --log-level};
 * facility 0) and its text with the tag removed, exactly as Stockade's replay writes it.
 * <p>
 * Normalised ({@link #normalise}), because the kernel chooses them freely: the outer IPv4 {@code ID=}
 * and IPv6 {@code FLOWLBL=} of a packet the gateway generated (a REJECT reply logged in OUTPUT or
 * POSTROUTING), recognised by a value other than the injected packet's identity; they become
 * {@code ID=*} / {@code FLOWLBL=*}. A rule whose prefix leaves no room for the tag (29 characters
 * at most) is not tagged; its lines are left out on both sides ({@link #untaggable}).
 */
final class LogLines {
    /** The kernel's limit on {@code --log-prefix} (xt_LOG: 29 characters plus the terminator). */
    static final int MAX_PREFIX = 29;
    /** Room kept for the tag: a prefix longer than {@code MAX_PREFIX - TAG_ROOM} is not tagged. */
    static final int TAG_ROOM = 8;
    private static final Pattern PREFIX = Pattern.compile("--log-prefix (\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");
    private static final Pattern OUTER_ID = Pattern.compile(" (ID|FLOWLBL)=(\\d+) ");

    private LogLines() {
    }

    private static boolean isLogRule(String line) {
        return line.startsWith("-A ") && (line.contains(" -j LOG") || line.contains(" --jump LOG"));
    }

    private static String unquote(String p) {
        return p.startsWith("\"") && p.endsWith("\"") && p.length() >= 2 ? p.substring(1, p.length() - 1).replace("\\\"", "\"") : p;
    }

    /** The ruleset with {@code tag} in front of every LOG prefix (a prefix is added where a rule has none). */
    static String tagged(String rules, String tag) {
        if (tag.length() > TAG_ROOM) {
            throw new IllegalArgumentException("log tag longer than " + TAG_ROOM + ": " + tag);
        }
        StringBuilder out = new StringBuilder();
        for (String line : rules.split("\n", -1)) {
            if (isLogRule(line)) {
                Matcher m = PREFIX.matcher(line);
                if (m.find()) {
                    String p = unquote(m.group(1));
                    if (p.length() + TAG_ROOM <= MAX_PREFIX) {
                        line = line.substring(0, m.start()) + "--log-prefix \"" + tag + p.replace("\"", "\\\"") + "\""
                                + line.substring(m.end());
                    }
                } else {
                    line = line + " --log-prefix \"" + tag + "\"";
                }
            }
            out.append(line).append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    /** Prefixes of LOG rules too long to carry the tag: their lines are not compared. */
    static Set<String> untaggable(String rules) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : rules.split("\n")) {
            Matcher m = PREFIX.matcher(line);
            if (isLogRule(line) && m.find()) {
                String p = unquote(m.group(1));
                if (p.length() + TAG_ROOM > MAX_PREFIX) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Kernel records ({@code PRI;TEXT} from the driver) carrying {@code tag} as {@code <PRI>TEXT} without it. */
    static List<String> fromKernel(List<String> records, String tag) {
        List<String> out = new ArrayList<>();
        for (String r : records) {
            int semi = r.indexOf(';');
            int at = r.indexOf(tag, semi + 1);
            if (semi < 0 || at < 0) {
                continue;
            }
            out.add("<" + r.substring(0, semi) + ">" + r.substring(semi + 1, at) + r.substring(at + tag.length()));
        }
        return out;
    }

    /**
     * A line with the kernel-chosen fields blanked (see the class comment); lines starting with
     * one of the {@code skip} prefixes (after {@code <PRI>}) become null.
     */
    static String normalise(String line, int identity, Set<String> skip) {
        int gt = line.indexOf('>');
        String text = gt < 0 ? line : line.substring(gt + 1);
        for (String s : skip) {
            if (text.startsWith(s)) {
                return null;
            }
        }
        Matcher m = OUTER_ID.matcher(line);
        if (m.find() && Long.parseLong(m.group(2)) != identity) {
            return line.substring(0, m.start()) + " " + m.group(1) + "=* " + line.substring(m.end());
        }
        return line;
    }

    /** {@link #normalise} over a list, leaving out the skipped lines. */
    static List<String> normalise(List<String> lines, int identity, Set<String> skip) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            String n = normalise(l, identity, skip);
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }
}
