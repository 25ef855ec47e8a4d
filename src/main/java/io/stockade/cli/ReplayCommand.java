package io.stockade.cli;

import io.stockade.engine.EngineDrop;
import io.stockade.engine.PathResult;
import io.stockade.io.CaptureReader;
import io.stockade.io.PcapngWriter;
import io.stockade.packet.DropReason;
import io.stockade.packet.LinkLayer;
import io.stockade.rules.Chain;
import io.stockade.rules.Family;
import io.stockade.rules.Rule;
import io.stockade.rules.Table;
import io.stockade.rules.TableKind;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Listing;
import io.stockade.syntax.SaveFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stockade replay [--rules F] [--rules6 F] [--host DIR] [--ipsets F] [--in IFACE] [-o OUT.pcapng]
 * [--verdicts FILE.jsonl] [--quiet] [--trace-format legacy|nft] CAPTURE}: runs every packet of a pcap/pcapng capture through
 * the engine in capture order, on capture time. The ingress interface is the pcapng interface
 * name (or the SLL2 interface index looked up in the host model), else {@code --in} (default
 * eth0); packets the capture marks outbound take the locally generated path (OUTPUT).
 *
 * <p>{@code -o} writes every packet that leaves an interface (forwarded, sent, generated) as a
 * pcapng with one interface per output interface (Ethernet framing with placeholder MACs
 * 02:00:00:00:00:01 → 02:00:00:00:00:02), plus an interface {@code local} for
 * what is delivered to the host. {@code --verdicts} writes one JSON line per input packet:
 * {@code packet} (from 1), {@code verdict} (accept/drop/reject/queue), {@code path}
 * (INPUT/FORWARD/OUTPUT), {@code out}, {@code ctstate}, {@code rule} ({@code filter:INPUT:3} or
 * {@code filter:INPUT:policy}), and {@code reason} for drops no rule decided. {@code --conntrack FILE}
 * writes the conntrack table at the end in {@code conntrack -L} form. At the end it
 * prints the counters in {@code iptables -nvL} form and the drop-reason totals.
 */
final class ReplayCommand {
    private ReplayCommand() {
    }

    /** Summary of a replay (also for tests and the demo). */
    record Summary(long packets, long accepted, long dropped, long rejected, long queued, long nonIp, long emitted) {
    }

    static int run(List<String> args, Path state, PrintStream out, PrintStream err) {
        Path rules = null;
        Path rules6 = null;
        Path host = null;
        Path outPcap = null;
        Path verdicts = null;
        String in = "eth0";
        Path capture = null;
        boolean quiet = false;
        Path conntrackOut = null;
        boolean nft = false;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--rules" -> rules = Path.of(TraceCommand.value(args, ++i, a));
                    case "--rules6" -> rules6 = Path.of(TraceCommand.value(args, ++i, a));
                    case "--host" -> host = Path.of(TraceCommand.value(args, ++i, a));
                    case "--ipsets" -> Offline.loadIpsets(Path.of(TraceCommand.value(args, ++i, a)));
                    case "--in" -> in = TraceCommand.value(args, ++i, a);
                    case "-o" -> outPcap = Path.of(TraceCommand.value(args, ++i, a));
                    case "--verdicts" -> verdicts = Path.of(TraceCommand.value(args, ++i, a));
                    case "--conntrack" -> conntrackOut = Path.of(TraceCommand.value(args, ++i, a));
                    case "--quiet", "-q" -> quiet = true;
                    case "--trace-format" -> nft = TraceCommand.traceFormat(TraceCommand.value(args, ++i, a));
                    default -> {
                        if (a.startsWith("-") && !a.equals("-")) {
                            throw new Offline.Failure("unknown option '" + a + "'");
                        }
                        if (capture != null) {
                            throw new Offline.Failure("expected one CAPTURE, found a second: '" + a + "'");
                        }
                        capture = Path.of(a);
                    }
                }
            }
            if (capture == null) {
                throw new Offline.Failure("expected a CAPTURE file (pcap or pcapng)");
            }
            Offline off = Offline.open(rules, rules6, host, state);
            if (nft) {
                off.nftTraceFormat();
            }
            replay(off, capture, in, outPcap, verdicts, null, System.console() != null && !quiet ? err : null);
            if (conntrackOut != null) { // the table at the end, as `conntrack -L` prints it (stockade difftest reads it)
                java.io.ByteArrayOutputStream ct = new java.io.ByteArrayOutputStream();
                io.stockade.conntrack.ConntrackCli.run(off.conntrack, new String[] {"-L"},
                        new PrintStream(ct, true, StandardCharsets.UTF_8), new PrintStream(java.io.OutputStream.nullOutputStream()));
                Files.write(conntrackOut, ct.toByteArray());
            }
            if (!quiet) {
                printCounters(off, out);
            }
            return 0;
        } catch (Offline.Failure e) {
            err.println("stockade replay: " + e.getMessage());
            return 2;
        } catch (IOException | UncheckedIOException e) {
            err.println("stockade replay: " + e.getMessage());
            return 2;
        }
    }

    /** Observes each input packet after it ran (the demo prints a line per packet). */
    interface PerPacket {
        void after(long index, PathResult res, PacketFeeder feeder, List<String> generated);
    }

    /** Replays {@code capture} through {@code off}. */
    static Summary replay(Offline off, Path capture, String defaultIn, Path outPcap, Path verdicts, PerPacket each,
                          PrintStream progress) throws IOException {
        PacketFeeder feeder = new PacketFeeder(off.nf);
        PathResult res = new PathResult();
        Map<String, Integer> ifaceIds = new HashMap<>();
        List<String> generated = new java.util.ArrayList<>();
        long[] emittedTotal = {0};
        long packets = 0;
        long accepted = 0;
        long dropped = 0;
        long rejected = 0;
        long queued = 0;
        long size = Files.size(capture);
        try (CaptureReader reader = CaptureReader.open(capture);
             PcapngWriter writer = outPcap == null ? null : new PcapngWriter(outPcap);
             BufferedWriter vw = verdicts == null ? null : Files.newBufferedWriter(verdicts, StandardCharsets.UTF_8)) {
            long[] now = {0};
            byte[] frame = new byte[14 + 65536];
            frame[0] = 0x02;
            frame[5] = 0x02;
            frame[6] = 0x02;
            frame[11] = 0x01;
            off.nf.tap((skb, iface, gen) -> {
                if (gen) {
                    emittedTotal[0]++;
                    if (each != null) {
                        generated.add(iface + " " + io.stockade.packet.PacketPrinter.format(skb.pd));
                    }
                }
                if (writer == null) {
                    return;
                }
                try {
                    Integer id = ifaceIds.get(iface);
                    if (id == null) {
                        // Ethernet framing: libpcap refuses several raw-IP interfaces in one pcapng.
                        id = writer.addInterface(iface, LinkLayer.LINKTYPE_ETHERNET, 262144);
                        ifaceIds.put(iface, id);
                    }
                    int len = Math.min(skb.pd.length - (int) skb.pd.base, frame.length - 14);
                    frame[12] = (byte) (skb.pd.ipVersion == 6 ? 0x86 : 0x08);
                    frame[13] = (byte) (skb.pd.ipVersion == 6 ? 0xdd : 0x00);
                    MemorySegment.copy(skb.pd.data, ValueLayout.JAVA_BYTE, skb.pd.base, frame, 14, len);
                    writer.write(id, now[0], MemorySegment.ofArray(frame), 0, len + 14,
                            Math.max(len, skb.pd.ipTotalLength) + 14,
                            iface.equals("local") ? CaptureReader.DIRECTION_INBOUND : CaptureReader.DIRECTION_OUTBOUND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            StringBuilder line = new StringBuilder(256);
            long lastProgress = 0;
            while (reader.next()) {
                packets++;
                now[0] = reader.timestampNanos();
                String iface = feeder.ingressName(reader, off.host, defaultIn);
                generated.clear();
                off.logLines.clear();
                boolean outbound = reader.direction() == CaptureReader.DIRECTION_OUTBOUND;
                boolean ip = feeder.run(reader.linkType(), reader.data(), reader.offset(), reader.capturedLength(),
                        reader.originalLength(), iface, outbound, reader.timestampNanos(), res);
                if (!ip) {
                    if (vw != null) {
                        vw.write("{\"packet\":" + packets + ",\"verdict\":\"skip\",\"reason\":\"not-ip\"}\n");
                    }
                    continue;
                }
                switch (res.outcome) {
                    case PathResult.ACCEPTED -> accepted++;
                    case PathResult.REJECTED -> rejected++;
                    case PathResult.QUEUED -> queued++;
                    default -> dropped++;
                }
                if (vw != null) {
                    line.setLength(0);
                    line.append("{\"packet\":").append(packets);
                    TraceCommand.appendResult(line, res);
                    if (!off.logLines.isEmpty()) {
                        line.append(",\"log\":[");
                        for (int i = 0; i < off.logLines.size(); i++) {
                            Offline.jsonString(line.append(i > 0 ? "," : ""), off.logLines.get(i));
                        }
                        line.append(']');
                    }
                    vw.append(line).append("}\n");
                }
                if (each != null) {
                    each.after(packets, res, feeder, generated);
                }
                if (progress != null && (packets & 0x3fff) == 0) {
                    long pos = reader.offset();
                    long pct = size == 0 ? 100 : Math.min(100, pos * 100 / size);
                    if (pct != lastProgress) {
                        lastProgress = pct;
                        progress.print("\r[" + "#".repeat((int) pct / 5) + " ".repeat(20 - (int) pct / 5) + "] " + pct
                                + "% " + packets + " packets");
                    }
                }
            }
            if (progress != null && packets >= 0x4000) {
                progress.println();
            }
        }
        off.nf.tap(null);
        off.nf.ruleset().writeCounters(off.ruleset);
        return new Summary(packets, accepted, dropped, rejected, queued, feeder.nonIp, emittedTotal[0]);
    }

    /** Counters in {@code iptables -nvL} form for every table with rules, user chains or a DROP policy, then drop reasons. */
    static void printCounters(Offline off, PrintStream out) {
        Listing listing = new Listing(true, true, false, false, HostResolver.STATIC);
        for (Family f : Family.values()) {
            for (TableKind k : SaveFormat.ORDER) {
                Table t = off.ruleset.table(f, k);
                if (!used(t)) {
                    continue;
                }
                StringBuilder b = new StringBuilder();
                b.append("# ").append(f.command).append(" -t ").append(k.tableName).append(" -nvL\n");
                boolean first = true;
                for (Chain c : t.chains()) {
                    if (!first) {
                        b.append('\n');
                    }
                    first = false;
                    listing.header(b, t, c);
                    for (Rule r : c.rules()) {
                        listing.rule(b, r, 0);
                    }
                }
                out.print(b);
                out.println();
            }
        }
        StringBuilder d = new StringBuilder("Drops not decided by a rule:");
        boolean any = false;
        for (EngineDrop e : EngineDrop.values()) {
            long n = off.nf.engineDrops[e.ordinal()];
            if (n > 0) {
                d.append("\n  ").append(e.label).append(": ").append(n);
                any = true;
            }
        }
        for (DropReason r : DropReason.values()) {
            long n = off.nf.malformedDrops[r.ordinal()];
            if (n > 0) {
                d.append("\n  ").append(r.label).append(": ").append(n);
                any = true;
            }
        }
        out.println(any ? d : d.append(" none"));
    }

    private static boolean used(Table t) {
        for (Chain c : t.chains()) {
            if (!c.rules().isEmpty() || !c.builtin()
                    || c.policy() != io.stockade.rules.RuleTarget.Standard.Kind.ACCEPT) {
                return true;
            }
        }
        return false;
    }

}
