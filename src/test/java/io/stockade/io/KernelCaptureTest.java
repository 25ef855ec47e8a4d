package io.stockade.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stockade.packet.Checksum;
import io.stockade.packet.DropReason;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.PacketParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a capture the real tcpdump wrote inside a throwaway network namespace: a UDP datagram to
 * a closed port on lo and the kernel's ICMP port-unreachable quoting it (Linux SLL2 framing).
 */
@Tag("kernel")
class KernelCaptureTest {
    @TempDir
    Path dir;

    private static void need(boolean ok, String why) {
        if (!ok) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but " + why);
            }
            Assumptions.abort(why);
        }
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void readsWhatRealTcpdumpCaptured() throws Exception {
        need("root".equals(System.getProperty("user.name")), "not root: network namespaces need root");
        need(Files.isExecutable(Path.of("/usr/bin/tcpdump")), "tcpdump is not installed");
        need(Files.isExecutable(Path.of("/usr/bin/python3")), "/usr/bin/python3 is not installed");
        String ns = "stk-pkt-" + ProcessHandle.current().pid();
        Path pcap = dir.resolve("k.pcap");
        Path err = dir.resolve("tcpdump.err");
        need(run(List.of("ip", "netns", "add", ns)) == 0, "cannot create a network namespace");
        Process dump = null;
        try {
            assertEquals(0, run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")));
            dump = new ProcessBuilder("ip", "netns", "exec", ns, "tcpdump", "-U", "-i", "any", "-w", pcap.toString(),
                    "-c", "2", "udp or icmp").redirectError(err.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean listening = false;
            for (int i = 0; i < 100 && !listening && dump.isAlive(); i++) {
                Thread.sleep(100);
                listening = Files.exists(err) && Files.readString(err).contains("listening");
            }
            assertTrue(listening, "tcpdump did not start listening");
            assertEquals(0, run(List.of("ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
                    "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                            + " s.sendto(b'hello', ('127.0.0.1', 9))")));
            assertTrue(dump.waitFor(20, TimeUnit.SECONDS), "tcpdump did not see 2 packets");
        } finally {
            if (dump != null && dump.isAlive()) {
                dump.destroyForcibly();
            }
            run(List.of("ip", "netns", "del", ns));
        }

        PacketParser parser = new PacketParser();
        LinkLayer ll = new LinkLayer();
        PacketDescriptor udp = new PacketDescriptor();
        PacketDescriptor icmp = new PacketDescriptor();
        PacketDescriptor inner = new PacketDescriptor();
        try (CaptureReader r = CaptureReader.open(pcap)) {
            assertTrue(r.next());
            assertEquals(LinkLayer.LINKTYPE_LINUX_SLL2, r.linkType());
            assertEquals(CaptureReader.DIRECTION_INBOUND, r.direction());
            assertTrue(ll.decode(r.linkType(), r.data(), r.offset(), r.capturedLength()));
            assertTrue(ll.ifIndex > 0, "SLL2 carries the interface index");
            assertTrue(parser.parse(udp, r.data(), ll.ipOffset, ll.ipLength));
            assertEquals(DropReason.NONE, udp.l4Problem);
            assertEquals(17, udp.protocol);
            assertEquals(0x7f000001L, udp.srcLo);
            assertEquals(9, udp.dstPort);
            assertEquals(5, udp.payloadLength);
            assertTrue(Checksum.verifyIpv4Header(udp));
            int sport = udp.srcPort;

            assertTrue(r.next());
            assertTrue(ll.decode(r.linkType(), r.data(), r.offset(), r.capturedLength()));
            assertTrue(parser.parse(icmp, r.data(), ll.ipOffset, ll.ipLength));
            assertEquals(3, icmp.icmpType);
            assertEquals(3, icmp.icmpCode);
            assertTrue(icmp.icmpError);
            assertTrue(Checksum.verifyIpv4Header(icmp));
            assertTrue(Checksum.verifyL4(icmp), "the kernel's ICMP checksum verifies");
            assertTrue(parser.parseInner(icmp, inner));
            assertEquals(17, inner.protocol);
            assertEquals(sport, inner.srcPort);
            assertEquals(9, inner.dstPort);
            assertTrue(r.timestampNanos() > 1_600_000_000_000_000_000L);
            assertFalse(r.next());
        }
    }
}
