package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    @Test
    void rfc1071Example() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        MemorySegment s = Samples.seg("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksum.fold(Checksum.sum(s, 0, 8, 0)));
        assertEquals(0x220d, Checksum.finish(Checksum.sum(s, 0, 8, 0)));
    }

    @Test
    void oddLengthPadsWithZero() {
        MemorySegment s = Samples.seg("0102ff");
        // 0x0102 + 0xff00 = 0x10002, end-around carry folds it to 0x0003.
        assertEquals(0x0003, Checksum.fold(Checksum.sum(s, 0, 3, 0)));
    }

    @Test
    void knownIpv4HeaderChecksum() {
        // The classic example header (checksum b861).
        MemorySegment s = Samples.seg("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, Checksum.finish(Checksum.sum(s, 0, 20, 0)));
    }

    @Test
    void scapyPacketsVerify() {
        PacketParser p = new PacketParser();
        PacketDescriptor pd = new PacketDescriptor();
        for (String hex : new String[] {Samples.TCP_SYN, Samples.UDP6_EXT, Samples.ICMP_ERR, Samples.ICMP6_ECHO}) {
            byte[] b = Samples.bytes(hex);
            assertTrue(p.parse(pd, MemorySegment.ofArray(b), 0, b.length), hex);
            assertTrue(Checksum.verifyIpv4Header(pd), hex);
            assertTrue(Checksum.verifyL4(pd), hex);
            b[b.length - 1] ^= 0x10;
            assertFalse(Checksum.verifyL4(pd), "corrupted payload must fail: " + hex);
        }
    }

    @Test
    void badIpv4HeaderChecksumDetected() {
        byte[] b = Samples.bytes(Samples.TCP_SYN);
        b[Ipv4.CHECKSUM_OFFSET] ^= 1;
        PacketDescriptor pd = new PacketDescriptor();
        assertTrue(new PacketParser().parse(pd, MemorySegment.ofArray(b), 0, b.length));
        assertFalse(Checksum.verifyIpv4Header(pd));
    }

    @Test
    void fillRestoresScapyChecksums() {
        for (String hex : new String[] {Samples.TCP_SYN, Samples.UDP6_EXT, Samples.ICMP_ERR, Samples.ICMP6_ECHO}) {
            byte[] b = Samples.bytes(hex);
            MemorySegment s = MemorySegment.ofArray(b);
            PacketDescriptor pd = new PacketDescriptor();
            new PacketParser().parse(pd, s, 0, b.length);
            if (pd.ipVersion == 4) {
                Wire.put16(s, Ipv4.CHECKSUM_OFFSET, 0x1111);
            }
            Checksum.fill(pd);
            assertEquals(hex, Samples.hex(b));
        }
    }

    @Test
    void incrementalMatchesFullRecomputation() {
        Random r = new Random(42);
        for (int round = 0; round < 500; round++) {
            byte[] b = new byte[40];
            r.nextBytes(b);
            MemorySegment s = MemorySegment.ofArray(b);
            Wire.put16(s, 10, 0);
            int check = Checksum.finish(Checksum.sum(s, 0, 40, 0));
            Wire.put16(s, 10, check);
            // 16-bit field at 4.
            int old16 = Wire.u16(s, 4);
            int new16 = r.nextInt(0x10000);
            Wire.put16(s, 4, new16);
            check = Checksum.update16(check, old16, new16);
            // 32-bit field at 12.
            int old32 = Wire.i32(s, 12);
            int new32 = r.nextInt();
            Wire.put32(s, 12, new32);
            check = Checksum.update32(check, old32, new32);
            // 128-bit field at 20.
            long oh = Wire.i64(s, 20);
            long ol = Wire.i64(s, 28);
            long nh = r.nextLong();
            long nl = r.nextLong();
            Wire.put64(s, 20, nh);
            Wire.put64(s, 28, nl);
            check = Checksum.update128(check, oh, ol, nh, nl);
            Wire.put16(s, 10, check);
            assertEquals(0xffff, Checksum.fold(Checksum.sum(s, 0, 40, 0)), "round " + round);
        }
    }

    @Test
    void ttlDecrementIncrementally() {
        byte[] b = Samples.bytes(Samples.TCP_SYN);
        MemorySegment s = MemorySegment.ofArray(b);
        int oldWord = Wire.u16(s, Ipv4.TTL_OFFSET);
        Wire.put8(s, Ipv4.TTL_OFFSET, Wire.u8(s, Ipv4.TTL_OFFSET) - 1);
        int c = Checksum.update16(Wire.u16(s, Ipv4.CHECKSUM_OFFSET), oldWord, Wire.u16(s, Ipv4.TTL_OFFSET));
        Wire.put16(s, Ipv4.CHECKSUM_OFFSET, c);
        assertTrue(new Ipv4().wrap(s, 0, b.length).checksumValid());
    }

    @Test
    void pseudoHeaderIpv6MatchesManualSum() {
        long[] a = IpText.parseV6("2001:db8::1");
        long[] d = IpText.parseV6("2001:db8::2");
        long expected = 0x2001 + 0x0db8 + 1 + 0x2001 + 0x0db8 + 2 + 13 + 17;
        assertEquals(expected, Checksum.pseudoIpv6(a[0], a[1], d[0], d[1], 17, 13));
    }
}
