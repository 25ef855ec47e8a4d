package io.stockade.ext.target;

import static io.stockade.ext.target.TargetHarness.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.packet.PacketParser;
import io.stockade.rules.Family;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Per-packet behaviour of TCPMSS, NOTRACK, CT, TRACE and NFQUEUE. Expected TCPMSS results are
 * the same packets encoded by scapy 2.5 with the new option value (an independent encoder, so
 * the checksum updates are checked against full recomputation).
 */
class PacketTargetsTest {
    static final String SYN_MSS_1460 = "4500003000010000400666c50a0000010a0000020001000200000000000000007002200050130000020405b401030307";
    static final String SYN_MSS_1400 = "4500003000010000400666c50a0000010a00000200010002000000000000000070022000504f00000204057801030307";
    static final String SYN_MSS_1452 = "4500003000010000400666c50a0000010a00000200010002000000000000000070022000501b0000020405ac01030307";
    static final String SYN_NO_OPTIONS = "4500002800010000400666cd0a0000010a000002000100020000000000000000500220007bdd0000";
    static final String SYN_MSS_536_ADDED = "4500002c00010000400666c90a0000010a0000020001000200000000000000006002200067bd000002040218";
    static final String SYN6_MSS_1440 = "6000000000180640fd000000000000000000000000000001fd000000000000000000000000000002"
            + "000100020000000000000000600220007e330000020405a0";
    static final String SYN6_MSS_1220 = "6000000000180640fd000000000000000000000000000001fd000000000000000000000000000002"
            + "000100020000000000000000600220007f0f0000020404c4";

    private static TargetAction action(Family f, String rule) {
        return (TargetAction) spec(f, TableKind.MANGLE, rule);
    }

    private static String bytesOf(Skb skb) {
        byte[] b = new byte[skb.pd.length - (int) skb.pd.base];
        MemorySegment.copy(skb.pd.data, ValueLayout.JAVA_BYTE, skb.pd.base, b, 0, b.length);
        return Packets.hex(b);
    }

    @Test
    void tcpmssLowersButNeverRaises() {
        Skb skb = Packets.skb(SYN_MSS_1460);
        assertEquals(Verdict.CONTINUE, action(Family.IPV4, "-p tcp -j TCPMSS --set-mss 1400").execute(skb, Emitter.NONE));
        assertEquals(SYN_MSS_1400, bytesOf(skb));
        action(Family.IPV4, "-p tcp -j TCPMSS --set-mss 1500").execute(skb, Emitter.NONE);
        assertEquals(SYN_MSS_1400, bytesOf(skb));
        Skb v6 = Packets.skb(SYN6_MSS_1440);
        action(Family.IPV6, "-p tcp -j TCPMSS --set-mss 1220").execute(v6, Emitter.NONE);
        assertEquals(SYN6_MSS_1220, bytesOf(v6));
    }

    @Test
    void tcpmssClampsToRouteMtu() {
        Skb skb = Packets.skb(SYN_MSS_1460);
        skb.routeMtu = 1492;
        action(Family.IPV4, "-p tcp -j TCPMSS --clamp-mss-to-pmtu").execute(skb, Emitter.NONE);
        assertEquals(SYN_MSS_1452, bytesOf(skb));
        Skb tiny = Packets.skb(SYN_MSS_1460);
        tiny.routeMtu = 40;
        assertEquals(Verdict.DROP, action(Family.IPV4, "-p tcp -j TCPMSS --clamp-mss-to-pmtu").execute(tiny, Emitter.NONE));
        Skb v6 = Packets.skb(SYN6_MSS_1440);
        v6.routeMtu = 1500;
        action(Family.IPV6, "-p tcp -j TCPMSS --clamp-mss-to-pmtu").execute(v6, Emitter.NONE);
        assertEquals(SYN6_MSS_1440, bytesOf(v6));
    }

    @Test
    void tcpmssAddsTheOptionWhenThereIsRoom() {
        byte[] packet = Packets.bytes(SYN_NO_OPTIONS);
        byte[] buf = new byte[packet.length + 16];
        System.arraycopy(packet, 0, buf, 0, packet.length);
        Skb skb = new Skb();
        skb.resetMeta();
        assertTrue(new PacketParser().parse(skb.pd, MemorySegment.ofArray(buf), 0, packet.length));
        action(Family.IPV4, "-p tcp -j TCPMSS --set-mss 1400").execute(skb, Emitter.NONE);
        assertEquals(SYN_MSS_536_ADDED, bytesOf(skb));
        assertEquals(44, skb.pd.ipTotalLength);
    }

    @Test
    void notrackAndCt() {
        Skb skb = new Skb();
        skb.resetMeta();
        TargetAction notrack = (TargetAction) spec(Family.IPV4, TableKind.RAW, "-j NOTRACK");
        assertEquals(Verdict.CONTINUE, notrack.execute(skb, Emitter.NONE));
        assertEquals(7, skb.ctinfo);
        skb.resetMeta();
        ((TargetAction) spec(Family.IPV4, TableKind.RAW, "-j CT --notrack")).execute(skb, Emitter.NONE);
        assertEquals(7, skb.ctinfo);
        skb.resetMeta();
        ((TargetAction) spec(Family.IPV4, TableKind.RAW, "-p tcp -j CT --helper ftp --zone 7")).execute(skb, Emitter.NONE);
        assertEquals(7, skb.ctZone);
        assertEquals("ftp", skb.ctHelper);
        skb.resetMeta();
        skb.conn = new Conn();
        ((TargetAction) spec(Family.IPV4, TableKind.RAW, "-j CT --notrack")).execute(skb, Emitter.NONE);
        assertEquals(0, skb.ctinfo, "a packet that already has an entry keeps it");
        assertNull(skb.ctHelper);
    }

    @Test
    void traceSetsTheFlag() {
        Skb skb = new Skb();
        skb.resetMeta();
        assertFalse(skb.trace);
        assertEquals(Verdict.CONTINUE,
                ((TargetAction) spec(Family.IPV4, TableKind.RAW, "-j TRACE")).execute(skb, Emitter.NONE));
        assertTrue(skb.trace);
    }

    /** Marks Linux gave (HMARK in mangle PREROUTING of a namespace, read back with LOG's MARK=). */
    @Test
    void hmarkAsLinux() {
        TargetAction full = (TargetAction) spec(Family.IPV4, TableKind.MANGLE,
                "-p udp -j HMARK --hmark-tuple src,dst,sport,dport,proto --hmark-rnd 0x12345678 --hmark-mod 1000 --hmark-offset 5");
        String[] udp4001 = {"4500001d00010000401166cd0a0000010a00000203e80fa10009775061",
            "4500001d00010000401166cd0a0000010a00000207d00fa10009736861",
            "4500001d00010000401166cd0a0000010a000002ea600fa1000990d761"};
        int[] marks = {0x2d2, 0x236, 0x3d};
        for (int i = 0; i < udp4001.length; i++) {
            Skb skb = Packets.skb(udp4001[i]);
            assertEquals(Verdict.CONTINUE, full.execute(skb, Emitter.NONE));
            assertEquals(marks[i], skb.mark, udp4001[i]);
        }
        TargetAction prefix = (TargetAction) spec(Family.IPV4, TableKind.MANGLE,
                "-p udp -j HMARK --hmark-src-prefix 24 --hmark-rnd 0xcafe --hmark-mod 7");
        for (String p : new String[] {"4500001d00010000401166cd0a0000010a00000203e80fa20009774f61",
            "4500001d00010000401166cd0a0000010a00000207d00fa20009736761"}) {
            Skb skb = Packets.skb(p);
            prefix.execute(skb, Emitter.NONE);
            assertEquals(5, skb.mark, p);
        }
    }

    @Test
    void nfqueueVerdicts() {
        Skb skb = Packets.skb(SYN_MSS_1460);
        int v = ((TargetAction) spec("-j NFQUEUE --queue-num 40000 --queue-bypass")).execute(skb, Emitter.NONE);
        assertEquals(Verdict.QUEUE, Verdict.code(v));
        assertEquals(40000, Verdict.queueNumber(v));
        assertTrue(skb.queueBypass);
        TargetSpec balance = spec("-j NFQUEUE --queue-balance 10:13");
        int q = Verdict.queueNumber(((TargetAction) balance).execute(skb, Emitter.NONE));
        assertTrue(q >= 10 && q <= 13, "queue " + q);
        // both directions of a flow meet in the same queue
        Skb reverse = Packets.skb("4500003000010000400666c50a0000020a0000010002000100000000000000007002200050130000020405b401030307");
        assertEquals(q, Verdict.queueNumber(((TargetAction) balance).execute(reverse, Emitter.NONE)));
    }
}
