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
}
