package io.stockade.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Skb;
import io.stockade.nat.NatBinding;
import io.stockade.nat.NatRewrite;
import io.stockade.rules.Hook;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NAT bindings against Linux: SNAT to an address range (the kernel's jhash choice must be the
 * same address), SNAT port clashes, DNAT with a port; the {@code conntrack -L} reply tuples must
 * agree (a port the kernel picks at random is compared by its range only).
 */
@Tag("kernel")
class KernelNatOracleTest {
    private static long v4(String a) {
        byte[] b = Pkt.addr(a);
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    /** R's ruleset, emulated: DNAT tcp/8080 to 10.0.1.2:80; SNAT udp/53 to a range; SNAT udp/5000 to one address. */
    private static void natHook(Skb skb, Hook hook) {
        skb.hook = hook;
        Conn ct = skb.conn;
        if (ct == null) {
            return;
        }
        int manip = NatBinding.manipOf(hook);
        boolean fresh = skb.ctinfo == Conn.IP_CT_NEW || skb.ctinfo == Conn.IP_CT_RELATED
                || skb.ctinfo == Conn.IP_CT_RELATED_REPLY;
        if (fresh && !skb.pd.icmpError && !NatBinding.initialized(ct, manip)) {
            if (hook == Hook.PREROUTING && skb.pd.protocol == 6 && skb.pd.dstPort == 8080) {
                NatBinding.setup(ct, NatBinding.MANIP_DST, NatBinding.RANGE_MAP_IPS | NatBinding.RANGE_PROTO_SPECIFIED,
                        0, v4("10.0.1.2"), 0, v4("10.0.1.2"), 80, 80, 0);
            } else if (hook == Hook.POSTROUTING && skb.pd.protocol == 17 && skb.pd.dstPort == 53) {
                NatBinding.setup(ct, NatBinding.MANIP_SRC, NatBinding.RANGE_MAP_IPS,
                        0, v4("10.0.1.100"), 0, v4("10.0.1.110"), 0, 0, 0);
            } else if (hook == Hook.POSTROUTING && skb.pd.protocol == 17 && skb.pd.dstPort == 5000) {
                NatBinding.setup(ct, NatBinding.MANIP_SRC, NatBinding.RANGE_MAP_IPS,
                        0, v4("10.0.1.254"), 0, v4("10.0.1.254"), 0, 0, 0);
            }
            if (!NatBinding.initialized(ct, manip)) {
                NatBinding.nullBinding(ct, hook);
            }
        }
        NatRewrite.packet(skb);
    }

    @Test
    void bindingsMatchTheKernel() throws IOException {
        OracleRig.requireRoot();
        Harness h = new Harness();
        List<Pkt> packets = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            packets.add(Pkt.ip("10.0.0." + i, "10.0.1.2").udp(33000 + i, 53).payload(10));
        }
        // Same source address and port to other servers: the existing mapping is reused.
        packets.add(Pkt.ip("10.0.0.1", "10.0.1.9").udp(33001, 53).payload(10));
        packets.add(Pkt.ip("10.0.0.2", "10.0.1.9").udp(33002, 53).payload(10));
        packets.add(Pkt.ip("10.0.0.1", "10.0.1.2").udp(1000, 5000));
        packets.add(Pkt.ip("10.0.0.2", "10.0.1.2").udp(1000, 5000));
        packets.add(Pkt.ip("10.0.0.3", "10.0.1.2").udp(400, 5000));
        packets.add(Pkt.ip("10.0.0.4", "10.0.1.2").udp(400, 5000));
        packets.add(Pkt.ip("10.0.0.1", "10.0.1.9").tcp(45000, 8080, Pkt.SYN, 1, 0, 1000));
        try (NetnsLab lab = new NetnsLab()) {
            lab.in(lab.r, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT",
                    "--to-destination", "10.0.1.2:80");
            lab.in(lab.r, "iptables", "-t", "nat", "-A", "POSTROUTING", "-p", "udp", "--dport", "53", "-j", "SNAT",
                    "--to-source", "10.0.1.100-10.0.1.110");
            lab.in(lab.r, "iptables", "-t", "nat", "-A", "POSTROUTING", "-p", "udp", "--dport", "5000", "-j", "SNAT",
                    "--to-source", "10.0.1.254");
            lab.in(lab.r, "ip", "route", "add", "10.0.1.9/32", "dev", "rb");
            for (Pkt p : packets) {
                byte[] b = p.bytes();
                String dst = (b[16] & 0xff) + "." + (b[17] & 0xff) + "." + (b[18] & 0xff) + "." + (b[19] & 0xff);
                lab.send(lab.a, b, false, dst);
                h.now = System.nanoTime();
                Skb skb = p.into(h.skb, Hook.PREROUTING, h.now);
                h.table.in(skb);
                natHook(skb, Hook.PREROUTING);
                natHook(skb, Hook.POSTROUTING);
                h.table.confirm(skb);
            }
            String listing = lab.in(lab.r, "conntrack", "-L", "-f", "ipv4");
            long now = System.nanoTime();
            TreeSet<String> kernel = new TreeSet<>();
            for (String line : listing.split("\n")) {
                if (!line.isBlank() && !line.startsWith("conntrack v")) {
                    kernel.add(withoutTimeout(line.trim()));
                }
            }
            TreeSet<String> ours = new TreeSet<>();
            for (Conn c : h.table.entries(now)) {
                ours.add(withoutTimeout(ConntrackFormat.line(c, now, false)));
            }
            String report = "kernel:\n  " + String.join("\n  ", kernel) + "\nstockade:\n  " + String.join("\n  ", ours);
            System.out.println(report);
            assertEquals(kernel.size(), ours.size(), report);
            // Entries whose port the kernel chose at random: compare without that port.
            int randomPorts = 0;
            for (String k : kernel) {
                if (ours.contains(k)) {
                    continue;
                }
                String kk = k.replaceAll("dport=\\d+ mark", "dport=* mark");
                String match = null;
                for (String o : ours) {
                    if (o.replaceAll("dport=\\d+ mark", "dport=* mark").equals(kk) && !kernel.contains(o)) {
                        match = o;
                    }
                }
                assertTrue(match != null, "kernel entry has no counterpart: " + k + "\n" + report);
                assertNotEquals(k, match);
                int kp = lastDport(k);
                int op = lastDport(match);
                assertTrue((kp < 512) == (op < 512) && (kp < 1024) == (op < 1024), "port class " + k + " / " + match);
                randomPorts++;
            }
            assertEquals(2, randomPorts, "the two clashing SNAT flows get random ports:\n" + report);
        }
    }

    private static int lastDport(String line) {
        int i = line.lastIndexOf("dport=");
        return Integer.parseInt(line.substring(i + 6, line.indexOf(' ', i)));
    }

    /** Without the timeout, and without use= (packets queued for ARP to 10.0.1.9 hold references). */
    private static String withoutTimeout(String line) {
        String[] f = line.split("\\s+", 4);
        return (f[0] + " " + f[1] + " " + f[3]).replaceAll(" use=\\d+$", "");
    }
}
