package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/**
 * bpf: acceptance, errors and save/-L texts as Linux 6.x + iptables-legacy 1.8.9 gave them for
 * the same programs (collected in a throwaway namespace), and the interpreter on built packets.
 */
class BpfMatchTest {
    static M2Harness.Result rule(String prog) {
        return M2Harness.parse(Family.IPV4, "-m bpf --bytecode \"" + prog + "\"");
    }

    @Test
    void kernelAcceptsAndRefusesLikeLinux() {
        String einval = "Invalid argument. Run `dmesg' for more information.";
        assertNull(rule("4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0").error());
        assertEquals(einval, rule("2,48 0 0 9,21 0 5 6").error(), "jump out of range, no RET last");
        assertEquals(einval, rule("2,96 0 0 1,6 0 0 0").error(), "M[1] read before written");
        assertNull(rule("3,2 0 0 1,96 0 0 1,22 0 0 0").error(), "M[1] written first");
        assertEquals(einval, rule("2,52 0 0 0,6 0 0 0").error(), "division by constant 0");
        assertEquals(einval, rule("2,100 0 0 32,6 0 0 0").error(), "shift by 32");
        assertNull(rule("2,32 0 0 4294963200,6 0 0 0").error(), "SKF_AD_PROTOCOL");
        assertEquals(einval, rule("2,32 0 0 4294963300,6 0 0 0").error(), "unknown ancillary field");
        assertEquals(einval, rule("1,260 0 0 0").error(), "unknown opcode");
    }

    @Test
    void parseErrorsLikeIptables() {
        assertEquals("bpf: parsed program length is less than the encoded length parameter", rule("2,6 0 0 0").error());
        assertEquals("bpf: illegal zero length program", rule("0,6 0 0 0").error());
        assertEquals("bpf: error at instr 0", rule("1,x").error());
        assertEquals("bpf: real program length exceeds the encoded length parameter", rule("1,6 0 0 0,6 0 0 0").error());
        assertEquals("bpf: error parsing program length", rule("x").error());
        assertEquals("-m bpf --bytecode \"1,6 0 0 0\"", rule("1,6 0 0 0,").save());
        assertEquals("-m bpf --bytecode \"1,6 0 0 4294967295\"", rule("1,6 0 0 4294967295").save());
        assertEquals("match bpf 48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0",
                M2Harness.print(rule("4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0").specs().getLast(), true));
    }

    @Test
    void runsClassicBpf() {
        Skb tcp = PacketBuilder.ipv4(6, 0).u16(1).u16(22).zeros(16).skb(20, 6);
        Skb udp = PacketBuilder.ipv4(17, 0).u16(1).u16(53).u16(8).u16(0).skb(20, 17);
        Matcher isTcp = (Matcher) rule("4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0").specs().getLast();
        assertTrue(isTcp.matches(tcp));
        assertFalse(isTcp.matches(udp));
        // ldxb 4*([0]&0xf); ldh [x+2]; jeq #22 → dst port 22 through the IHL.
        Matcher port22 = (Matcher) rule("5,177 0 0 0,72 0 0 2,21 0 1 22,6 0 0 65535,6 0 0 0").specs().getLast();
        assertTrue(port22.matches(tcp));
        assertFalse(port22.matches(udp));
        // Scratch memory and ALU: M[3] = len; A = M[3] - 28; ret A (0 for the 28-byte UDP packet).
        BpfMatch.Spec mem = (BpfMatch.Spec) rule("5,128 0 0 0,2 0 0 3,96 0 0 3,20 0 0 28,22 0 0 0").specs().getLast();
        assertEquals(0, mem.run(udp));
        assertEquals(12, mem.run(tcp));
        // Reading past the end returns 0 (no match).
        assertFalse(((Matcher) rule("2,32 0 0 1000,6 0 0 1").specs().getLast()).matches(tcp));
        // SKF_AD_PROTOCOL = 0x0800 for IPv4.
        assertTrue(((Matcher) rule("4,32 0 0 4294963200,21 0 1 2048,6 0 0 1,6 0 0 0").specs().getLast()).matches(tcp));
    }
}
