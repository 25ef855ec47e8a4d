package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TraceLinesTest {
    @Test
    void kernelLinesLoseIdsHandlesTheTagAndTheSinkAndGroupTheNestedReplyAfterThePacket() {
        List<String> kernel = List.of(
                "PACKET: 2 ad8b8f99 OUT=eth0 SRC=10.0.0.1 DST=192.168.10.6 LEN=44 TOS=0x0 TTL=64 ID=4097 DF SPORT=8080 DPORT=59195 SYN ACK ",
                " TRACE: 2 ad8b8f99 filter:OUTPUT:rule:0x7:CONTINUE  -4 -t filter -A OUTPUT -j LOG --log-prefix \"Zab1Zsdt 8 \"",
                " TRACE: 2 ad8b8f99 filter:OUTPUT:rule:0x8:CONTINUE  -4 -t filter -A OUTPUT -j LOG --log-prefix \"Zab1Z\"",
                "PACKET: 2 0d874833 OUT=lo SRC=192.168.10.6 DST=10.0.0.1 LEN=40 TOS=0x0 TTL=64 ID=0 DF SPORT=59195 DPORT=8080 RST ",
                " TRACE: 2 0d874833 filter:OUTPUT:rule:0xa:DROP  -4 -t filter -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset",
                " TRACE: 2 ad8b8f99 filter:OUTPUT:rule:0xa:DROP  -4 -t filter -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset",
                "PACKET: 1 77 IN=eth0 NFPROTO=2 SRC=198.18.0.1 DST=198.18.0.2 LEN=20 ID=3 ",
                " TRACE: 1 77 sdt_ct:keep:rule:0x2:DROP  ");
        // Stockade: the reply after the packet, with the packet's own id
        List<String> stockade = List.of(
                "PACKET: 2 5 OUT=eth0 SRC=10.0.0.1 DST=192.168.10.6 LEN=44 TOS=0x0 TTL=64 ID=4097 DF SPORT=8080 DPORT=59195 SYN ACK ",
                " TRACE: 2 5 filter:OUTPUT:rule:0x8:CONTINUE  -4 -t filter -A OUTPUT -j LOG --log-prefix \"sdt 8 \"",
                " TRACE: 2 5 filter:OUTPUT:rule:0x9:CONTINUE  -4 -t filter -A OUTPUT -j LOG",
                " TRACE: 2 5 filter:OUTPUT:rule:0xb:DROP  -4 -t filter -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset",
                "PACKET: 2 5 OUT=lo SRC=192.168.10.6 DST=10.0.0.1 LEN=40 TOS=0x0 TTL=64 ID=0 DF SPORT=59195 DPORT=8080 RST ",
                " TRACE: 2 5 filter:OUTPUT:rule:0xb:DROP  -4 -t filter -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset");
        List<String> k = TraceLines.normalise(kernel, 4097, "Zab1Z");
        assertEquals(TraceLines.normalise(stockade, 4097, null), k);
        assertEquals(List.of(
                "PACKET: 2 T OUT=eth0 SRC=10.0.0.1 DST=192.168.10.6 LEN=44 TOS=0x0 TTL=64 ID=4097 DF SPORT=8080 DPORT=59195 SYN ACK",
                " TRACE: 2 T filter:OUTPUT:rule:#:CONTINUE  -4 -t filter -A OUTPUT -j LOG --log-prefix \"sdt 8 \"",
                " TRACE: 2 T filter:OUTPUT:rule:#:CONTINUE  -4 -t filter -A OUTPUT -j LOG",
                " TRACE: 2 T filter:OUTPUT:rule:#:DROP  -4 -t filter -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset",
                "PACKET: 2 T OUT=lo SRC=192.168.10.6 DST=10.0.0.1 LEN=40 TOS=0x0 TTL=64 ID=* DF SPORT=59195 DPORT=8080 RST",
                " TRACE: 2 T filter:OUTPUT:rule:#:DROP  -4 -t filter -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset"), k);
    }

    @Test
    void ipv6RuleLinesAreComparedUpToTheRuleText() {
        assertEquals(List.of(" TRACE: 10 T filter:INPUT:rule:#:CONTINUE"), TraceLines.normalise(List.of(
                " TRACE: 10 9 filter:INPUT:rule:0x5:CONTINUE  -6 -t filter -A INPUT -m recent --mask 255.255.255.255"), 4096, null));
    }
}
