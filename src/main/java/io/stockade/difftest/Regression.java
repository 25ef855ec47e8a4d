package io.stockade.difftest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a reproduction printed by {@code stockade difftest} calls from a JUnit test: runs the
 * packets through Stockade (no root, no namespaces) on the harness topology and returns each
 * packet's fate ({@code drop}, {@code local}, {@code forward:eth1}…) with the packets the gateway
 * emitted because of it, to assert against the kernel's, which the reproduction carries. The host model is the hand-written {@code host.conf}
 * form of {@link Topology}.
 */
public final class Regression {
    private Regression() {
    }

    /** A packet of a reproduction: where it enters ({@code eth0}, {@code eth1}, {@code local}) and its IP bytes in hex. */
    public record Packet(String via, String hex) {
    }

    public static Packet packet(String via, String hex) {
        return new Packet(via, hex);
    }

    /**
     * @param timesNanos one timestamp per packet (the kernel run's, relative)
     * @return per packet, Stockade's {@link #describe description} of it, or a single {@code error: …} entry
     */
    public static List<String> stockadeOutcomes(String rules4, String rules6, boolean forward, List<Packet> packets,
            long[] timesNanos) throws IOException {
        return run(rules4, rules6, forward, packets, timesNanos, Regression::describe);
    }

    /**
     * Per packet, the LOG lines Stockade wrote for it ({@code <PRI>TEXT}, normalised as the
     * harness compares them), or a single {@code error: …} entry.
     */
    public static List<String> stockadeLogLines(String rules4, String rules6, boolean forward, List<Packet> packets,
            long[] timesNanos) throws IOException {
        return run(rules4, rules6, forward, packets, timesNanos, o -> String.join("\n", o.log()));
    }

    private static List<String> run(String rules4, String rules6, boolean forward, List<Packet> packets,
            long[] timesNanos, java.util.function.Function<Observation.PacketOutcome, String> describe) throws IOException {
        Path dir = Files.createTempDirectory("sdt-regression-");
        try {
            Path host = dir.resolve("host");
            writeHandWrittenHost(host, forward);
            List<CasePacket> ps = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (int k = 0; k < packets.size(); k++) {
                ps.add(new CasePacket(packets.get(k).via(), java.util.HexFormat.of().parseHex(packets.get(k).hex()), "p" + (k + 1)));
                times.add(timesNanos[k]);
            }
            DiffCase c = new DiffCase(0, 0, Set.of(), rules4, rules6, forward, ps);
            Observation o = new StockadeSide(dir.resolve("work")).run(c, host, times);
            if (o.packets().isEmpty() && o.error() != null) {
                return List.of("error: " + o.error());
            }
            return o.packets().stream().map(describe).toList();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A packet's fate, then what the gateway emitted because of it (normalised, sorted), as one line. */
    static String describe(Observation.PacketOutcome o) {
        List<String> emitted = new ArrayList<>(o.emitted());
        emitted.sort(null);
        return emitted.isEmpty() ? o.fate() : o.fate() + " emitted " + String.join(" ", emitted);
    }

    /** The harness topology in the engine's hand-written host.conf form. */
    static void writeHandWrittenHost(Path dir, boolean forward) throws IOException {
        Files.createDirectories(dir);
        StringBuilder s = new StringBuilder("# stockade difftest topology\n");
        s.append("iface lo 127.0.0.1/8 ::1/128 mtu 65536\n");
        for (Topology.Link l : Topology.LINKS) {
            s.append("iface ").append(l.name()).append(' ').append(l.gw4()).append("/24 ").append(l.gw6()).append("/64 mtu 1500\n");
        }
        s.append("route ").append(Topology.LAN4).append("0/24 via 10.0.0.2 dev eth0\n");
        s.append("route ").append(Topology.LAN6).append("/64 via fd00::2 dev eth0\n");
        s.append("route default via 10.0.1.2 dev eth1\n");
        s.append("route default via fd00:1::2 dev eth1\n");
        s.append("route ").append(Topology.NARROW4).append("0/24 via 10.0.1.2 dev eth1 mtu ").append(Topology.NARROW_MTU).append('\n');
        s.append("route ").append(Topology.NARROW6).append("/64 via fd00:1::2 dev eth1 mtu ").append(Topology.NARROW_MTU).append('\n');
        s.append("sysctl net.ipv4.ip_forward=").append(forward ? 1 : 0).append('\n');
        s.append("sysctl net.ipv6.conf.all.forwarding=").append(forward ? 1 : 0).append('\n');
        for (String kv : Topology.modelledSysctls()) {
            s.append("sysctl ").append(kv).append('\n');
        }
        Files.writeString(dir.resolve("host.conf"), s);
    }
}
