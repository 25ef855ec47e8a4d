package io.stockade.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.engine.Skb;
import java.io.IOException;
import java.util.List;
import java.util.TreeSet;

/**
 * The comparison rig the conntrack kernel-oracle tests share around a {@link NetnsLab}: the root
 * requirement (skip, or fail under {@code CI=true}), one packet's state as the kernel's per-state
 * rule counters and as {@link Skb#ctStateBits} name it, and the final {@code conntrack -L}
 * listing against {@link ConntrackTable#entries} (same entries, timeouts within 3 s).
 */
final class OracleRig {
    private OracleRig() {
    }

    static void requireRoot() {
        boolean root = NetnsLab.isRoot();
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true: kernel comparison tests need root and network namespaces");
        }
        assumeTrue(root, "needs root and network namespaces (ip netns); skipped");
    }

    /**
     * Sends {@code bytes} from A (or B when {@code fromServer}) through R and returns the state of
     * the rule of {@code chain} whose counter moved ({@link NetnsLab#STATES}), or "none".
     */
    static String kernelState(NetnsLab lab, boolean fromServer, byte[] bytes, boolean v6, String chain) throws IOException {
        long[] before = lab.counters(v6, chain);
        lab.send(fromServer ? lab.b : lab.a, bytes, v6, dst(bytes, v6));
        long[] after = lab.counters(v6, chain);
        String kernel = "none";
        for (int i = 0; i < after.length; i++) {
            if (after[i] != before[i]) {
                kernel = NetnsLab.STATES.get(i);
            }
        }
        return kernel;
    }

    /** The packet's conntrack state as the kernel's state rules name it. */
    static String stateName(Skb skb) {
        int bits = skb.ctStateBits;
        if (bits == Conn.STATE_UNTRACKED) {
            return "UNTRACKED";
        }
        if (skb.conn == null) {
            return "INVALID";
        }
        return switch (bits) {
            case Conn.STATE_NEW -> "NEW";
            case Conn.STATE_ESTABLISHED -> "ESTABLISHED";
            case Conn.STATE_RELATED -> "RELATED";
            default -> "?" + bits;
        };
    }

    /**
     * Asserts no per-packet {@code mismatches}, then that R's {@code conntrack -L} (both families)
     * and {@code table} hold the same entries with timeouts within 3 s; {@code report} (the
     * per-packet lines so far, printed with both listings) explains a failure.
     */
    static void assertListingsAgree(NetnsLab lab, ConntrackTable table, List<String> mismatches, StringBuilder report)
            throws IOException {
        String listing = lab.in(lab.r, "conntrack", "-L", "-f", "ipv4") + lab.in(lab.r, "conntrack", "-L", "-f", "ipv6");
        long now = System.nanoTime();
        TreeSet<String> kernelLines = new TreeSet<>();
        for (String line : listing.split("\n")) {
            if (!line.startsWith("conntrack v") && !line.isBlank()) {
                kernelLines.add(line.trim());
            }
        }
        TreeSet<String> ourLines = new TreeSet<>();
        for (Conn c : table.entries(now)) {
            ourLines.add(ConntrackFormat.line(c, now, false, table.useCount(c, now)));
        }
        report.append("kernel:\n  ").append(String.join("\n  ", kernelLines)).append("\nstockade:\n  ")
                .append(String.join("\n  ", ourLines)).append('\n');
        System.out.print(report);
        assertTrue(mismatches.isEmpty(), "per-packet state differs:\n" + String.join("\n", mismatches) + "\n" + report);
        assertEquals(kernelLines.size(), ourLines.size(), report.toString());
        for (String k : kernelLines) {
            String key = withoutTimeout(k);
            String match = null;
            for (String o : ourLines) {
                if (withoutTimeout(o).equals(key)) {
                    match = o;
                }
            }
            assertTrue(match != null, "kernel entry not in stockade's table: " + k + "\n" + report);
            assertTrue(Math.abs(timeout(k) - timeout(match)) <= 3, "timeouts " + k + " vs " + match);
        }
    }

    /** The destination address of raw IP bytes, as text. */
    static String dst(byte[] p, boolean v6) {
        try {
            byte[] a = v6 ? java.util.Arrays.copyOfRange(p, 24, 40) : java.util.Arrays.copyOfRange(p, 16, 20);
            return java.net.InetAddress.getByAddress(a).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@code conntrack -L} line without its timeout field. */
    static String withoutTimeout(String line) {
        String[] f = line.split("\\s+", 4);
        return f[0] + " " + f[1] + " " + f[3];
    }

    private static long timeout(String line) {
        return Long.parseLong(line.split("\\s+")[2]);
    }
}
