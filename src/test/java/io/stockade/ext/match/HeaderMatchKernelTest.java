package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Per-packet answers of the matches2 modules against Linux: in a throwaway network namespace,
 * every (packet, rule) pair becomes an OUTPUT rule {@code -d <packet's own destination> RULE} of
 * iptables-legacy / ip6tables-legacy, the packets are sent once through raw sockets, and the
 * rule counters say which rules Linux matched. Stockade must match exactly the same pairs.
 * Needs root; skips elsewhere, fails under {@code CI=true}.
 */
@Tag("kernel")
class HeaderMatchKernelTest {
    static final String NS = "stk-m2-" + ProcessHandle.current().pid();

    record Pkt(Family family, byte[] bytes, int l4Offset, int proto) {
    }

    static void requireRoot() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "needs root";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/iptables-legacy"))) {
            why = "needs iptables-legacy";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the kernel test must run, but it " + why);
            }
            assumeTrue(false, why);
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " -> " + p.exitValue() + ": " + out);
        }
        return out;
    }

    static String[] ns(String... cmd) {
        String[] full = new String[cmd.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = NS;
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        return full;
    }

    /** Sets length fields and a unique destination (10.99.0.N / 2001:db8:99::N). */
    static Pkt finish(PacketBuilder b, Family f, int l4, int proto, int n) {
        byte[] raw = b.build();
        if (f == Family.IPV4) {
            raw[2] = (byte) (raw.length >>> 8);
            raw[3] = (byte) raw.length;
            raw[16] = 10;
            raw[17] = 99;
            raw[18] = 0;
            raw[19] = (byte) n;
        } else {
            int pl = raw.length - 40;
            raw[4] = (byte) (pl >>> 8);
            raw[5] = (byte) pl;
            byte[] dst = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, (byte) 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) n};
            System.arraycopy(dst, 0, raw, 24, 16);
        }
        return new Pkt(f, raw, l4, proto);
    }

    static String dest(Pkt p, int n) {
        return p.family == Family.IPV4 ? "10.99.0." + n + "/32" : "2001:db8:99::" + n + "/128";
    }

    static Skb skb(Pkt p) {
        Skb skb = new PacketBuilder().bytes(toInts(p.bytes)).skb(p.l4Offset, p.proto);
        if (p.family == Family.IPV4) {
            skb.pd.dstLo = 0x0a630000L | (p.bytes[19] & 0xff);
        }
        skb.pd.ipTotalLength = p.bytes.length;
        return skb;
    }

    static int[] toInts(byte[] b) {
        int[] r = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[i] & 0xff;
        }
        return r;
    }

    @Test
    void sameAnswersAsLinux() throws Exception {
        requireRoot();
        List<Pkt> pkts = new ArrayList<>();
        int n = 1;
        // IPv4 TCP SYN+ECE+CWR, TOS 0xb9 (EF + ECT(1)).
        pkts.add(finish(PacketBuilder.ipv4(6, 0xb9).u16(1234).u16(80).u32(1).u32(0).bytes(0x50, 0xc2).u16(512)
                .u16(0).u16(0).bytes('G', 'E', 'T', ' '), Family.IPV4, 20, 6, n++));
        // IPv4 TCP ACK, TOS 0x10.
        pkts.add(finish(PacketBuilder.ipv4(6, 0x10).u16(22).u16(4000).u32(1).u32(0).bytes(0x50, 0x10).u16(512)
                .u16(0).u16(0), Family.IPV4, 20, 6, n++));
        // IPv4 ESP spi 0x1000, AH spi 7.
        pkts.add(finish(PacketBuilder.ipv4(50, 0).u32(0x1000).u32(1).zeros(8), Family.IPV4, 20, 50, n++));
        pkts.add(finish(PacketBuilder.ipv4(51, 0).bytes(59, 4).u16(0).u32(7).u32(1).zeros(12), Family.IPV4, 20, 51, n++));
        // IPv4 SCTP: INIT chunk; then DATA(flags B|E) + SACK.
        pkts.add(finish(PacketBuilder.ipv4(132, 0).u16(5000).u16(80).u32(0).u32(0).bytes(1, 0).u16(20).zeros(16),
                Family.IPV4, 20, 132, n++));
        pkts.add(finish(PacketBuilder.ipv4(132, 0).u16(5000).u16(80).u32(1).u32(0).bytes(0, 3).u16(17).zeros(13)
                .zeros(3).bytes(3, 0).u16(16).zeros(12), Family.IPV4, 20, 132, n++));
        // IPv4 DCCP REQUEST (type 0, X=1): 16-byte generic header + 4 service code + option 32 (len 3) + pad.
        pkts.add(finish(PacketBuilder.ipv4(33, 0).u16(6000).u16(5001).bytes(6, 0).u16(0).bytes(0, 1, 0, 0)
                .u32(1).u32(42).bytes(32, 3, 1, 0), Family.IPV4, 20, 33, n++));
        // IPv6: HbH(PadN 4) → Routing type 0 (segleft 1, one address) → AH → UDP.
        PacketBuilder v6 = PacketBuilder.ipv6(0, 0x2e << 2, 0x0211223344556677L);
        v6.bytes(43, 0, 1, 4, 0, 0, 0, 0);
        v6.bytes(51, 2, 0, 1).u32(0).u32(0x20010db8L).u32(0).u32(0).u32(0x99);
        v6.bytes(17, 4).u16(0).u32(0x500).u32(1).zeros(12);
        v6.u16(1000).u16(53).u16(8).u16(0);
        pkts.add(finish(v6, Family.IPV6, 40 + 8 + 24 + 24, 17, n++));
        // IPv6: Destination options (PadN 4) → Mobility Header (binding update).
        PacketBuilder mh = PacketBuilder.ipv6(60, 0, 1);
        mh.bytes(135, 0, 1, 4, 0, 0, 0, 0);
        mh.bytes(59, 1, 5, 0).u16(0).zeros(10);
        pkts.add(finish(mh, Family.IPV6, 48, 135, n++));

        String[] rules4 = {
            "-m dscp --dscp-class EF", "-m dscp ! --dscp 0x04", "-m tos --tos Minimize-Delay",
            "-m tos --tos 0xb8/0xfc", "-p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr", "-p tcp -m ecn --ecn-ip-ect 1",
            "-p tcp -m ecn ! --ecn-tcp-ece", "-p esp -m esp --espspi 0x1000", "-p esp -m esp ! --espspi 5:6",
            "-p ah -m ah --ahspi 7", "-p sctp -m sctp --dport 80 --chunk-types any INIT",
            "-p sctp -m sctp --chunk-types all DATA:BE,SACK", "-p sctp -m sctp --chunk-types only DATA,SACK",
            "-p sctp -m sctp --chunk-types any DATA:b", "-p dccp -m dccp --dccp-types REQUEST --dccp-option 32",
            "-p dccp -m dccp ! --dccp-option 33", "-m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0>>8=0x474554\"",
            "-m u32 --u32 \"6&0xFF=6 && 0>>22&0x3C@0>>16=22\"",
            "-m bpf --bytecode \"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\"",
            "-m bpf --bytecode \"5,177 0 0 0,72 0 0 2,21 0 1 80,6 0 0 65535,6 0 0 0\"",
        };
        String[] rules6 = {
            "-m hbh --hbh-len 8 --hbh-opts 1:4", "-m hbh --hbh-opts 1:2", "-m dst --dst-opts 1:4",
            "-m rt --rt-type 0 --rt-segsleft 1 --rt-0-addrs 2001:db8::99", "-m rt ! --rt-type 0",
            "-m ah --ahspi 0x500 --ahlen 24", "-m ipv6header --header hop,route,auth,prot",
            "-m ipv6header --header dst --soft", "-m ipv6header ! --header frag --soft",
            "-p mobility-header -m mh --mh-type binding-update", "-m dscp --dscp 0x2e", "-m tos --tos 0xb8/0xfc",
            "-m u32 --u32 \"6>>24=0\"",
        };
        try {
            run("ip", "netns", "add", NS);
            run(ns("ip", "link", "set", "lo", "up"));
            run(ns("ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1"));
            run(ns("ip", "link", "set", "d0", "up"));
            run(ns("ip", "link", "set", "d1", "up"));
            run(ns("ip", "addr", "add", "10.99.255.1/16", "dev", "d0"));
            run(ns("ip", "-6", "addr", "add", "2001:db8:99::ffff/64", "dev", "d0", "nodad"));
            List<String[]> pairs = new ArrayList<>();
            for (int i = 0; i < pkts.size(); i++) {
                Pkt p = pkts.get(i);
                String tool = p.family == Family.IPV4 ? "iptables-legacy" : "ip6tables-legacy";
                for (String r : p.family == Family.IPV4 ? rules4 : rules6) {
                    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", NS, tool, "-A", "OUTPUT",
                            "-d", dest(p, i + 1)));
                    cmd.addAll(io.stockade.testing.UpstreamVectors.words(r));
                    run(cmd.toArray(new String[0]));
                    pairs.add(new String[] {Integer.toString(i), r});
                }
            }
            StringBuilder py = new StringBuilder("import socket,sys\n");
            for (int i = 0; i < pkts.size(); i++) {
                Pkt p = pkts.get(i);
                boolean v4 = p.family == Family.IPV4;
                py.append("s=socket.socket(socket.AF_INET").append(v4 ? "" : "6")
                        .append(",socket.SOCK_RAW,socket.IPPROTO_RAW)\n");
                py.append("s.sendto(bytes.fromhex('").append(HexFormat.of().formatHex(p.bytes)).append("'),('")
                        .append(dest(p, i + 1).replaceAll("/.*", "")).append("',0))\n");
            }
            Path script = Files.createTempFile("m2send", ".py");
            Files.writeString(script, py);
            run(ns("python3", script.toString()));
            Files.delete(script);
            List<Long> counts = new ArrayList<>();
            for (String tool : new String[] {"iptables-legacy-save", "ip6tables-legacy-save"}) {
                for (String line : run(ns(tool, "-c", "-t", "filter")).split("\n")) {
                    if (line.startsWith("[") && line.contains("-A OUTPUT")) {
                        counts.add(Long.parseLong(line.substring(1, line.indexOf(':'))));
                    }
                }
            }
            assertEquals(pairs.size(), counts.size());
            int linuxMatches = 0;
            StringBuilder diffs = new StringBuilder();
            for (int k = 0; k < pairs.size(); k++) {
                Pkt p = pkts.get(Integer.parseInt(pairs.get(k)[0]));
                String r = pairs.get(k)[1];
                boolean linux = counts.get(k) > 0;
                linuxMatches += linux ? 1 : 0;
                M2Harness.Result res = M2Harness.parse(p.family, r);
                boolean stockade = true;
                String proto = r.startsWith("-p ") ? r.split(" ")[1] : null;
                if (proto != null && M2Harness.protoNumber(proto) != p.proto) {
                    stockade = false;
                }
                for (var spec : res.specs()) {
                    stockade &= ((Matcher) spec).matches(skb(p));
                }
                if (linux != stockade) {
                    diffs.append("packet ").append(pairs.get(k)[0]).append(" rule ").append(r).append(": linux=")
                            .append(linux).append(" stockade=").append(stockade).append('\n');
                }
            }
            System.out.println("matches2 kernel differential: " + pairs.size() + " (packet, rule) pairs, Linux matched "
                    + linuxMatches);
            assertTrue(linuxMatches > 10, "too few matches on the Linux side: the packets did not go out");
            assertEquals("", diffs.toString());
        } finally {
            new ProcessBuilder("ip", "netns", "del", NS).start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
