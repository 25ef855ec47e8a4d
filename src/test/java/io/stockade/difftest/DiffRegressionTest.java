package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Disagreements the kernel-differential harness found, replayed through Stockade alone (no root). */
class DiffRegressionTest {
    /**
     * Seed 20261123 case 467: REJECT in OUTPUT answers the gateway's own packet with an ICMP error
     * that loops through lo; LOG in INPUT prints lo's all-zero Ethernet header, as Linux does.
     */
    @Test
    void aPacketLoopedThroughLoLogsLosZeroMacHeader() throws Exception {
        assertEquals(List.of("<4>sdt 6 IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=10.0.0.1 DST=10.0.0.1 LEN=72 "
                        + "TOS=0x00 PREC=0xC0 TTL=64 ID=* PROTO=ICMP TYPE=3 CODE=13 [SRC=10.0.0.1 DST=192.168.10.5 LEN=44 TOS=0x00 "
                        + "PREC=0x00 TTL=64 ID=4096 DF PROTO=UDP SPT=46083 DPT=53 LEN=24 ] "),
            Regression.stockadeLogLines("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -j LOG --log-prefix "sdt 6 "
                -A OUTPUT -d 192.168.10.0/29 -j REJECT --reject-with icmp-admin-prohibited
                COMMIT
                """, "", true, List.of(
                Regression.packet("local", "4500002c10004000401156130a000001c0a80a05b4030035001876d700000000000000000000000000000000")),
                new long[] {0L}));
    }

    /**
     * Seed 77 case 119: the gateway's SYN-ACK to a LAN host is REJECTed with a TCP reset in OUTPUT;
     * since Linux 6.4 nf_send_reset marks the (confirmed) entry closing: CLOSE, not SYN_RECV.
     */
    @Test
    void aResetSentForAConfirmedConnectionClosesItsEntry(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String rules = """
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT DROP [0:0]
                -A OUTPUT -p tcp -m mark ! --mark 0x2 -j REJECT --reject-with tcp-reset
                COMMIT
                """;
        DiffCase c = new DiffCase(77, 119, java.util.Set.of(), rules, "", true, List.of(
                new CasePacket("eth0", java.util.HexFormat.of().parseHex(
                        "4500002c100040004006561dc0a80a060a000001e73b1f90e940c20b000000006002faf0166e0000020405b4"), "syn"),
                new CasePacket("local", java.util.HexFormat.of().parseHex(
                        "4500002c100140004006561c0a000001c0a80a061f90e73b91b99c29e940c20c6012faf0e8790000020405b4"), "syn-ack")));
        Regression.writeHandWrittenHost(dir.resolve("host"), true);
        Observation o = new StockadeSide(dir.resolve("work")).run(c, dir.resolve("host"), List.of(1_000_000_000L, 1_003_105_793L));
        assertEquals(List.of("ipv4 tcp CLOSE src=192.168.10.6 dst=10.0.0.1 sport=59195 dport=8080 src=10.0.0.1 dst=192.168.10.6 "
                + "sport=8080 dport=59195 mark=0"), o.conntrack());
        assertEquals("drop", o.packets().get(1).fate());
    }

    /**
     * Seed 4242 case 246: an SCTP INIT source-NATed to a port from a range leaves with the CRC32c
     * recomputed for the new port (sctp_manip_pkt).
     */
    @Test
    void sourceNatOfSctpRecomputesTheCrc(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String rules = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                + "-A POSTROUTING -o eth1 -p sctp -j SNAT --to-source 10.0.1.1:20000-20099\nCOMMIT\n";
        byte[] init = Pkt.ipv4(Pkt.addr("192.168.10.5"), Pkt.addr("203.0.113.4"), Pkt.SCTP, 64, 0x1000, 0x4000,
                Pkt.sctp(33459, 1235, 0, Pkt.sctpInit(Pkt.SCTP_INIT, 0x107152d3)));
        DiffCase c = new DiffCase(4242, 246, java.util.Set.of(), rules, "", true, List.of(new CasePacket("eth0", init, "init")));
        Regression.writeHandWrittenHost(dir.resolve("host"), true);
        Observation o = new StockadeSide(dir.resolve("work")).run(c, dir.resolve("host"), List.of(1_000_000_000L));
        assertEquals("forward:eth1", o.packets().getFirst().fate());
        byte[] out = java.util.HexFormat.of().parseHex(o.packets().getFirst().forwarded().getFirst().substring(5));
        int port = ((out[20] & 0xff) << 8) | (out[21] & 0xff);
        org.junit.jupiter.api.Assertions.assertTrue(port >= 20000 && port <= 20099, "port " + port);
        java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(out);
        assertEquals(io.stockade.packet.Crc32c.sctp(seg, 20, out.length), io.stockade.packet.Crc32c.field(seg, 20), "CRC32c");
    }
}
