package io.stockade.defrag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.packet.PacketBuilder;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.PacketParser;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ip_defrag / nf_ct_frag6_gather semantics: order, duplicates, overlaps, expiry, IPv6, and re-fragmentation. */
class ReassemblerTest {
    private static final long SEC = 1_000_000_000L;
    private final PacketParser parser = new PacketParser();
    private final PacketDescriptor pd = new PacketDescriptor();
    private final Reassembler r = new Reassembler();

    private static PacketBuilder udp4() {
        return PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").id(0x1234).udp(5000, 53).payload(2900);
    }

    private static PacketBuilder udp6() {
        return PacketBuilder.ipv6("2001:db8::9", "2001:db8:1::7").id(0x12345678).hopByHop().udp(5000, 53).payload(2900);
    }

    private int offer(byte[] p, long now) {
        assertTrue(parser.parse(pd, MemorySegment.ofArray(p.clone()), 0, p.length), "test packet parses");
        return r.offer(pd, now, 1);
    }

    private byte[] out() {
        byte[] b = new byte[r.outLength()];
        MemorySegment.copy(r.out(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
        return b;
    }

    private void feedAllButLast(List<byte[]> frags, long now) {
        for (int i = 0; i < frags.size() - 1; i++) {
            assertEquals(Reassembler.HELD, offer(frags.get(i), now), "fragment " + i + " is held");
        }
    }

    @Test
    void notAFragmentPasses() {
        assertEquals(Reassembler.PASS, offer(udp4().build(), 0));
        assertEquals(0, r.queued());
    }

    @Test
    void inOrderIpv4Reassembles() {
        List<byte[]> f = udp4().buildFragments(1000);
        assertEquals(3, f.size());
        feedAllButLast(f, 0);
        assertEquals(Reassembler.COMPLETE, offer(f.get(2), SEC));
        assertArrayEquals(udp4().build(), out());
        assertEquals(f.get(0).length, r.maxFragSize());
        assertEquals(0, r.queued());
        assertEquals(0, r.heldBytes());
    }

    @Test
    void outOfOrderIpv4Reassembles() {
        List<byte[]> f = new ArrayList<>(udp4().buildFragments(1000));
        Collections.reverse(f);
        feedAllButLast(f, 0);
        assertEquals(Reassembler.COMPLETE, offer(f.get(2), 0));
        assertArrayEquals(udp4().build(), out());
    }

    @Test
    void duplicateIsDroppedAloneAndTheDatagramStillCompletes() {
        List<byte[]> f = udp4().buildFragments(1000);
        assertEquals(Reassembler.HELD, offer(f.get(1), 0));
        assertEquals(Reassembler.DROPPED, offer(f.get(1), 0));
        assertEquals(Reassembler.DROP_DUPLICATE, r.lastDrop);
        assertEquals(1, r.queued());
        assertEquals(Reassembler.HELD, offer(f.get(0), 0));
        assertEquals(Reassembler.COMPLETE, offer(f.get(2), 0));
        assertArrayEquals(udp4().build(), out());
    }

    @Test
    void partialOverlapDropsTheWholeDatagram() {
        List<byte[]> a = udp4().buildFragments(1000);
        List<byte[]> b = udp4().buildFragments(800);
        assertEquals(Reassembler.HELD, offer(a.get(0), 0));      // data 0..1000
        assertEquals(Reassembler.DROPPED, offer(b.get(1), 0));   // data 800..1600 overlaps
        assertEquals(Reassembler.DROP_OVERLAP, r.lastDrop);
        assertEquals(0, r.queued());
        // What follows starts a fresh queue that lacks the first fragment: never complete.
        assertEquals(Reassembler.HELD, offer(a.get(1), 0));
        assertEquals(Reassembler.HELD, offer(a.get(2), 0));
    }

    @Test
    void missingPieceExpiresAfterIpfragTime() {
        List<byte[]> f = udp4().buildFragments(1000);
        assertEquals(Reassembler.HELD, offer(f.get(0), 0));
        assertEquals(Reassembler.HELD, offer(f.get(1), 29 * SEC));
        assertEquals(1, r.queued());
        r.expire(30 * SEC);
        assertEquals(0, r.queued());
        assertEquals(1, r.timeouts);
        assertEquals(0, r.heldBytes());
        // The last piece arriving after expiry cannot complete the datagram.
        assertEquals(Reassembler.HELD, offer(f.get(2), 31 * SEC));
    }

    @Test
    void differentUsersNeverMix() {
        List<byte[]> f = udp4().buildFragments(1000);
        assertEquals(Reassembler.HELD, offer(f.get(0), 0));
        assertEquals(Reassembler.HELD, offer(f.get(1), 0));
        assertTrue(parser.parse(pd, MemorySegment.ofArray(f.get(2).clone()), 0, f.get(2).length));
        assertEquals(Reassembler.HELD, r.offer(pd, 0, 2));
        assertEquals(2, r.queued());
    }

    @Test
    void lastFragmentEndingBeforeQueuedDataDropsTheDatagram() {
        List<byte[]> g = udp4().buildFragments(2000);
        assertEquals(Reassembler.HELD, offer(g.get(0), 0)); // data 0..2000, more fragments
        // The last piece of a shorter datagram with the same key: its end (1000) lies below 2000.
        List<byte[]> s = PacketBuilder.ipv4("192.0.2.9", "10.0.0.7").id(0x1234).udp(5000, 53).payload(992).buildFragments(504);
        assertEquals(Reassembler.DROPPED, offer(s.get(s.size() - 1), 0));
        assertEquals(Reassembler.DROP_INVALID, r.lastDrop);
        assertEquals(0, r.queued());
    }

    @Test
    void ipv6ReassemblesWithoutTheFragmentHeader() {
        List<byte[]> f = new ArrayList<>(udp6().buildFragments(1000));
        Collections.reverse(f);
        feedAllButLast(f, 0);
        assertEquals(Reassembler.COMPLETE, offer(f.get(f.size() - 1), 0));
        assertArrayEquals(udp6().build(), out());
        assertEquals(48, r.outUnfragLength());
        assertEquals(0x12345678, r.outId());
    }

    @Test
    void ipv6OverlapDropsTheWholeDatagramRfc5722() {
        List<byte[]> a = udp6().buildFragments(1000);
        List<byte[]> b = udp6().buildFragments(800);
        assertEquals(Reassembler.HELD, offer(a.get(0), 0));
        assertEquals(Reassembler.DROPPED, offer(b.get(1), 0));
        assertEquals(Reassembler.DROP_OVERLAP, r.lastDrop);
        assertEquals(0, r.queued());
    }

    @Test
    void ipv6ExpiresAfterSixtySeconds() {
        List<byte[]> f = udp6().buildFragments(1000);
        assertEquals(Reassembler.HELD, offer(f.get(0), 0));
        r.expire(59 * SEC);
        assertEquals(1, r.queued());
        r.expire(60 * SEC);
        assertEquals(0, r.queued());
    }

    @Test
    void refragmentingAtTheLargestFragmentSizeGivesBackTheSameFragments() {
        for (PacketBuilder b : List.of(udp4(), udp6())) {
            List<byte[]> f = b.buildFragments(1000);
            for (byte[] p : f) {
                offer(p, 0);
            }
            assertEquals(f.get(0).length, r.maxFragSize());
            Fragmenter fr = new Fragmenter();
            int n = fr.start(r.out(), r.outLength(), b.version(), Math.min(1500, r.maxFragSize()),
                    r.outUnfragLength(), r.outId());
            assertEquals(f.size(), n);
            for (int i = 0; i < n; i++) {
                int len = fr.build(i);
                byte[] got = new byte[len];
                MemorySegment.copy(fr.out(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, got, 0, len);
                assertArrayEquals(f.get(i), got, "piece " + i + " of IPv" + b.version());
            }
        }
    }
}
