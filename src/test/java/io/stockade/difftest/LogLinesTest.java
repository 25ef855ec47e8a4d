package io.stockade.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogLinesTest {
    @Test
    void everyLogRuleGetsTheTagInFrontOfItsPrefix() {
        String rules = "*filter\n-A INPUT -p tcp -j LOG --log-prefix \"sdt 3 \" --log-level 6\n-A INPUT -j LOG\n"
                + "-A INPUT -j LOG --log-prefix \"a-prefix-of-twenty-five!!\"\n-A INPUT -j DROP\nCOMMIT\n";
        assertEquals("*filter\n-A INPUT -p tcp -j LOG --log-prefix \"Zab1Zsdt 3 \" --log-level 6\n"
                + "-A INPUT -j LOG --log-prefix \"Zab1Z\"\n-A INPUT -j LOG --log-prefix \"a-prefix-of-twenty-five!!\"\n"
                + "-A INPUT -j DROP\nCOMMIT\n", LogLines.tagged(rules, "Zab1Z"));
        assertEquals(Set.of("a-prefix-of-twenty-five!!"), LogLines.untaggable(rules));
    }

    @Test
    void kernelRecordsBecomePriorityAndTextWithoutTheTag() {
        assertEquals(List.of("<4>sdt 3 IN=eth0 OUT= "),
                LogLines.fromKernel(List.of("4;Zab1Zsdt 3 IN=eth0 OUT= ", "6;someone else's line"), "Zab1Z"));
    }

    @Test
    void onlyTheOuterIdOfAGeneratedPacketIsBlanked() {
        String injected = "<4>x IN=eth0 OUT= SRC=10.0.0.2 DST=10.0.0.1 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=4096 DF PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 ";
        assertEquals(injected, LogLines.normalise(injected, 4096, Set.of()));
        String reply = "<4>x IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=112 TOS=0x00 PREC=0xC0 TTL=64 ID=51234 PROTO=ICMP TYPE=3 CODE=3 "
                + "[SRC=10.0.0.2 DST=10.0.0.1 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=4096 DF PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 ] ";
        assertEquals(reply.replace("ID=51234", "ID=*"), LogLines.normalise(reply, 4096, Set.of()));
        String v6 = "<4>x IN= OUT=eth0 SRC=fd00::1 DST=fd00::2 LEN=72 TC=0 HOPLIMIT=64 FLOWLBL=774411 PROTO=TCP ";
        assertEquals(v6.replace("FLOWLBL=774411", "FLOWLBL=*"), LogLines.normalise(v6, 4096, Set.of()));
        assertNull(LogLines.normalise("<4>a-long-prefix IN=eth0 ", 4096, Set.of("a-long-prefix")));
    }
}
