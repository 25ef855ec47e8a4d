package io.stockade.difftest;

import io.stockade.host.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's own account of the rule that decided each packet: {@code -j TRACE} in raw
 * PREROUTING and OUTPUT ({@link #withTrace}, appended to the case's rules on the kernel side only)
 * and {@code xtables-monitor --trace} running in the gateway namespace, whose lines look like
 * <pre>
 * PACKET: 2 f96fef3d IN=eth0 MACSRC=… SRC=10.0.0.2 DST=10.0.1.1 LEN=31 TOS=0x0 TTL=64 ID=4096 …
 *  TRACE: 2 f96fef3d filter:INPUT:rule:0x6:DROP  -4 -t filter -A INPUT -p udp … -j DROP
 *  TRACE: 2 f96fef3d filter:FORWARD:policy:ACCEPT
 * </pre>
 * Rule handles are mapped to rule numbers with the gateway's {@code nft -j -a list ruleset}
 * ({@link #handles}). After each packet a sentinel (see {@code sdt_driver.py}: IPv4 protocol 253
 * from 198.18.0.1, traced and dropped by the harness's own {@code sdt_ct} chain before defrag,
 * conntrack and every iptables table) is injected and the monitor's output is read up to it, so
 * every line about the packet has been printed. The TRACE rules only set {@code nftrace} (with the
 * nf_tables backend the trace goes to netlink, not to the kernel log) and the extra raw table adds
 * counters the comparison never reads, so nothing else the harness observes changes.
 * <p>
 * The deciding rule ({@link #decided}) follows the {@code rule} field of Stockade's replay: the
 * first DROP/QUEUE/STOLEN verdict of any table, else the filter table's last verdict, else the
 * first table's verdict.
 */
final class KernelTrace implements AutoCloseable {
    /** How long the monitor may take to print a sentinel before the case is marked incomplete. */
    private static final long SENTINEL_WAIT_MS = 3000;
    /** What the reader queues when the monitor's output ends. */
    private static final String EOF = "\0EOF";
    private final Process monitor;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;
    private int sentinel;
    /** Whether the monitor's output ended (xtables-monitor 1.8.9 dies printing some rules). */
    private volatile boolean died;

    private KernelTrace(Process monitor) {
        this.monitor = monitor;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the monitor is gone either way
            }
            lines.add(EOF);
        }, "sdt-trace");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code xtables-monitor --trace} in namespace {@code ns} (line-buffered). */
    static KernelTrace start(String ns) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "stdbuf", "-oL", "xtables-monitor", "--trace")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new KernelTrace(p);
    }

    /**
     * Whether the monitor died. xtables-monitor 1.8.9 crashes while printing the text of an
     * IPv6 nat rule ({@code -6 -t nat … -j DNAT}): the verdict token before the text is out, the
     * rest of that packet's trace is lost, so the packet's deciding rule falls back to the counters
     * and the lab starts a new monitor.
     */
    boolean died() {
        return died;
    }

    /** The next sentinel's number (its IPv4 ID). */
    int nextSentinel() {
        sentinel = (sentinel + 1) & 0xffff;
        return sentinel;
    }

    /**
     * The monitor's lines up to the sentinel {@code n} (exclusive), or null when it did not show
     * up in time (the monitor is not subscribed yet, or died).
     */
    List<String> until(int n) throws IOException {
        return until(n, SENTINEL_WAIT_MS);
    }

    /** {@link #until(int)} with a wait of {@code waitMs}; on the monitor's death, what it printed before. */
    List<String> until(int n, long waitMs) throws IOException {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        String mark = "SRC=198.18.0.1 ";
        String id = " ID=" + n + " ";
        while (true) {
            long left = deadline - System.nanoTime();
            String l;
            try {
                l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (EOF.equals(l)) {
                died = true;
                return got;
            }
            if (l == null) {
                if (System.getenv("SDT_DEBUG_TRACE") != null) {
                    System.err.println("sentinel " + n + " missing after " + got);
                }
                return null;
            }
            if (l.startsWith("PACKET:") && l.contains(mark)) {
                if ((l + " ").contains(id)) {
                    return got;
                }
                if (System.getenv("SDT_DEBUG_TRACE") != null) {
                    System.err.println("waiting for sentinel " + n + ", skipped " + l);
                }
                continue; // an earlier sentinel that timed out
            }
            got.add(l);
        }
    }

    /** Drops whatever the monitor printed so far (between cases). */
    void clear() {
        lines.clear();
    }

    /**
     * The rules with the TRACE rules added: appended to an existing {@code *raw} table's
     * PREROUTING and OUTPUT, or a new {@code *raw} table in front.
     */
    static String withTrace(String rules) {
        String add = "-A PREROUTING -j TRACE\n-A OUTPUT -j TRACE\n";
        if (rules.isBlank()) {
            return rules;
        }
        int raw = rules.indexOf("*raw\n");
        if (raw < 0) {
            return "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + add + "COMMIT\n" + rules;
        }
        int commit = rules.indexOf("\nCOMMIT", raw);
        if (commit < 0) {
            return rules;
        }
        return rules.substring(0, commit + 1) + add + rules.substring(commit + 1);
    }

    /** Whether the case's own rules have a raw table (else the raw lines are the harness's own and ignored). */
    static boolean hasRaw(String rules) {
        return rules.startsWith("*raw\n") || rules.contains("\n*raw\n");
    }

    /** {@code family:table:chain:handle} (family ip/ip6) → rule number from 1, from {@code nft -j -a list ruleset}. */
    static Map<String, Integer> handles(String nftJson) {
        Map<String, Integer> out = new HashMap<>();
        if (nftJson.isBlank()) {
            return out;
        }
        Map<String, Integer> count = new HashMap<>();
        for (Object item : Json.arr(Json.obj(Json.parse(nftJson)).get("nftables"))) {
            Object rule = Json.obj(item).get("rule");
            if (rule == null) {
                continue;
            }
            Map<String, Object> r = Json.obj(rule);
            String chain = r.get("family") + ":" + r.get("table") + ":" + r.get("chain");
            int n = count.merge(chain, 1, Integer::sum);
            out.put(chain + ":" + r.get("handle"), n);
        }
        return out;
    }

    /** One terminal verdict of one table traversal: counter key and verdict. */
    record Verdict(String key, String table, String verdict) {
    }

    /**
     * The terminal verdicts, in order, of the trace ids that belong to the injected packet: those
     * whose first {@code PACKET:} line carries its identity ({@code ID=} / {@code FLOWLBL=}) and
     * shows it entering where it was injected ({@code IN=via}, or for {@code local} leaving with
     * no input interface or looping through {@code lo}).
     */
    static List<Verdict> verdicts(List<String> trace, int family, int identity, String via, Map<String, Integer> handles,
            boolean ownRaw) {
        Map<String, Boolean> mine = new LinkedHashMap<>();
        List<Verdict> out = new ArrayList<>();
        String idField = (family == 4 ? " ID=" : " FLOWLBL=") + identity + " ";
        for (String l : trace) {
            String[] f = l.strip().split("\\s+");
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("PACKET:")) {
                if (!mine.containsKey(f[2])) {
                    String rest = " " + l + " ";
                    boolean entry = via.equals("local") ? !rest.contains(" IN=") || rest.contains(" IN=lo ")
                            : rest.contains(" IN=" + via + " ");
                    mine.put(f[2], entry && rest.contains(idField));
                }
                continue;
            }
            if (!f[0].equals("TRACE:") || f.length < 4 || !Boolean.TRUE.equals(mine.get(f[2]))) {
                continue;
            }
            String nfFamily = f[1].equals("2") ? "ip" : f[1].equals("10") ? "ip6" : null;
            String[] v = f[3].split(":");
            if (nfFamily == null || v.length < 4 || v[0].startsWith("sdt_") || (!ownRaw && v[0].equals("raw"))) {
                continue;
            }
            String key;
            String verdict;
            if (v[2].equals("policy")) {
                key = v[0] + ":" + v[1] + ":policy";
                verdict = v[3];
            } else if (v[2].equals("rule") && v.length >= 5) {
                verdict = v[4];
                Integer n = handles.get(nfFamily + ":" + v[0] + ":" + v[1] + ":" + Long.decode(v[3]));
                key = v[0] + ":" + v[1] + ":" + (n == null ? "handle " + v[3] : n.toString());
            } else {
                continue;
            }
            if (verdict.equals("CONTINUE") || verdict.equals("JUMP") || verdict.equals("GOTO")
                    || verdict.equals("RETURN") || verdict.equals("0xfffffffb")) {
                continue;
            }
            out.add(new Verdict(family + ":" + key, v[0], verdict));
        }
        return out;
    }

    /**
     * The deciding rule as Stockade's replay names it (prefixed by the family), or null when nothing
     * was traced or, for a packet that was dropped ({@code dropped}) although every table accepted
     * it, the host dropped it (routing, forwarding off): Stockade names no rule then either.
     */
    static String decided(List<Verdict> verdicts, boolean dropped) {
        Verdict d = decision(verdicts);
        return d == null || (dropped && d.verdict().equals("ACCEPT")) ? null : d.key();
    }

    private static Verdict decision(List<Verdict> verdicts) {
        Verdict first = null;
        Verdict filter = null;
        for (Verdict v : verdicts) {
            if (!v.verdict().equals("ACCEPT")) {
                return v;
            }
            if (first == null) {
                first = v;
            }
            if (v.table().equals("filter")) {
                filter = v;
            }
        }
        return filter != null ? filter : first;
    }

    @Override
    public void close() {
        monitor.destroy();
        try {
            if (!monitor.waitFor(3, TimeUnit.SECONDS)) {
                monitor.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            monitor.destroyForcibly();
        }
    }
}
