package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * IPv4 options on the receive path (ip_rcv_options) against Linux: packets with options go
 * through the gateway namespace of {@link KernelLab} and through Stockade on the host model
 * dumped from it; fates, forwarded bytes (record route filled with the outgoing address, a full
 * timestamp's overflow counter) and the ICMP parameter problems (pointer to the bad byte) must
 * agree, and the kernel must really have sent each error the case is about.
 */
@Tag("kernel")
class KernelIpOptionsTest {
    private static final String RULES4 = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -p udp -j ACCEPT
            COMMIT
            """;

    private static int id = 0x2000;

    /** A UDP packet from the LAN with the given option bytes (a multiple of 4). */
    private static CasePacket udp(String dst, String label, int... opts) {
        return udp(64, dst, label, opts);
    }

    private static CasePacket udp(int ttl, String dst, String label, int... opts) {
        byte[] src = Pkt.addr("192.168.10.3");
        byte[] d = Pkt.addr(dst);
        byte[] plain = Pkt.ipv4(src, d, Pkt.UDP, ttl, id++, 0x4000, Pkt.udp(src, d, 40000, 53, new byte[12]));
        byte[] ip = new byte[plain.length + opts.length];
        System.arraycopy(plain, 0, ip, 0, 20);
        for (int i = 0; i < opts.length; i++) {
            ip[20 + i] = (byte) opts[i];
        }
        System.arraycopy(plain, 20, ip, 20 + opts.length, plain.length - 20);
        ip[0] = (byte) (0x40 | (20 + opts.length) / 4);
        ip[2] = (byte) (ip.length >>> 8);
        ip[3] = (byte) ip.length;
        ip[10] = 0;
        ip[11] = 0;
        int c = Pkt.checksum(ip, 0, 20 + opts.length, 0);
        ip[10] = (byte) (c >>> 8);
        ip[11] = (byte) c;
        return new CasePacket("eth0", ip, label + " to " + dst);
    }

    @Test
    void optionsAreHandledAsTheKernelDoes() throws Exception {
        String why = KernelLab.unavailableReason();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the IPv4 options kernel test must run, but it " + why);
            }
            assumeTrue(false, "IPv4 options kernel test skipped: it " + why);
        }
        String wan = "203.0.113.5";
        String gw = "10.0.0.1";
        // each packet and the ICMP type the kernel must send about it (-1: none)
        List<CasePacket> packets = List.of(
                udp(wan, "record route, two free slots", 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                udp(wan, "record route full", 7, 7, 8, 1, 2, 3, 4, 0),
                udp(wan, "timestamp full, overflow 1", 68, 8, 9, 0x10, 0, 0, 0, 0),
                udp(wan, "router alert", 148, 4, 0, 0),
                udp(wan, "record route length 2", 7, 2, 0, 0),
                udp(wan, "option past the header", 1, 68, 40, 5),
                udp(wan, "timestamp overflow 15", 68, 8, 9, 0xf0, 0, 0, 0, 0),
                udp(wan, "loose source route", 131, 7, 4, 10, 0, 1, 2, 0),
                udp(wan, "bad source route pointer", 131, 7, 3, 10, 0, 1, 2, 0),
                udp(gw, "record route length 2 (local)", 7, 2, 0, 0),
                udp(gw, "strict source route (local)", 137, 7, 4, 10, 0, 1, 2, 0),
                udp(gw, "end of list then garbage", 0, 7, 3, 4),
                udp(wan, "record route pointer into the last slot", 7, 7, 6, 0, 0, 0, 0, 0),
                udp(wan, "timestamp with another's prespecified address", 68, 12, 5, 3, 1, 2, 3, 4, 0, 0, 0, 0),
                udp(wan, "timestamp of an unknown kind", 68, 8, 5, 2, 0, 0, 0, 0),
                udp(wan, "timestamp and address without room for both", 68, 8, 5, 1, 0, 0, 0, 0),
                // the error echoes the options compiled before it (__ip_options_echo)
                udp(wan, "two record routes", 7, 3, 4, 7, 3, 4, 0, 0),
                udp(wan, "record route filled, then a bad router alert", 7, 7, 4, 0, 0, 0, 0, 148, 2, 0, 0, 0),
                udp(1, wan, "TTL 1 with a record route of two slots", 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                udp(1, wan, "TTL 1 with a record route of one slot", 7, 7, 4, 0, 0, 0, 0, 0));
        int[] icmp = {-1, -1, -1, -1, 12, 12, 12, -1, 12, 12, -1, -1, 12, -1, -1, 12, 12, 12, 11, 11};
        Path work = Files.createTempDirectory("ipopts-");
        try (KernelLab lab = KernelLab.start()) {
            KernelRunner kernel = new KernelRunner(lab);
            StockadeSide stockade = new StockadeSide(work.resolve("stockade"));
            Path host = work.resolve("host");
            lab.writeHostModel(host, true);
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < packets.size(); i++) {
                DiffCase c = new DiffCase(0, 0, Set.of(Area.FILTER), RULES4, "", true, List.of(packets.get(i)));
                Observation k = kernel.run(c);
                assertEquals(null, k.error(), "kernel run of " + c.packets());
                List<String> em = k.packets().getFirst().emitted();
                String what = packets.get(i).label() + " emitted " + em;
                if (icmp[i] < 0) {
                    assertTrue(em.isEmpty(), "the kernel sends nothing: " + what);
                } else {
                    assertEquals(1, em.size(), "the kernel sends one error: " + what);
                    byte[] e = HexFormat.of().parseHex(em.getFirst().substring(em.getFirst().indexOf(' ') + 1));
                    assertEquals(icmp[i], e[(e[0] & 0xf) * 4] & 0xff, what);
                }
                Observation s = stockade.run(c, host, k.packets().stream().map(Observation.PacketOutcome::timeNanos).toList());
                List<String> d = Comparison.compare(c, k, s);
                if (!d.isEmpty()) {
                    problems.add(packets.get(i).label() + ":\n  " + String.join("\n  ", d));
                }
            }
            assertTrue(problems.isEmpty(), String.join("\n", problems));
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
