package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two throwaway namespaces for the cli kernel tests, {@code r} (the router under test) and
 * {@code a} (a sender), joined by a veth pair with one /24 address at each end, links up and a
 * permanent neighbour entry on each side for the other. {@link #close()} deletes both. The
 * static helpers run shell commands with a bounded wait and fail on a non-zero exit.
 */
final class VethPair implements AutoCloseable {
    final String r;
    final String a;

    /**
     * @param tag   a short name part; the namespaces are {@code stk-TAG-r/a} plus the pid
     * @param rIf   r's end ({@code rAddr/24}); a's end is {@code aIf} with {@code aAddr/24}
     */
    VethPair(String tag, String rIf, String rAddr, String aIf, String aAddr) throws Exception {
        r = "stk-" + tag + "-r" + ProcessHandle.current().pid();
        a = "stk-" + tag + "-a" + ProcessHandle.current().pid();
        try {
            sh("ip netns add " + r + " && ip netns add " + a
                    + " && ip link add " + rIf + " netns " + r + " type veth peer name " + aIf + " netns " + a
                    + " && ip netns exec " + r + " sh -c 'ip link set lo up; ip addr add " + rAddr + "/24 dev " + rIf
                    + "; ip link set dev " + rIf + " up'"
                    + " && ip netns exec " + a + " sh -c 'ip link set lo up; ip addr add " + aAddr + "/24 dev " + aIf
                    + "; ip link set dev " + aIf + " up'"
                    + " && ip netns exec " + r + " ip neigh replace " + aAddr + " lladdr $(ip netns exec " + a
                    + " cat /sys/class/net/" + aIf + "/address) dev " + rIf + " nud permanent"
                    + " && ip netns exec " + a + " ip neigh replace " + rAddr + " lladdr $(ip netns exec " + r
                    + " cat /sys/class/net/" + rIf + "/address) dev " + aIf + " nud permanent");
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Skips (or, under {@code CI=true}, fails) unless running as root; {@code needs} says what for. */
    static void requireRoot(String needs) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true: kernel comparison tests need root and network namespaces");
        }
        assumeTrue(root, "needs root (" + needs + ")");
    }

    static String sh(String cmd) throws Exception {
        return run(List.of("bash", "-c", cmd), "");
    }

    /** Runs {@code cmd} with {@code input} on stdin; its output, or an IOException on timeout (120 s) or failure. */
    static String run(List<String> cmd, String input) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + cmd + "\n" + out);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        sh("ip netns del " + r + " 2>/dev/null; ip netns del " + a + " 2>/dev/null; true");
    }
}
