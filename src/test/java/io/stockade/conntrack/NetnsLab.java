package io.stockade.conntrack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three network namespaces for kernel comparisons: client A (10.0.0.1, fd00::1) — router R —
 * server B (10.0.1.2, fd00:1::2). R forwards and tracks; A and B drop everything they receive
 * (except neighbour discovery) so their stacks never answer. Packets are injected as raw IP from
 * A or B. Always {@link #close()} (deletes the namespaces).
 */
final class NetnsLab implements AutoCloseable {
    final String a, r, b;

    NetnsLab() throws IOException {
        String tag = Long.toString(ProcessHandle.current().pid() % 100000);
        a = "stkA" + tag;
        r = "stkR" + tag;
        b = "stkB" + tag;
        try {
            setup();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    static boolean isRoot() {
        try {
            return "0".equals(run(List.of("id", "-u")).trim());
        } catch (IOException e) {
            return false;
        }
    }

    static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timeout: " + cmd);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + cmd + "\n" + out);
        }
        return out;
    }

    String in(String ns, String... cmd) throws IOException {
        List<String> l = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        l.addAll(List.of(cmd));
        return run(l);
    }

    private void sh(String ns, String line) throws IOException {
        in(ns, "sh", "-c", line);
    }

    private void setup() throws IOException {
        for (String ns : List.of(a, r, b)) {
            run(List.of("ip", "netns", "add", ns));
            sh(ns, "ip link set lo up");
        }
        run(List.of("ip", "link", "add", "ra", "netns", r, "type", "veth", "peer", "name", "ar", "netns", a));
        run(List.of("ip", "link", "add", "rb", "netns", r, "type", "veth", "peer", "name", "br", "netns", b));
        sh(a, "ip addr add 10.0.0.1/24 dev ar && ip -6 addr add fd00::1/64 dev ar nodad && ip link set dev ar up"
                + " && ip route add default via 10.0.0.254 && ip -6 route add default via fd00::fe");
        sh(b, "ip addr add 10.0.1.2/24 dev br && ip -6 addr add fd00:1::2/64 dev br nodad && ip link set dev br up"
                + " && ip route add default via 10.0.1.254 && ip -6 route add default via fd00:1::fe");
        sh(r, "ip addr add 10.0.0.254/24 dev ra && ip addr add 10.0.1.254/24 dev rb"
                + " && ip -6 addr add fd00::fe/64 dev ra nodad && ip -6 addr add fd00:1::fe/64 dev rb nodad"
                + " && ip link set dev ra up && ip link set dev rb up"
                + " && sysctl -qw net.ipv4.ip_forward=1 && sysctl -qw net.ipv6.conf.all.forwarding=1");
        for (String ns : List.of(a, b)) {
            sh(ns, "iptables -t raw -A PREROUTING -j DROP"
                    + " && ip6tables -t raw -A PREROUTING -p icmpv6 --icmpv6-type neighbour-solicitation -j ACCEPT"
                    + " && ip6tables -t raw -A PREROUTING -p icmpv6 --icmpv6-type neighbour-advertisement -j ACCEPT"
                    + " && ip6tables -t raw -A PREROUTING -j DROP");
        }
        for (String ipt : List.of("iptables", "ip6tables")) {
            for (String chain : List.of("FORWARD", "INPUT")) {
                for (String st : STATES) {
                    sh(r, ipt + " -A " + chain + " -m conntrack --ctstate " + st);
                }
            }
        }
        // Static neighbours: no neighbour discovery traffic while measuring.
        sh(r, "ip neigh replace 10.0.0.1 lladdr $(ip netns exec " + a + " cat /sys/class/net/ar/address) dev ra nud permanent"
                + " && ip neigh replace 10.0.1.2 lladdr $(ip netns exec " + b + " cat /sys/class/net/br/address) dev rb nud permanent"
                + " && ip -6 neigh replace fd00::1 lladdr $(ip netns exec " + a + " cat /sys/class/net/ar/address) dev ra nud permanent"
                + " && ip -6 neigh replace fd00:1::2 lladdr $(ip netns exec " + b + " cat /sys/class/net/br/address) dev rb nud permanent");
        sh(a, "ip neigh replace 10.0.0.254 lladdr $(ip netns exec " + r + " cat /sys/class/net/ra/address) dev ar nud permanent"
                + " && ip -6 neigh replace fd00::fe lladdr $(ip netns exec " + r + " cat /sys/class/net/ra/address) dev ar nud permanent");
        sh(b, "ip neigh replace 10.0.1.254 lladdr $(ip netns exec " + r + " cat /sys/class/net/rb/address) dev br nud permanent"
                + " && ip -6 neigh replace fd00:1::fe lladdr $(ip netns exec " + r + " cat /sys/class/net/rb/address) dev br nud permanent");
    }

    static final List<String> STATES = List.of("INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED");

    /** Sends raw IP bytes from namespace {@code ns}. */
    void send(String ns, byte[] packet, boolean v6, String dst) throws IOException {
        StringBuilder hex = new StringBuilder();
        for (byte x : packet) {
            hex.append(String.format("%02x", x & 0xff));
        }
        String fam = v6 ? "AF_INET6" : "AF_INET";
        in(ns, "python3", "-c", "import socket,sys\n"
                + "s=socket.socket(socket." + fam + ",socket.SOCK_RAW,socket.IPPROTO_RAW)\n"
                + "s.sendto(bytes.fromhex(sys.argv[1]),(sys.argv[2],0))\n", hex.toString(), dst);
    }

    /** Packet counters of R's five state rules in {@code chain}, in {@link #STATES} order. */
    long[] counters(boolean v6, String chain) throws IOException {
        String out = in(r, v6 ? "ip6tables" : "iptables", "-L", chain, "-v", "-x", "-n");
        long[] c = new long[STATES.size()];
        int i = 0;
        for (String line : out.split("\n")) {
            String t = line.trim();
            if (t.isEmpty() || !Character.isDigit(t.charAt(0))) {
                continue;
            }
            if (i < c.length) {
                c[i++] = Long.parseLong(t.split("\\s+")[0]);
            }
        }
        return c;
    }

    @Override
    public void close() {
        for (String ns : new String[] {a, r, b}) {
            try {
                run(List.of("ip", "netns", "del", ns));
            } catch (IOException ignored) {
                // already gone or never created
            }
        }
    }
}
