package io.stockade.packet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated and truncated packets never make the packet path throw: parse, inner parse, checksum
 * verification, printing, link-layer decode and rewrites all stay within the bytes.
 */
class ParserFuzzTest {
    private static final List<byte[]> SEEDS = List.of(
            Samples.bytes(Samples.TCP_SYN), Samples.bytes(Samples.UDP6_EXT), Samples.bytes(Samples.ICMP_ERR),
            Samples.bytes(Samples.ICMP6_ECHO), Samples.bytes(Samples.FRAG6_FIRST),
            PacketBuilder.ipv6("::1", "::2").hopByHop().routing(0, 1, "::3").destOptions().authHeader(1).tcp(1, 2)
                    .mss(1).timestamp(1, 2).build(),
            PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").icmp(3, 4).quote(Samples.bytes(Samples.TCP_SYN)).build(),
            PacketBuilder.ipv6("::1", "::2").icmp(1, 4).quote(Samples.bytes(Samples.UDP6_EXT)).build(),
            PacketBuilder.ipv4("10.0.0.1", "10.0.0.2").ipOptions(new byte[] {7, 7, 4, 0, 0, 0, 0}).udp(1, 2).build());

    @Test
    void mutationsNeverThrow() {
        Random r = new Random(20261123);
        PacketParser parser = new PacketParser();
        PacketDescriptor pd = new PacketDescriptor();
        PacketDescriptor inner = new PacketDescriptor();
        LinkLayer ll = new LinkLayer();
        int parsed = 0;
        for (int round = 0; round < 40_000; round++) {
            byte[] seed = SEEDS.get(r.nextInt(SEEDS.size()));
            byte[] b = seed.clone();
            int flips = 1 + r.nextInt(4);
            for (int k = 0; k < flips; k++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            int len = r.nextInt(4) == 0 ? r.nextInt(b.length + 1) : b.length;
            MemorySegment s = MemorySegment.ofArray(b);
            if (parser.parse(pd, s, 0, len)) {
                parsed++;
                Checksum.verifyIpv4Header(pd);
                Checksum.verifyL4(pd);
                PacketPrinter.format(pd, true);
                if (pd.icmpError) {
                    parser.parseInner(pd, inner);
                    PacketPrinter.format(inner);
                }
                PacketRewrite.setTtl(pd, 1);
                PacketRewrite.setDstPort(pd, 9);
                PacketRewrite.setIcmpId(pd, 3);
                if (pd.ipVersion == 4) {
                    PacketRewrite.setIpv4Src(pd, 5);
                } else {
                    PacketRewrite.setIpv6Dst(pd, 1, 2);
                }
            } else {
                PacketPrinter.format(pd);
            }
            int captured = len == 0 ? 0 : r.nextInt(len + 1);
            parser.parse(pd, s, 0, captured, len);
            for (int lt : new int[] {0, 1, 101, 113, 276}) {
                if (ll.decode(lt, s, 0, len)) {
                    parser.parse(pd, s, ll.ipOffset, ll.ipLength);
                }
            }
        }
        assertTrue(parsed > 1000, "the fuzzer should also produce parseable packets, got " + parsed);
    }
}
