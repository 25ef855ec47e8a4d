package io.stockade.defrag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.difftest.Regression;
import io.stockade.packet.PacketBuilder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel-differential disagreement on fragments (docs/DIFFERENTIAL.md, {@code --seed 20261123
 * --case 223}) on the harness topology, without root: the fates are the kernel's.
 */
class DefragRegressionTest {
    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void lonelyFirstFragmentIsHeldLikeCase223() throws Exception {
        byte[] first = PacketBuilder.ipv4("192.168.10.3", "203.0.113.9").id(4711).udp(40000, 53).payload(1200)
                .buildFragments(600).get(0);
        List<String> got = Regression.stockadeOutcomes("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
                "", true, List.of(Regression.packet("eth0", hex(first))), new long[] {0});
        // Held by nf_defrag: nothing leaves the gateway (the harness calls that "drop").
        assertEquals(List.of("drop"), got);
    }

    @Test
    void completeTrainIsForwardedOnceAsFragments() throws Exception {
        List<byte[]> f = PacketBuilder.ipv4("192.168.10.3", "203.0.113.9").id(4712).udp(40000, 53).payload(1200)
                .buildFragments(600);
        List<String> got = Regression.stockadeOutcomes("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
                "", true, f.stream().map(p -> Regression.packet("eth0", hex(p))).toList(), new long[] {0, 1000, 2000});
        assertEquals(3, f.size());
        // The first two are held; the one completing the datagram sends it on, re-fragmented.
        assertEquals(List.of("drop", "drop", "forward:eth1"), got);
    }
}
