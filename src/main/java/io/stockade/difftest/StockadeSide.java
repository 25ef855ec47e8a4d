package io.stockade.difftest;

import io.stockade.host.Json;
import io.stockade.io.CaptureReader;
import io.stockade.io.PcapngWriter;
import io.stockade.packet.LinkLayer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a case through Stockade in-process with the same command a user types:
 * {@code stockade replay --rules R4 --rules6 R6 --host DIR -o OUT.pcapng --verdicts V.jsonl --conntrack CT IN.pcapng},
 * where IN holds the case's packets with the kernel run's timestamps (inbound on eth0/eth1,
 * outbound-flagged on their egress interface — {@code lo} for the gateway's own addresses — for
 * packets the gateway sends), then reads OUT (a packet on interface {@code local} is delivered; others
 * left through that interface) and the verdict lines (their {@code rule} is the deciding rule).
 * Output packets are attributed to the input packet with the latest timestamp not after theirs.
 */
final class StockadeSide {
    private final Path work;

    StockadeSide(Path work) {
        this.work = work;
    }

    static String egressOfLocal(byte[] ip) {
        byte[] dst = Pkt.version(ip) == 4 ? java.util.Arrays.copyOfRange(ip, 16, 20) : java.util.Arrays.copyOfRange(ip, 24, 40);
        String d;
        try {
            d = java.net.InetAddress.getByAddress(dst).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        for (Topology.Link l : Topology.LINKS) {
            if (d.equals(l.gw4()) || java.net.InetAddress.ofLiteral(l.gw6()).equals(java.net.InetAddress.ofLiteral(d))) {
                return "lo";
            }
        }
        if (d.startsWith("10.0.0.") || d.startsWith(Topology.LAN4) || d.startsWith("fd00:0:0:0:") || d.startsWith("fd00:10:")) {
            return "eth0";
        }
        return "eth1";
    }

    Observation run(DiffCase c, Path hostDir, List<Long> times) throws IOException {
        Files.createDirectories(work);
        Path r4 = work.resolve("rules4");
        Path r6 = work.resolve("rules6");
        Path in = work.resolve("in.pcapng");
        Path out = work.resolve("out.pcapng");
        Path verdicts = work.resolve("verdicts.jsonl");
        Path ct = work.resolve("conntrack.txt");
        Files.deleteIfExists(ct);
        Files.deleteIfExists(out);
        Files.deleteIfExists(verdicts);
        // The same TRACE rules as on the kernel side, and the trace in xtables-monitor's form.
        Files.writeString(r4, KernelTrace.withTrace(c.rules4()));
        Files.writeString(r6, KernelTrace.withTrace(c.rules6()));
        try (PcapngWriter w = new PcapngWriter(in)) {
            for (Topology.Link l : Topology.LINKS) {
                w.addInterface(l.name(), LinkLayer.LINKTYPE_ETHERNET, 262144);
            }
            w.addInterface("lo", LinkLayer.LINKTYPE_ETHERNET, 262144);
            for (int k = 0; k < c.packets().size(); k++) {
                CasePacket p = c.packets().get(k);
                boolean local = p.via().equals("local");
                String iface = local ? egressOfLocal(p.ip()) : p.via();
                int idx = iface.equals("lo") ? Topology.LINKS.size() : Topology.link(iface).index();
                byte[] frame = new byte[14 + p.ip().length];
                if (!local) {
                    Topology.Link l = Topology.link(iface);
                    System.arraycopy(KernelLab.mac(l.gwMac()), 0, frame, 0, 6);
                    System.arraycopy(KernelLab.mac(l.peerMac()), 0, frame, 6, 6);
                } else if (!iface.equals("lo")) {
                    Topology.Link l = Topology.link(iface);
                    System.arraycopy(KernelLab.mac(l.peerMac()), 0, frame, 0, 6);
                    System.arraycopy(KernelLab.mac(l.gwMac()), 0, frame, 6, 6);
                }
                frame[12] = (byte) (p.family() == 4 ? 0x08 : 0x86);
                frame[13] = (byte) (p.family() == 4 ? 0x00 : 0xdd);
                System.arraycopy(p.ip(), 0, frame, 14, p.ip().length);
                w.write(idx, times.get(k), frame, 0, frame.length,
                        local ? CaptureReader.DIRECTION_OUTBOUND : CaptureReader.DIRECTION_INBOUND);
            }
        }
        List<String> args = new ArrayList<>(List.of("replay"));
        if (!c.rules4().isBlank()) {
            args.addAll(List.of("--rules", r4.toString()));
        }
        if (!c.rules6().isBlank()) {
            args.addAll(List.of("--rules6", r6.toString()));
        }
        if (Ipsets.used(c.rules4()) || Ipsets.used(c.rules6())) {
            Path sets = work.resolve("ipsets");
            Files.writeString(sets, Ipsets.TEXT);
            args.addAll(List.of("--ipsets", sets.toString()));
        }
        args.addAll(List.of("--trace-format", "nft"));
        args.addAll(List.of("--host", hostDir.toString(), "-o", out.toString(), "--verdicts", verdicts.toString(),
                "--conntrack", ct.toString(), in.toString()));
        ByteArrayOutputStream so = new ByteArrayOutputStream();
        ByteArrayOutputStream se = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int rc;
        try {
            System.setOut(new PrintStream(so, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(se, true, StandardCharsets.UTF_8));
            rc = io.stockade.cli.Main.run(args.toArray(String[]::new));
        } catch (RuntimeException e) {
            return new Observation(List.of(), null, null, "stockade replay threw " + e);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String err = se.toString(StandardCharsets.UTF_8).strip();
        if (rc != 0 || !Files.exists(verdicts)) {
            return new Observation(List.of(), null, null, "stockade replay exit " + rc + ": " + firstLine(err));
        }
        Observation o = read(c, times, out, verdicts);
        Map<String, long[]> counters = NvlCounters.parse(so.toString(StandardCharsets.UTF_8));
        List<String> conntrack = null;
        if (Files.exists(ct)) {
            conntrack = new ArrayList<>(ConntrackEntries.normalise(Files.readString(ct)));
            java.util.Collections.sort(conntrack);
        }
        return new Observation(o.packets(), counters.isEmpty() ? null : counters, conntrack, null);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static byte[] ipOf(int linkType, byte[] frame) {
        return switch (linkType) {
            case 1 -> Classifier.ipOfEthernet(frame);
            case 101, 228, 229 -> frame;
            case 113 -> frame.length > 16 ? java.util.Arrays.copyOfRange(frame, 16, frame.length) : null;
            case 276 -> frame.length > 20 ? java.util.Arrays.copyOfRange(frame, 20, frame.length) : null;
            default -> null;
        };
    }

    static Observation read(DiffCase c, List<Long> times, Path out, Path verdicts) throws IOException {
        int n = c.packets().size();
        List<Map<String, List<byte[]>>> seen = new ArrayList<>();
        List<List<byte[]>> local = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            seen.add(new LinkedHashMap<>());
            local.add(new ArrayList<>());
        }
        if (Files.exists(out)) {
            try (CaptureReader cap = CaptureReader.open(out)) {
                while (cap.next()) {
                    byte[] frame = cap.data().asSlice(cap.offset(), cap.capturedLength()).toArray(ValueLayout.JAVA_BYTE);
                    byte[] ip = ipOf(cap.linkType(), frame);
                    if (ip == null || ip.length < 20) {
                        continue;
                    }
                    int k = 0;
                    for (int j = 0; j < n; j++) {
                        if (times.get(j) <= cap.timestampNanos()) {
                            k = j;
                        }
                    }
                    String name = cap.interfaceName();
                    if ("local".equals(name)) {
                        local.get(k).add(ip);
                    } else {
                        seen.get(k).computeIfAbsent(name, x -> new ArrayList<>()).add(ip);
                    }
                }
            }
        }
        List<List<String>> rules = new ArrayList<>();
        List<List<String>> logs = new ArrayList<>();
        List<List<String>> traces = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            rules.add(new ArrayList<>());
            logs.add(new ArrayList<>());
            traces.add(new ArrayList<>());
        }
        for (String line : Files.readAllLines(verdicts)) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> v = Json.obj(Json.parse(line));
            int k = ((Long) v.get("packet")).intValue() - 1;
            Object rule = v.get("rule");
            if (k >= 0 && k < n && rule instanceof String s && !s.isEmpty()) {
                rules.get(k).add(s);
            }
            if (k >= 0 && k < n && v.get("log") instanceof List<?> lines) {
                for (Object l : lines) {
                    (TraceLines.isTraceLine((String) l) ? traces : logs).get(k).add((String) l);
                }
            }
        }
        List<Observation.PacketOutcome> outcomes = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            byte[] sent = c.packets().get(k).ip();
            boolean delivered = false;
            for (byte[] ip : local.get(k)) {
                delivered |= Classifier.isSame(sent, ip) || Pkt.identity(ip) == Pkt.identity(sent);
            }
            CasePacket p = c.packets().get(k);
            String rule = rules.get(k).isEmpty() ? null : rules.get(k).getFirst();
            if (rule != null && rule.startsWith("raw:") && !KernelTrace.hasRaw(p.family() == 4 ? c.rules4() : c.rules6())) {
                rule = null; // the harness's own raw table (TRACE) decided nothing
            }
            String decided = rule == null ? null : p.family() + ":" + rule;
            List<String> log = LogLines.normalise(logs.get(k), p.identity(),
                    LogLines.untaggable(p.family() == 4 ? c.rules4() : c.rules6()));
            outcomes.add(Classifier.outcome(sent, seen.get(k), delivered, rules.get(k), times.get(k)).withTraceAndLog(decided, log,
                    TraceLines.normalise(traces.get(k), p.identity(), null)));
        }
        return new Observation(outcomes, null, null, null);
    }
}
