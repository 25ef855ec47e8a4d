package io.stockade.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host model against the kernel: a namespace is configured (two veth interfaces, addresses,
 * a default route with a metric, a route with an MTU, a blackhole), its {@code ip -j} output is
 * loaded with {@link HostLoader}, and for a list of destinations the output interface Stockade
 * picks is compared with {@code ip -j route get} in the namespace.
 */
@Tag("kernel")
class HostKernelTest {
    private static final String NS = "stk-host-" + ProcessHandle.current().pid();

    private static String run(List<String> cmd, boolean mayFail) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0 && !mayFail) {
            throw new IOException(cmd + " failed: " + out);
        }
        return p.exitValue() == 0 ? out : null;
    }

    private static String ns(String shell, boolean mayFail) throws IOException, InterruptedException {
        return run(List.of("ip", "netns", "exec", NS, "sh", "-c", shell), mayFail);
    }

    private static void requireRoot() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "needs root (network namespaces)";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            why = "needs iproute2 (ip)";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: the host-model kernel test must run, but it " + why);
            }
            assumeTrue(false, "host-model kernel test skipped: it " + why);
        }
    }

    @Test
    void routeChoicesAgreeWithTheKernel(@TempDir Path dir) throws Exception {
        requireRoot();
        try {
            run(List.of("ip", "netns", "add", NS), false);
            run(List.of("ip", "link", "add", "stkh0", "netns", NS, "type", "veth", "peer", "name", "stkh1", "netns", NS), false);
            run(List.of("ip", "link", "add", "stkh2", "netns", NS, "type", "veth", "peer", "name", "stkh3", "netns", NS), false);
            ns("ip link set lo up; ip link set stkh1 up; ip link set stkh3 up; "
                    + "ip link set stkh0 name eth0; ip link set stkh2 name ppp0; "
                    + "ip addr add 192.0.2.1/24 dev eth0; ip addr add 2001:db8::1/64 dev eth0 nodad; "
                    + "ip link set eth0 mtu 1400 up; ip link set ppp0 up; ip addr add 198.51.100.1/24 dev ppp0; "
                    + "ip route add default via 198.51.100.254 dev ppp0 metric 100; "
                    + "ip route add default via 192.0.2.254 dev eth0 metric 200; "
                    + "ip route add 10.9.0.0/16 via 192.0.2.254 dev eth0 mtu 1300; "
                    + "ip route add 10.9.8.0/24 via 198.51.100.254 dev ppp0; "
                    + "ip route add blackhole 203.0.113.0/24; "
                    + "ip -6 route add default via 2001:db8::fe dev eth0", false);
            Files.writeString(dir.resolve("address.json"), ns("ip -j address show", false));
            Files.writeString(dir.resolve("route.json"), ns("ip -j route show table all", false));
            Files.writeString(dir.resolve("route6.json"), ns("ip -j -6 route show table all", false));
            Host host = HostLoader.load(dir);
            List<String> destinations = List.of("8.8.8.8", "192.0.2.77", "192.0.2.1", "198.51.100.1", "198.51.100.9",
                    "10.9.3.4", "10.9.8.7", "127.0.0.1", "127.9.9.9", "203.0.113.9", "2001:db8::5", "2001:db8::1",
                    "2001:4860::8888", "::1");
            List<String> mismatches = new ArrayList<>();
            for (String d : destinations) {
                String json = ns("ip -j route get " + d, true);
                String kernel = null;
                if (json != null) {
                    Object parsed = Json.parse(json);
                    Map<?, ?> r = (Map<?, ?>) ((List<?>) parsed).get(0);
                    String type = r.get("type") instanceof String t ? t : "unicast";
                    kernel = type.equals("local") ? "lo" : (type.equals("unicast") ? (String) r.get("dev") : null);
                }
                Addresses.Ip ip = Addresses.parse(d);
                String ours = host.routeDevice(ip.version(), ip.hi(), ip.lo());
                if (!java.util.Objects.equals(kernel, ours)) {
                    mismatches.add(d + ": kernel " + kernel + ", stockade " + ours);
                }
            }
            assertEquals(List.of(), mismatches);
            Addresses.Ip x = Addresses.parse("10.9.3.4");
            assertEquals(1300, host.mtu(host.lookup(4, x.hi(), x.lo())));
        } finally {
            run(List.of("ip", "netns", "del", NS), true);
        }
    }
}
