package io.stockade.difftest;

import io.stockade.host.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The Linux side of the harness: one gateway namespace {@code sdt-gw-<pid>} with a veth pair per
 * {@link Topology.Link} to a peer namespace, built once and reused for every case (rules are
 * replaced and conntrack flushed between cases). Packets are injected and captured by a small
 * stdlib-python driver that holds AF_PACKET sockets in every namespace; it waits on barrier
 * frames so each packet's observation is complete before the next one is sent.
 * <p>
 * Needs root. Everything it creates lives in its own namespaces and is removed by {@link #close()}
 * and, should the JVM exit first, by a shutdown hook. Not thread-safe.
 */
public final class KernelLab implements AutoCloseable {
    /** What the kernel did with one injected packet. */
    record Sent(long timeNanos, Map<String, List<byte[]>> out, String error, List<String> log) {
    }

    /** Output of a command run inside the gateway namespace. */
    record Exec(int rc, String stdout, String stderr) {
    }

    final String gw;
    private final String peerPrefix;
    private final Path tmp;
    private final Process driver;
    private final BufferedWriter toDriver;
    private final BufferedReader fromDriver;
    private final Thread cleanup;
    private boolean closed;
    /** The gateway's forwarding switch as last set; null until the first case sets it. */
    private Boolean forward;
    /** Put in front of every LOG prefix on the kernel side, unique to this run ({@link LogLines}). */
    final String logTag;
    /**
     * nf_log_all_netns to restore by {@link #close()}: the value found at the start, or the one
     * another process restored meanwhile (found when the lab sets it again); null if unreadable.
     */
    private String logAllNetnsBefore;
    /** The kernel's trace of rule traversal (xtables-monitor in the gateway namespace); replaced when it dies. */
    KernelTrace trace;

    private KernelLab(String tag) throws IOException {
        gw = "sdt-gw-" + tag;
        peerPrefix = "sdt-p" + tag + "-";
        logTag = "Z" + Long.toString(Long.parseLong(tag), 36) + "Z";
        tmp = Files.createTempDirectory("sdt-");
        logAllNetnsBefore = readSysctl(LOG_ALL_NETNS);
        cleanup = new Thread(this::cleanupAfterExit, "sdt-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        removeNamespaces();
        Exec setup = run(List.of("bash", "-c", Topology.setupScript(gw, peerPrefix)), "");
        if (setup.rc() != 0) {
            removeNamespaces();
            throw new IOException("namespace setup failed: " + setup.stderr().strip());
        }
        Path script = tmp.resolve("sdt_driver.py");
        try (InputStream in = KernelLab.class.getResourceAsStream("sdt_driver.py")) {
            if (in == null) {
                throw new IOException("resource sdt_driver.py missing from the build");
            }
            Files.copy(in, script);
        }
        driver = new ProcessBuilder("python3", "-u", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        toDriver = new BufferedWriter(new OutputStreamWriter(driver.getOutputStream(), StandardCharsets.UTF_8));
        fromDriver = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
        Map<String, Object> links = new LinkedHashMap<>();
        for (Topology.Link l : Topology.LINKS) {
            links.put(l.name(), Map.of("peerNs", "/var/run/netns/" + peerPrefix + l.index(), "peerIf", l.peerIf()));
        }
        Map<String, Object> rep = request(Map.of("op", "setup", "gw", "/var/run/netns/" + gw, "links", links, "logTag", logTag));
        for (Object w : Json.arr(rep.get("warnings"))) {
            System.err.println("difftest: could not turn off TX checksum offload on " + w
                    + " (captured checksums of the gateway's own packets may be partial)");
        }
        ensureLogAllNetns();
        trace = KernelTrace.start(gw);
        waitForTrace();
    }

    /** The global sysctl that lets non-initial namespaces log (see {@link LogLines}). */
    static final Path LOG_ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");

    private static String readSysctl(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** Sets nf_log_all_netns to 1 (other processes may reset it); false if it cannot be set. */
    boolean ensureLogAllNetns() {
        String now = readSysctl(LOG_ALL_NETNS);
        if ("1".equals(now)) {
            return true;
        }
        if (now != null) {
            logAllNetnsBefore = now;
        }
        try {
            Files.writeString(LOG_ALL_NETNS, "1");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the kernel logs from the gateway namespace right now. */
    boolean logAllNetns() {
        return "1".equals(readSysctl(LOG_ALL_NETNS));
    }

    private void restoreLogAllNetns() {
        if (logAllNetnsBefore != null && !logAllNetnsBefore.equals(readSysctl(LOG_ALL_NETNS))) {
            try {
                Files.writeString(LOG_ALL_NETNS, logAllNetnsBefore);
            } catch (IOException e) {
                System.err.println("difftest: could not restore " + LOG_ALL_NETNS + " to " + logAllNetnsBefore + ": " + e.getMessage());
            }
        }
    }

    private void cleanupAfterExit() {
        removeNamespaces();
        restoreLogAllNetns();
    }

    /** Waits until the trace monitor has subscribed (a sentinel shows up). */
    private void waitForTrace() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            List<String> got = trace.until(sendSentinel(), 200);
            if (trace.died()) {
                throw new IOException("xtables-monitor --trace exited in the gateway namespace");
            }
            if (got != null) {
                trace.clear();
                return;
            }
        }
        throw new IOException("xtables-monitor --trace printed nothing in the gateway namespace");
    }

    private int sendSentinel() throws IOException {
        int n = trace.nextSentinel();
        Topology.Link l = Topology.LINKS.getFirst();
        request(Map.of("op", "sentinel", "via", l.name(), "n", (long) n,
                "dst", l.gwMac().replace(":", ""), "src", l.peerMac().replace(":", "")));
        return n;
    }

    /** The trace lines of one packet and whether they are all there. */
    record Traced(List<String> lines, boolean complete) {
    }

    /**
     * Injects a trace sentinel on eth0 and returns the trace lines printed before it, or null if it
     * did not show up in time. When the monitor died meanwhile, a new one is started and the lines
     * are returned as incomplete.
     */
    Traced traceUntilSentinel() throws IOException {
        List<String> got = trace.until(sendSentinel());
        if (trace.died()) {
            trace.close();
            trace = KernelTrace.start(gw);
            waitForTrace();
            return new Traced(got, false);
        }
        return got == null ? null : new Traced(got, true);
    }

    /** Why the lab cannot run here, or null when it can (root, ip, iptables-restore, nft, python3). */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name")) && !isUid0()) {
            return "needs root (network namespaces)";
        }
        for (String tool : List.of("ip", "iptables-restore", "ip6tables-restore", "iptables-save", "nft", "conntrack", "ipset", "python3")) {
            if (!onPath(tool)) {
                return "needs " + tool + " on PATH";
            }
        }
        return null;
    }

    private static boolean isUid0() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Builds the namespaces (named after this process id) and starts the driver. */
    public static KernelLab start() throws IOException {
        return new KernelLab(Long.toString(ProcessHandle.current().pid()));
    }

    private static Exec run(List<String> argv, String stdin) throws IOException {
        Process p = new ProcessBuilder(argv).start();
        try (var w = p.getOutputStream()) {
            w.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        try {
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(argv.getFirst() + " timed out");
            }
            return new Exec(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private Map<String, Object> request(Map<String, Object> req) throws IOException {
        toDriver.write(Json.write(req));
        toDriver.write('\n');
        toDriver.flush();
        String line = fromDriver.readLine();
        if (line == null) {
            throw new IOException("packet driver exited");
        }
        Map<String, Object> rep = Json.obj(Json.parse(line));
        if (!Boolean.TRUE.equals(rep.get("ok"))) {
            throw new IOException("packet driver: " + rep.get("error"));
        }
        return rep;
    }

    /** Runs a command inside the gateway namespace (the driver forks it there). */
    Exec exec(String stdin, String... argv) throws IOException {
        Map<String, Object> rep = request(Map.of("op", "exec", "argv", List.of(argv), "stdin", stdin));
        return new Exec(((Long) rep.get("rc")).intValue(), (String) rep.get("stdout"), (String) rep.get("stderr"));
    }

    /**
     * Prepares a case: removes every iptables table (both families), flushes conntrack and the
     * delivery sets and every ipset, sets ip_forward, restores {@link Ipsets} when the rules name
     * them, then loads the rulesets. Returns null, or the restore error.
     */
    String load(String rules4, String rules6, boolean ipForward) throws IOException {
        Exec tables = exec("", "nft", "list", "tables");
        StringBuilder del = new StringBuilder();
        for (String line : tables.stdout().split("\n")) {
            String t = line.strip();
            if ((t.startsWith("table ip ") || t.startsWith("table ip6 ")) && !t.contains(" sdt_")) {
                del.append("delete ").append(t).append('\n');
            }
        }
        del.append("flush set inet sdt_sink del4\nflush set inet sdt_sink del6\n");
        Exec d = exec(del.toString(), "nft", "-f", "-");
        if (d.rc() != 0) {
            throw new IOException("nft reset failed: " + d.stderr().strip());
        }
        exec("", "conntrack", "-F");
        exec("", "conntrack", "-F", "-f", "ipv6");
        if (forward == null || ipForward != forward) {
            String v = ipForward ? "1" : "0";
            exec("", "sysctl", "-qw", "net.ipv4.ip_forward=" + v, "net.ipv6.conf.all.forwarding=" + v);
            forward = ipForward;
        }
        exec("", "ipset", "destroy"); // the rules naming them are gone: every set of the last case
        if (Ipsets.used(rules4) || Ipsets.used(rules6)) {
            Exec r = exec(Ipsets.TEXT, "ipset", "restore");
            if (r.rc() != 0) {
                throw new IOException("ipset restore failed: " + r.stderr().strip());
            }
        }
        if (!rules4.isBlank()) {
            Exec r = exec(LogLines.tagged(KernelTrace.withTrace(rules4), logTag), "iptables-restore");
            if (r.rc() != 0) {
                return "iptables-restore: " + r.stderr().strip();
            }
        }
        if (!rules6.isBlank()) {
            Exec r = exec(LogLines.tagged(KernelTrace.withTrace(rules6), logTag), "ip6tables-restore");
            if (r.rc() != 0) {
                return "ip6tables-restore: " + r.stderr().strip();
            }
        }
        return null;
    }

    /** Injects an IP packet on the peer side of {@code via}, or from the gateway itself when via is "local". */
    Sent send(String via, byte[] ip) throws IOException {
        byte[] wire = ip;
        if (!via.equals("local")) {
            Topology.Link l = Topology.link(via);
            wire = new byte[14 + ip.length];
            System.arraycopy(mac(l.gwMac()), 0, wire, 0, 6);
            System.arraycopy(mac(l.peerMac()), 0, wire, 6, 6);
            wire[12] = (byte) (Pkt.version(ip) == 4 ? 0x08 : 0x86);
            wire[13] = (byte) (Pkt.version(ip) == 4 ? 0x00 : 0xdd);
            System.arraycopy(ip, 0, wire, 14, ip.length);
        }
        Map<String, Object> rep = request(Map.of("op", "packet", "via", via, "hex", Pkt.hex(wire)));
        Map<String, List<byte[]>> out = new LinkedHashMap<>();
        Map<String, Object> o = Json.obj(rep.get("out"));
        for (Map.Entry<String, Object> e : o.entrySet()) {
            List<byte[]> frames = new ArrayList<>();
            for (Object h : Json.arr(e.getValue())) {
                frames.add(java.util.HexFormat.of().parseHex((String) h));
            }
            out.put(e.getKey(), frames);
        }
        List<String> log = new ArrayList<>();
        for (Object r : Json.arr(rep.get("log"))) {
            log.add((String) r);
        }
        return new Sent((Long) rep.get("t"), out, (String) rep.get("err"), log);
    }

    static byte[] mac(String m) {
        return java.util.HexFormat.ofDelimiter(":").parseHex(m);
    }

    /** Identities (IPv4 ID / IPv6 flow label) of the packets delivered locally since {@link #load}. */
    Set<Integer> delivered(int family) throws IOException {
        Exec e = exec("", "nft", "-j", "list", "set", "inet", "sdt_sink", family == 4 ? "del4" : "del6");
        Set<Integer> ids = new TreeSet<>();
        for (Object item : Json.arr(Json.obj(Json.parse(e.stdout())).get("nftables"))) {
            Object set = Json.obj(item).get("set");
            if (set != null) {
                for (Object el : Json.arr(Json.obj(set).get("elem"))) {
                    if (el instanceof Long n) {
                        ids.add(n.intValue());
                    }
                }
            }
        }
        return ids;
    }

    /** Per-rule and per-policy counters of both families (see {@link Counters}). */
    Map<String, long[]> counters() throws IOException {
        Map<String, long[]> all = new LinkedHashMap<>();
        all.putAll(Counters.parseSave(4, exec("", "iptables-save", "-c").stdout()));
        all.putAll(Counters.parseSave(6, exec("", "ip6tables-save", "-c").stdout()));
        return all;
    }

    /** The conntrack table, both families, normalised (see {@link ConntrackEntries}). */
    List<String> conntrack() throws IOException {
        List<String> all = new ArrayList<>();
        // conntrack-tools 1.4.7 lists every family without -f
        all.addAll(ConntrackEntries.normalise(exec("", "conntrack", "-L", "-o", "extended").stdout()));
        java.util.Collections.sort(all);
        return all;
    }

    /** Writes the host model of the gateway ({@code ip -j} address, routes and policy rules, plus host.conf sysctls). */
    void writeHostModel(Path dir, boolean ipForward) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("address.json"), exec("", "ip", "-j", "address", "show").stdout());
        Files.writeString(dir.resolve("route.json"), exec("", "ip", "-j", "route", "show", "table", "all").stdout());
        Files.writeString(dir.resolve("route6.json"), exec("", "ip", "-j", "-6", "route", "show", "table", "all").stdout());
        Files.writeString(dir.resolve("rule.json"), exec("", "ip", "-j", "rule", "show").stdout());
        Files.writeString(dir.resolve("rule6.json"), exec("", "ip", "-j", "-6", "rule", "show").stdout());
        StringBuilder conf = new StringBuilder("# written by stockade difftest from the gateway namespace\n");
        conf.append("sysctl net.ipv4.ip_forward=").append(ipForward ? 1 : 0).append('\n');
        conf.append("sysctl net.ipv6.conf.all.forwarding=").append(ipForward ? 1 : 0).append('\n');
        for (String kv : Topology.modelledSysctls()) {
            conf.append("sysctl ").append(kv).append('\n');
        }
        Files.writeString(dir.resolve("host.conf"), conf);
    }

    Path tempDir() {
        return tmp;
    }

    private void removeNamespaces() {
        List<String> names = new ArrayList<>();
        names.add(gw);
        for (Topology.Link l : Topology.LINKS) {
            names.add(peerPrefix + l.index());
        }
        for (String n : names) {
            if (Files.exists(Path.of("/var/run/netns", n))) {
                try {
                    run(List.of("ip", "netns", "del", n), "");
                } catch (IOException e) {
                    System.err.println("difftest: could not delete namespace " + n + ": " + e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        trace.close();
        try {
            toDriver.close();
            if (!driver.waitFor(5, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            driver.destroyForcibly();
        }
        removeNamespaces();
        restoreLogAllNetns();
        try (var files = Files.walk(tmp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // the temp dir is only the driver script; leaving it is harmless
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

}
