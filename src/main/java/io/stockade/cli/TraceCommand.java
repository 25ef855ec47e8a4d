package io.stockade.cli;

import io.stockade.engine.PathResult;
import io.stockade.engine.PacketTap;
import io.stockade.engine.Skb;
import io.stockade.io.CaptureReader;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketPrinter;
import io.stockade.packet.PacketText;
import io.stockade.packet.PacketTextException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code stockade trace [--rules F] [--rules6 F] [--host DIR] [--ipsets F] [--json] [--trace-format legacy|nft] PACKET… | --pcap FILE --index N}:
 * runs packets (the compact textual form of {@link PacketText}, or packet N of a capture) one
 * after the other through one engine — so a later packet sees the connection the earlier ones
 * opened — and prints every table, chain and rule each crosses, what matched, the conntrack
 * state, the verdict, the packets the host generated (REJECT replies) and LOG lines.
 * Packets are 1 ms apart in time. Exit status 0, or 2 for bad arguments or input.
 */
final class TraceCommand {
    private TraceCommand() {
    }

    /**
     * {@code --trace-format}: "legacy" (ip_tables' kernel log lines, the default) or "nft"
     * (xtables-monitor --trace's lines); true for nft.
     */
    static boolean traceFormat(String v) throws Offline.Failure {
        return switch (v) {
            case "legacy" -> false;
            case "nft" -> true;
            default -> throw new Offline.Failure("--trace-format: expected legacy or nft, found '" + v + "'");
        };
    }

    static int run(List<String> args, Path state, PrintStream out, PrintStream err) {
        Path rules = null;
        Path rules6 = null;
        Path host = null;
        boolean json = false;
        boolean nft = false;
        List<String> packets = new ArrayList<>();
        List<Object[]> pcaps = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--rules" -> rules = Path.of(value(args, ++i, a));
                    case "--rules6" -> rules6 = Path.of(value(args, ++i, a));
                    case "--host" -> host = Path.of(value(args, ++i, a));
                    case "--ipsets" -> Offline.loadIpsets(Path.of(value(args, ++i, a)));
                    case "--json" -> json = true;
                    case "--trace-format" -> nft = traceFormat(value(args, ++i, a));
                    case "--pcap" -> {
                        Path p = Path.of(value(args, ++i, a));
                        if (i + 2 >= args.size() || !args.get(i + 1).equals("--index")) {
                            throw new Offline.Failure("--pcap FILE must be followed by --index N");
                        }
                        i += 2;
                        pcaps.add(new Object[] {p, number(args.get(i))});
                    }
                    default -> {
                        if (a.startsWith("--")) {
                            throw new Offline.Failure("unknown option '" + a + "'");
                        }
                        packets.add(a);
                    }
                }
            }
            if (packets.isEmpty() && pcaps.isEmpty()) {
                throw new Offline.Failure("expected at least one PACKET (e.g. 'in eth0 tcp 192.0.2.9:40000 > 192.0.2.1:22 syn') or --pcap FILE --index N");
            }
            Offline off = Offline.open(rules, rules6, host, state);
            if (nft) {
                off.nftTraceFormat();
            }
            TraceRecorder rec = new TraceRecorder();
            off.nf.trace(rec);
            List<String> emitted = new ArrayList<>();
            off.nf.tap((PacketTap) (skb, iface, generated) -> {
                if (generated) {
                    emitted.add(iface + " " + PacketPrinter.format(skb.pd));
                }
            });
            PacketFeeder feeder = new PacketFeeder(off.nf);
            PathResult res = new PathResult();
            int n = 0;
            long time = 1_000_000_000L;
            for (String p : packets) {
                n++;
                PacketText.Spec spec;
                try {
                    spec = PacketText.parse(p);
                } catch (PacketTextException e) {
                    throw new Offline.Failure("packet " + n + ": " + e.getMessage());
                }
                byte[] bytes = spec.build();
                boolean framed = (" " + p + " ").contains(" mac ") || (" " + p + " ").contains(" vlan ");
                int lt = framed ? LinkLayer.LINKTYPE_ETHERNET : LinkLayer.LINKTYPE_RAW;
                String iface = spec.iface() == null ? "eth0" : spec.iface();
                feeder.owner(spec.owner());
                one(off, rec, emitted, feeder, res, n, p, lt, MemorySegment.ofArray(bytes), 0, bytes.length, bytes.length,
                        iface, spec.direction() == 2, time, json, out);
                time += 1_000_000L;
            }
            for (Object[] pc : pcaps) {
                n++;
                Path file = (Path) pc[0];
                int index = (Integer) pc[1];
                try (CaptureReader r = CaptureReader.open(file)) {
                    int k = 0;
                    boolean found = false;
                    while (r.next()) {
                        if (++k == index) {
                            found = true;
                            String iface = feeder.ingressName(r, off.host, "eth0");
                            feeder.owner(null);
                            one(off, rec, emitted, feeder, res, n, file + " #" + index, r.linkType(), r.data(), r.offset(),
                                    r.capturedLength(), r.originalLength(), iface,
                                    r.direction() == CaptureReader.DIRECTION_OUTBOUND, r.timestampNanos(), json, out);
                            break;
                        }
                    }
                    if (!found) {
                        throw new Offline.Failure(file + ": has " + k + " packets, no packet " + index);
                    }
                }
            }
            return 0;
        } catch (Offline.Failure e) {
            err.println("stockade trace: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("stockade trace: " + e.getMessage());
            return 2;
        }
    }

    private static void one(Offline off, TraceRecorder rec, List<String> emitted, PacketFeeder feeder, PathResult res,
                            int n, String label, int linkType, MemorySegment data, long offset, int caplen, int orig,
                            String iface, boolean outbound, long time, boolean json, PrintStream out) {
        rec.clear();
        emitted.clear();
        off.logLines.clear();
        boolean ip = feeder.run(linkType, data, offset, caplen, orig, iface, outbound, time, res);
        Skb skb = feeder.skb;
        if (!ip) {
            out.println(json ? "{\"packet\":" + n + ",\"verdict\":\"skip\",\"reason\":\"not an IP packet\"}"
                    : "packet " + n + ": not an IP packet (skipped)");
            return;
        }
        String pretty = skb.pd.dropReason == io.stockade.packet.DropReason.NONE ? PacketPrinter.format(skb.pd) : "malformed";
        if (json) {
            StringBuilder b = new StringBuilder("{\"packet\":").append(n).append(",\"input\":");
            Offline.jsonString(b, label);
            b.append(",\"summary\":");
            Offline.jsonString(b, (outbound ? "out " : "in " + iface + " ") + pretty);
            b.append(",\"steps\":[").append(String.join(",", rec.json)).append("]");
            appendResult(b, res);
            b.append(",\"emitted\":[");
            for (int i = 0; i < emitted.size(); i++) {
                Offline.jsonString(b.append(i > 0 ? "," : ""), emitted.get(i));
            }
            b.append("],\"log\":[");
            for (int i = 0; i < off.logLines.size(); i++) {
                Offline.jsonString(b.append(i > 0 ? "," : ""), off.logLines.get(i));
            }
            out.println(b.append("]}"));
            return;
        }
        out.println("packet " + n + ": " + (outbound ? "out " : "in " + iface + " ") + pretty);
        for (String line : rec.text) {
            out.println(line);
        }
        StringBuilder b = new StringBuilder("  verdict: ").append(res.verdictName().toUpperCase());
        if (res.path != null) {
            b.append(", path ").append(res.path.name());
        }
        if (!res.out.isEmpty()) {
            b.append(", out ").append(res.out);
        }
        String rule = res.ruleName();
        if (rule != null) {
            b.append(", rule ").append(rule);
        }
        if (res.engineDrop != null) {
            b.append(", dropped by the host: ").append(res.engineDrop.label);
        }
        if (res.malformed != io.stockade.packet.DropReason.NONE) {
            b.append(", malformed: ").append(res.malformed.label);
        }
        String ct = Offline.ctState(res.ctStateBits);
        b.append(", ctstate ").append(ct.isEmpty() ? "-" : ct);
        out.println(b);
        for (String e : emitted) {
            out.println("  emitted: " + e);
        }
        for (String l : off.logLines) {
            out.println("  log: " + l);
        }
    }

    /** The verdict fields shared by trace --json and replay --verdicts. */
    static void appendResult(StringBuilder b, PathResult res) {
        b.append(",\"verdict\":\"").append(res.verdictName()).append('"');
        b.append(",\"path\":").append(res.defragHeld ? "\"defrag\"" : res.path == null ? "null" : "\"" + res.path.name() + "\"");
        b.append(",\"out\":");
        if (res.out.isEmpty() || res.path == io.stockade.rules.Hook.INPUT) {
            b.append("null");
        } else {
            Offline.jsonString(b, res.out);
        }
        String ct = Offline.ctState(res.ctStateBits);
        b.append(",\"ctstate\":").append(ct.isEmpty() ? "null" : "\"" + ct + "\"");
        String rule = res.ruleName();
        b.append(",\"rule\":").append(rule == null ? "null" : "\"" + rule + "\"");
        if (res.engineDrop != null) {
            b.append(",\"reason\":\"").append(res.engineDrop.label).append('"');
        } else if (res.malformed != io.stockade.packet.DropReason.NONE) {
            b.append(",\"reason\":\"").append(res.malformed.label).append('"');
        }
    }

    static String value(List<String> args, int i, String opt) throws Offline.Failure {
        if (i >= args.size()) {
            throw new Offline.Failure("option " + opt + " needs a value");
        }
        return args.get(i);
    }

    static int number(String s) throws Offline.Failure {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new Offline.Failure("expected a number, found '" + s + "'");
        }
    }
}
