package io.stockade.ext.target;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.engine.Skb;
import io.stockade.engine.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * LOG lines against the real kernel. Golden data: Linux 6.x, veth between two namespaces
 * (sender 02:00:00:00:00:0a 10.0.0.1/fd00::1, receiver vb 02:00:00:00:00:0b 10.0.0.2/fd00::2),
 * {@code iptables -A INPUT … -j LOG --log-prefix … [flags]} in the receiver with
 * {@code net.netfilter.nf_log_all_netns=1}, packets sent with scapy 2.5, lines read from dmesg
 * (without the timestamp). Each case: prefix, flags, the packet, the kernel's line after the prefix.
 */
class LogGoldenTest {
    record Case(String prefix, int flags, String packet, String line) {
    }

    static final byte[] MAC = Packets.bytes("02000000000b02000000000a0800");
    static final byte[] MAC6 = Packets.bytes("02000000000b02000000000a86dd");
    /** The head every INPUT line shares: interfaces, link header, addresses. */
    static final String IN4 = "IN=vb OUT= MAC=02:00:00:00:00:0b:02:00:00:00:00:0a:08:00 SRC=10.0.0.1 DST=10.0.0.2 ";
    static final String IN6 = "IN=vb OUT= MAC=02:00:00:00:00:0b:02:00:00:00:00:0a:86:dd "
            + "SRC=fd00:0000:0000:0000:0000:0000:0000:0001 DST=fd00:0000:0000:0000:0000:0000:0000:0002 ";
    /** The addresses of a quoted IPv6 packet (the reply direction). */
    static final String V6_QUOTE = "SRC=fd00:0000:0000:0000:0000:0000:0000:0002 DST=fd00:0000:0000:0000:0000:0000:0000:0001 ";
    /** A reset the receiver's TCP stack sent, and its LOG line without prefix and extras. */
    static final String RST = "4510002800004000400600000a0000020a00000107d19c4000000000000003e95014000000000000";
    static final String RST_LINE = "IN= OUT=vb SRC=10.0.0.2 DST=10.0.0.1 LEN=40 TOS=0x10 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP "
            + "SPT=2001 DPT=40000 WINDOW=0 RES=0x00 ACK RST URGP=0 ";

    static final List<Case> INPUT = List.of(
            new Case("T1: ", 0x00, "4510002c123440003f0615860a0000010a0000029c4007d1000003e8000000006002faf0e1390000020405b4",
                    IN4 + "LEN=44 TOS=0x10 PREC=0x00 TTL=63 ID=4660 DF PROTO=TCP SPT=40000 DPT=2001 WINDOW=64240 RES=0x00 SYN URGP=0 "),
            new Case("T2: ", 0x07, "4600003d12350000400651830a0000010a000002010101009c4107d20000138800001e618a3801f43cc500030101080a"
                    + "000000010000000268656c6c6f",
                    IN4 + "LEN=61 TOS=0x00 PREC=0x00 TTL=64 ID=4661 OPT (01010100) PROTO=TCP SPT=40001 DPT=2002 SEQ=5000 ACK=7777 WINDOW=500 RES=0x28 URG ACK PSH URGP=3 OPT (0101080A0000000100000002) "),
            new Case("T3: ", 0x20, "4500002812360000400654980a0000010a0000029c4207d3000023280000000050c12000b3e30000",
                    "IN=vb OUT= MACSRC=02:00:00:00:00:0a MACDST=02:00:00:00:00:0b MACPROTO=0800 SRC=10.0.0.1 DST=10.0.0.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=4662 PROTO=TCP SPT=40002 DPT=2003 WINDOW=8192 RES=0x00 CWR ECE FIN URGP=0 "),
            new Case("U1: ", 0x04, "45ff002620000000401145c60a0000010a00000213880bb80012722d78787878787878787878",
                    IN4 + "LEN=38 TOS=0x1E PREC=0xE0 TTL=64 ID=8192 PROTO=UDP SPT=5000 DPT=3000 LEN=18 "),
            new Case("I1: ", 0x00, "4500002030000000400136db0a0000010a000002080019270007000170696e67",
                    IN4 + "LEN=32 TOS=0x00 PREC=0x00 TTL=64 ID=12288 PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 "),
            new Case("I1: ", 0x00, "4500004430010000400136b60a0000010a00000203040ba1000005784500002800050000400666c90a0000020a000001"
                    + "000100020000000000000000501020007bcf0000",
                    IN4 + "LEN=68 TOS=0x00 PREC=0x00 TTL=64 ID=12289 PROTO=ICMP TYPE=3 CODE=4 [SRC=10.0.0.2 DST=10.0.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=5 PROTO=TCP SPT=1 DPT=2 WINDOW=8192 RES=0x00 ACK URGP=0 ] MTU=1400 "),
            new Case("I1: ", 0x00, "4500003830020000400136c10a0000010a00000203031119000000004500001c00060000401166c90a0000020a000001"
                    + "000100020008ebd8",
                    IN4 + "LEN=56 TOS=0x00 PREC=0x00 TTL=64 ID=12290 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.2 DST=10.0.0.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=6 PROTO=UDP SPT=1 DPT=2 LEN=8 ] "),
            new Case("I1: ", 0x00, "4500002830030000400136d00a0000010a0000020d004ab1000000000310dfb40310dfb40310dfb4",
                    IN4 + "LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=12291 PROTO=ICMP TYPE=13 CODE=0 "),
            new Case("G1: ", 0x00, "4500001830040000402f36b10a0000010a00000200000800",
                    IN4 + "LEN=24 TOS=0x00 PREC=0x00 TTL=64 ID=12292 PROTO=47 "),
            new Case("T61: ", 0x00, "6281234500140640fd000000000000000000000000000001fd0000000000000000000000000000029c4007d1000003e8"
                    + "0000000050022000ede40000",
                    IN6 + "LEN=60 TC=40 HOPLIMIT=64 FLOWLBL=74565 PROTO=TCP SPT=40000 DPT=2001 WINDOW=8192 RES=0x00 SYN URGP=0 "),
            new Case("T63: ", 0x21, "6000000000190640fd000000000000000000000000000001fd0000000000000000000000000000029c4107d300001388"
                    + "00001e61501820007bf3000068656c6c6f",
                    "IN=vb OUT= MACSRC=02:00:00:00:00:0a MACDST=02:00:00:00:00:0b MACPROTO=86dd SRC=fd00:0000:0000:0000:0000:0000:0000:0001 DST=fd00:0000:0000:0000:0000:0000:0000:0002 LEN=65 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=TCP SPT=40001 DPT=2003 SEQ=5000 ACK=7777 WINDOW=8192 RES=0x00 ACK PSH URGP=0 "),
            new Case("U61: ", 0x04, "6b80000000121140fd000000000000000000000000000001fd00000000000000000000000000000213880bb800128c2b"
                    + "78787878787878787878",
                    IN6 + "LEN=58 TC=184 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP SPT=5000 DPT=3000 LEN=18 "),
            new Case("I61: ", 0x00, "60000000000c3a40fd000000000000000000000000000001fd0000000000000000000000000000028000a6db00070001"
                    + "70696e67",
                    IN6 + "LEN=52 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=7 SEQ=1 "),
            new Case("I62: ", 0x00, "6000000000383a40fd000000000000000000000000000001fd0000000000000000000000000000020104935500000000"
                    + "6000000000081140fd000000000000000000000000000002fd00000000000000000000000000000100010002000805d7",
                    IN6 + "LEN=96 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=1 CODE=4 [" + V6_QUOTE + "LEN=48 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP SPT=1 DPT=2 LEN=8 ] "),
            new Case("U61: ", 0x04, "6000000000280040fd000000000000000000000000000001fd0000000000000000000000000000022c00010400000000"
                    + "1100000100000063138f0bb80018b33f66666666666666666666666666666666",
                    IN6 + "LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 OPT ( ) OPT ( FRAG:0 INCOMPLETE ID:00000063 ) PROTO=UDP SPT=5007 DPT=3000 LEN=24 "),
            new Case("U61: ", 0x04, "6000000000182c40fd000000000000000000000000000001fd0000000000000000000000000000021100002000000063"
                    + "67676767676767676767676767676767",
                    IN6 + "LEN=64 TC=0 HOPLIMIT=64 FLOWLBL=0 OPT ( FRAG:32 ID:00000063 ) PROTO=UDP ")
    );

    /** The packet as it arrived on vb with the given link header. */
    private static Skb received(Skb skb, byte[] mac) {
        skb.inIface = "vb";
        System.arraycopy(mac, 0, skb.macHeader, 0, 14);
        skb.macHeaderLength = 14;
        return skb;
    }

    @Test
    void inputLinesAreTheKernels() {
        for (Case c : INPUT) {
            Skb skb = received(Packets.skb(c.packet()), c.packet().startsWith("6") ? MAC6 : MAC);
            RecordingEmitter em = new RecordingEmitter();
            int v = new LogTarget.Spec(6, c.prefix(), c.flags()).execute(skb, em);
            assertEquals(Verdict.CONTINUE, v);
            assertEquals(c.prefix() + c.line(), em.lines.get(0));
            assertEquals(6, em.levels.get(0));
        }
    }

    /** A reset the kernel's TCP stack sent, logged in OUTPUT: no MAC, UID only for full sockets, MARK. */
    @Test
    void outputLineWithMark() {
        Skb skb = Packets.skb(RST);
        skb.outIface = "vb";
        RecordingEmitter em = new RecordingEmitter();
        new LogTarget.Spec(4, "O1: ", LogTarget.UID).execute(skb, em);
        assertEquals("O1: " + RST_LINE, em.lines.get(0));
        skb.mark = 0x2a;
        new LogTarget.Spec(4, "O2: ", 0).execute(skb, em);
        assertEquals("O2: " + RST_LINE + "MARK=0x2a ", em.lines.get(1));
    }

    /** nf_log_dump_sk_uid_gid for a local socket's packet (format from nf_log_syslog.c). */
    @Test
    void uidOfLocalSocket() {
        Skb skb = Packets.skb(RST);
        skb.outIface = "vb";
        skb.uid = 1000;
        skb.gid = 100;
        RecordingEmitter em = new RecordingEmitter();
        new LogTarget.Spec(4, "", LogTarget.UID).execute(skb, em);
        assertEquals(RST_LINE + "UID=1000 GID=100 ", em.lines.get(0));
    }

    /** The link header is read from the Skb, the packet from pd.base on (not offset 0). */
    @Test
    void packetBehindAnOffset() {
        Case c = INPUT.get(0);
        Skb skb = received(Packets.skb(Packets.bytes(c.packet()), 14), MAC);
        RecordingEmitter em = new RecordingEmitter();
        new LogTarget.Spec(4, c.prefix(), c.flags()).execute(skb, em);
        assertEquals(c.prefix() + c.line(), em.lines.get(0));
    }
}
