package io.stockade.conntrack;

import static io.stockade.conntrack.Pkt.ACK;
import static io.stockade.conntrack.Pkt.FIN;
import static io.stockade.conntrack.Pkt.PSH;
import static io.stockade.conntrack.Pkt.RST;
import static io.stockade.conntrack.Pkt.SYN;
import static io.stockade.conntrack.Pkt.URG;

import io.stockade.rules.Hook;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same packet sequences through the Linux kernel (a forwarding namespace with conntrack) and
 * through {@link ConntrackTable}: every packet's conntrack state (from R's per-state rule
 * counters) and the final {@code conntrack -L} listing (timeouts within 3 s) must agree.
 */
@Tag("kernel")
class KernelOracleTest {
    static final String C = "10.0.0.1", S = "10.0.1.2", C6 = "fd00::1", S6 = "fd00:1::2";

    private record Step(String what, boolean fromServer, Pkt pkt, String chain, boolean ftpHelper) {
        Step(String what, boolean fromServer, Pkt pkt, String chain) {
            this(what, fromServer, pkt, chain, false);
        }
    }

    private static List<Step> sequence() {
        List<Step> s = new ArrayList<>();
        // TCP: handshake, data, half close.
        s.add(new Step("syn", false, Pkt.ip(C, S).tcp(40000, 22, SYN, 1000, 0, 64240), "FORWARD"));
        s.add(new Step("syn/ack", true, Pkt.ip(S, C).tcp(22, 40000, SYN | ACK, 5000, 1001, 65160), "FORWARD"));
        s.add(new Step("ack", false, Pkt.ip(C, S).tcp(40000, 22, ACK, 1001, 5001, 64240), "FORWARD"));
        s.add(new Step("data", false, Pkt.ip(C, S).tcp(40000, 22, ACK | PSH, 1001, 5001, 64240).payload(100), "FORWARD"));
        s.add(new Step("data out of window", false,
                Pkt.ip(C, S).tcp(40000, 22, ACK | PSH, 1001 + 50_000_000, 5001, 64240).payload(10), "FORWARD"));
        s.add(new Step("ack data", true, Pkt.ip(S, C).tcp(22, 40000, ACK, 5001, 1101, 65160), "FORWARD"));
        s.add(new Step("rst out of window", true, Pkt.ip(S, C).tcp(22, 40000, RST, 900_000, 0, 0), "FORWARD"));
        s.add(new Step("fin", false, Pkt.ip(C, S).tcp(40000, 22, FIN | ACK, 1101, 5001, 64240), "FORWARD"));
        s.add(new Step("ack fin", true, Pkt.ip(S, C).tcp(22, 40000, ACK, 5001, 1102, 65160), "FORWARD"));
        s.add(new Step("server fin", true, Pkt.ip(S, C).tcp(22, 40000, FIN | ACK, 5001, 1102, 65160), "FORWARD"));
        s.add(new Step("last ack", false, Pkt.ip(C, S).tcp(40000, 22, ACK, 1102, 5002, 64240), "FORWARD"));
        s.add(new Step("syn on time_wait reopens", false, Pkt.ip(C, S).tcp(40000, 22, SYN, 90_000, 0, 64240),
                "FORWARD"));
        s.add(new Step("syn retransmitted", false, Pkt.ip(C, S).tcp(40000, 22, SYN, 90_000, 0, 64240), "FORWARD"));
        // TCP oddities.
        s.add(new Step("syn/ack without syn", true, Pkt.ip(S, C).tcp(23, 40001, SYN | ACK, 1, 2, 1000), "FORWARD"));
        s.add(new Step("xmas", false, Pkt.ip(C, S).tcp(40002, 23, FIN | PSH | URG, 1, 0, 1000), "FORWARD"));
        s.add(new Step("syn+fin", false, Pkt.ip(C, S).tcp(40003, 23, SYN | FIN, 1, 0, 1000), "FORWARD"));
        s.add(new Step("bad checksum", false, Pkt.ip(C, S).tcp(40004, 23, SYN, 1, 0, 1000).badChecksum(), "FORWARD"));
        s.add(new Step("mid-stream ack", false, Pkt.ip(C, S).tcp(40005, 80, ACK, 7000, 9000, 1000), "FORWARD"));
        s.add(new Step("mid-stream reply", true, Pkt.ip(S, C).tcp(80, 40005, ACK, 9000, 7000, 1000), "FORWARD"));
        s.add(new Step("syn, then rst reply", false, Pkt.ip(C, S).tcp(40006, 81, SYN, 1, 0, 1000), "FORWARD"));
        s.add(new Step("rst/ack to syn", true, Pkt.ip(S, C).tcp(81, 40006, RST | ACK, 0, 2, 0), "FORWARD"));
        // UDP and ICMP.
        Pkt dns = Pkt.ip(C, S).udp(5353, 53).payload(20);
        s.add(new Step("udp", false, dns, "FORWARD"));
        s.add(new Step("udp reply", true, Pkt.ip(S, C).udp(53, 5353).payload(40), "FORWARD"));
        s.add(new Step("port unreachable about udp", true, Pkt.ip(S, C).icmpError(3, 3, dns), "FORWARD"));
        s.add(new Step("port unreachable about nothing", true,
                Pkt.ip(S, C).icmpError(3, 3, Pkt.ip(C, S).udp(999, 998)), "FORWARD"));
        s.add(new Step("unreachable, wrong outer dst", true,
                Pkt.ip(S, "10.0.0.77").icmpError(3, 3, dns), "FORWARD"));
        s.add(new Step("udp bad checksum", false, Pkt.ip(C, S).udp(5354, 53).payload(8).badChecksum(), "FORWARD"));
        s.add(new Step("echo request", false, Pkt.ip(C, S).icmp(8, 0, 0x77, 1), "FORWARD"));
        s.add(new Step("echo reply", true, Pkt.ip(S, C).icmp(0, 0, 0x77, 1), "FORWARD"));
        s.add(new Step("echo reply without request", true, Pkt.ip(S, C).icmp(0, 0, 0x78, 1), "FORWARD"));
        s.add(new Step("timestamp request", false, Pkt.ip(C, S).icmp(13, 0, 0x79, 1).payload(12), "FORWARD"));
        s.add(new Step("router advertisement", false, Pkt.ip(C, S).icmp(9, 0, 0, 0), "FORWARD"));
        s.add(new Step("gre", false, Pkt.ip(C, S).proto(47), "FORWARD"));
        // FTP with -t raw -p tcp --dport 21 -j CT --helper ftp.
        s.add(new Step("ftp syn", false, Pkt.ip(C, S).tcp(40020, 21, SYN, 1000, 0, 64240), "FORWARD", true));
        s.add(new Step("ftp syn/ack", true, Pkt.ip(S, C).tcp(21, 40020, SYN | ACK, 5000, 1001, 65160), "FORWARD"));
        s.add(new Step("ftp ack", false, Pkt.ip(C, S).tcp(40020, 21, ACK, 1001, 5001, 64240), "FORWARD"));
        s.add(new Step("ftp 220", true, ftp(false, 5001, 1001, "220 ready\r\n"), "FORWARD"));
        s.add(new Step("ftp USER", false, ftp(true, 1001, 5012, "USER a\r\n"), "FORWARD"));
        s.add(new Step("ftp PORT", false, ftp(true, 1009, 5012, "PORT 10,0,0,1,4,1\r\n"), "FORWARD"));
        s.add(new Step("ftp 200", true, ftp(false, 5012, 1028, "200 ok\r\n"), "FORWARD"));
        s.add(new Step("ftp active data syn", true, Pkt.ip(S, C).tcp(20, 1025, SYN, 100, 0, 65160), "FORWARD"));
        s.add(new Step("ftp active data syn/ack", false, Pkt.ip(C, S).tcp(1025, 20, SYN | ACK, 700, 101, 64240),
                "FORWARD"));
        s.add(new Step("ftp 227", true, ftp(false, 5020, 1028, "227 Entering Passive Mode (10,0,1,2,195,80).\r\n"),
                "FORWARD"));
        s.add(new Step("ftp passive data syn", false, Pkt.ip(C, S).tcp(41000, 50000, SYN, 1, 0, 64240), "FORWARD"));
        s.add(new Step("ftp PORT elsewhere", false, ftp(true, 1028, 5066, "PORT 10,0,0,99,4,2\r\n"), "FORWARD"));
        s.add(new Step("ftp data syn to elsewhere", true, Pkt.ip(S, C).tcp(20, 1026, SYN, 100, 0, 65160), "FORWARD"));
        s.add(new Step("ftp PORT left pending", false, ftp(true, 1048, 5066, "PORT 10,0,0,1,4,3\r\n"), "FORWARD"));
        // IPv6.
        Pkt udp6 = Pkt.ip(C6, S6).udp(6000, 53).payload(10);
        s.add(new Step("udp6", false, udp6, "FORWARD"));
        s.add(new Step("icmp6 error about udp6", true, Pkt.ip(S6, C6).icmpError(1, 4, udp6), "FORWARD"));
        s.add(new Step("echo6", false, Pkt.ip(C6, S6).icmp(128, 0, 0x55, 1), "FORWARD"));
        s.add(new Step("echo6 reply", true, Pkt.ip(S6, C6).icmp(129, 0, 0x55, 1), "FORWARD"));
        s.add(new Step("echo6 reply without request", true, Pkt.ip(S6, C6).icmp(129, 0, 0x56, 1), "FORWARD"));
        s.add(new Step("udp again, stream", false, Pkt.ip(C, S).udp(5353, 53).payload(20), "FORWARD"));
        s.add(new Step("tcp6 syn", false, Pkt.ip(C6, S6).tcp(40010, 443, SYN, 1, 0, 1000), "FORWARD"));
        s.add(new Step("neighbour solicitation to R", false, Pkt.ip(C6, "fd00::fe").icmp(135, 0, 0, 0).payload(16),
                "INPUT"));
        return s;
    }

    private static Pkt ftp(boolean fromClient, int seq, int ack, String line) {
        return fromClient ? Pkt.ip(C, S).tcp(40020, 21, ACK | PSH, seq, ack, 64240).payload(line)
                : Pkt.ip(S, C).tcp(21, 40020, ACK | PSH, seq, ack, 65160).payload(line);
    }

    @Test
    void packetStatesAndListingMatchTheKernel() throws IOException {
        OracleRig.requireRoot();
        Harness h = new Harness();
        List<String> mismatches = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        try (NetnsLab lab = new NetnsLab()) {
            lab.in(lab.r, "iptables", "-t", "raw", "-A", "PREROUTING", "-p", "tcp", "--dport", "21", "-j", "CT",
                    "--helper", "ftp");
            for (Step st : sequence()) {
                boolean v6 = st.pkt.v6();
                String kernel = OracleRig.kernelState(lab, st.fromServer, st.pkt.bytes(), v6, st.chain);
                h.now = System.nanoTime();
                h.hook = Hook.PREROUTING;
                String ours;
                if (st.ftpHelper) {
                    st.pkt.into(h.skb, h.hook, h.now);
                    h.skb.conn = Conn.template(0, "ftp");
                    h.table.in(h.skb);
                    h.table.confirm(h.skb);
                    ours = OracleRig.stateName(h.skb);
                } else {
                    ours = OracleRig.stateName(h.send(st.pkt));
                }
                report.append(String.format("%-34s kernel=%-11s stockade=%s%n", st.what, kernel, ours));
                if (!kernel.equals(ours)) {
                    mismatches.add(st.what + ": kernel " + kernel + ", stockade " + ours);
                }
            }
            OracleRig.assertListingsAgree(lab, h.table, mismatches, report);
        }
    }
}
