package io.stockade.difftest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code xtables-monitor --trace} lines of one packet (and of the packets it caused, such as a
 * REJECT reply), made comparable between the kernel (the monitor's output, {@link KernelTrace})
 * and Stockade ({@code replay --trace-format nft}, which writes the same lines for the same
 * TRACE-appended rules). Kept: the lines of the iptables tables, in order. Dropped: the harness's
 * own {@code inet} tables (family 1: the delivery sink, the sentinel). Normalised: the trace id
 * (a hash of the skb's address in Linux, of the packet time in Stockade) becomes {@code T1},
 * {@code T2}… in order of appearance, the lines are grouped by it (stable), then every id is written
 * {@code T}: Linux prints the trace of a REJECT reply in the middle of the rejected packet's, before
 * the REJECT rule's own line, as the reply is sent from inside the target, while Stockade sends it
 * afterwards (and gives it the same id, a hash of the packet time); IPv6 rule lines are compared up
 * to the rule text, which xtables-monitor 1.8.9 prints with IPv4 extensions or not at all; the rule
 * handle {@code rule:0x7:} becomes {@code rule:#:} (Stockade numbers handles as a fresh
 * iptables-nft-restore would, not always as the kernel did; the rule text that follows names the
 * rule, and the deciding rule is compared by number separately); the outer {@code ID=}/{@code FLOWLBL=} of a packet the
 * gateway generated becomes {@code *} (as in {@link LogLines}); on the kernel side the run's LOG
 * tag is removed from the printed rules (a prefix that is only the tag is removed whole).
 */
final class TraceLines {
    private static final Pattern OUTER_ID = Pattern.compile(" (ID|FLOWLBL)=(\\d+) ");
    private static final Pattern HANDLE = Pattern.compile(":rule:0x[0-9a-f]+:");

    private TraceLines() {
    }

    /** Whether a line is one of the monitor's (not a LOG line). */
    static boolean isTraceLine(String l) {
        return l.startsWith("PACKET: ") || l.startsWith(" TRACE: ");
    }

    /**
     * @param tag the kernel run's LOG tag, or null on Stockade's side
     */
    static List<String> normalise(List<String> lines, int identity, String tag) {
        List<String> out = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        for (String l : lines) {
            String[] f = l.strip().split(" ", 4);
            if (f.length < 3 || f[1].equals("1")) {
                continue;
            }
            String id = ids.computeIfAbsent(f[2], x -> "T" + (ids.size() + 1));
            String rest = f.length > 3 ? f[3] : "";
            if (tag != null) {
                rest = rest.replace(" --log-prefix \"" + tag + "\"", "").replace("--log-prefix \"" + tag, "--log-prefix \"");
            }
            if (f[0].equals("PACKET:")) {
                Matcher m = OUTER_ID.matcher(" " + rest + " ");
                if (m.find() && Long.parseLong(m.group(2)) != identity) {
                    String r = " " + rest + " ";
                    rest = (r.substring(1, m.start() + 1) + m.group(1) + "=* " + r.substring(m.end())).strip();
                }
            } else if (f[1].equals("10")) {
                int text = rest.indexOf("  ");
                rest = text < 0 ? rest : rest.substring(0, text); // xtables-monitor 1.8.9 misprints IPv6 rules
            }
            rest = HANDLE.matcher(rest).replaceFirst(":rule:#:");
            out.add((l.startsWith(" ") ? " " : "") + f[0] + " " + f[1] + " " + id + (f.length > 3 ? " " + rest : ""));
        }
        List<String> grouped = new ArrayList<>(out);
        grouped.sort(java.util.Comparator.comparingInt(TraceLines::traceNumber));
        grouped.replaceAll(g -> g.replaceFirst(" T\\d+ ", " T "));
        return grouped;
    }

    private static int traceNumber(String line) {
        String[] f = line.strip().split(" ", 4);
        return f.length > 2 && f[2].startsWith("T") ? Integer.parseInt(f[2].substring(1)) : 0;
    }
}
