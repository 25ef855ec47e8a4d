package io.stockade.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three throwaway namespaces for the TRACE kernel tests: A (no addresses, IPv6 off: only a wire
 * end that sends frames) — B (the traced host: {@code trb…} 10.77.0.2/24 fd77::2/64 towards A,
 * {@code trc…} 10.78.0.1/24 fd78::1/64 towards C, forwarding on, permanent neighbours) — C (a
 * wire end, IPv6 off). MAC addresses as {@link TraceRulesets}. {@link #close()} deletes them.
 */
final class TraceLab implements AutoCloseable {
    final String nsA;
    final String nsB;
    final String nsC;
    final String ifA;
    final String ifB;
    final String ifC;

    TraceLab(String tag) throws IOException, InterruptedException {
        nsA = "s1trA" + tag;
        nsB = "s1trB" + tag;
        nsC = "s1trC" + tag;
        ifA = "tra" + tag;
        ifB = "trb" + tag;
        ifC = "trc" + tag;
        String ifD = "trd" + tag;
        try {
            run("", "ip", "netns", "add", nsA);
            run("", "ip", "netns", "add", nsB);
            run("", "ip", "netns", "add", nsC);
            for (String ns : List.of(nsA, nsC)) {
                run("", "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1");
            }
            run("", "ip", "netns", "exec", nsB, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                    "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                    "net.ipv6.conf.default.router_solicitations=0");
            run("", "ip", "link", "add", ifA, "netns", nsA, "address", "02:77:00:00:00:01", "type", "veth",
                    "peer", "name", ifB, "netns", nsB, "address", "02:77:00:00:00:02");
            run("", "ip", "link", "add", ifD, "netns", nsC, "address", "02:78:00:00:00:02", "type", "veth",
                    "peer", "name", ifC, "netns", nsB, "address", "02:78:00:00:00:01");
            run("", "ip", "-n", nsB, "addr", "add", "10.77.0.2/24", "dev", ifB);
            run("", "ip", "-n", nsB, "addr", "add", "fd77::2/64", "dev", ifB, "nodad");
            run("", "ip", "-n", nsB, "addr", "add", "10.78.0.1/24", "dev", ifC);
            run("", "ip", "-n", nsB, "addr", "add", "fd78::1/64", "dev", ifC, "nodad");
            run("", "ip", "-n", nsA, "link", "set", ifA, "up");
            run("", "ip", "-n", nsB, "link", "set", ifB, "up");
            run("", "ip", "-n", nsB, "link", "set", ifC, "up");
            run("", "ip", "-n", nsC, "link", "set", ifD, "up");
            neigh("10.77.0.1", "02:77:00:00:00:01", ifB);
            neigh("fd77::1", "02:77:00:00:00:01", ifB);
            neigh("10.78.0.2", "02:78:00:00:00:02", ifC);
            neigh("fd78::2", "02:78:00:00:00:02", ifC);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void neigh(String addr, String mac, String dev) throws IOException, InterruptedException {
        run("", "ip", "-n", nsB, "neigh", "replace", addr, "lladdr", mac, "dev", dev, "nud", "permanent");
    }

    /** Runs a command inside B. */
    String inB(String stdin, String... cmd) throws IOException, InterruptedException {
        String[] full = new String[cmd.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = nsB;
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        return run(stdin, full);
    }

    /** Puts an Ethernet frame on A's end of the wire to B. */
    void send(byte[] frame) throws IOException, InterruptedException {
        run("", "ip", "netns", "exec", nsA, "python3", "-c",
                "import socket,sys; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((sys.argv[1], 0));"
                        + " s.send(bytes.fromhex(sys.argv[2]))", ifA, HexFormat.of().formatHex(frame));
    }

    /** Sends an IP packet (header included) from a raw socket of B's, as root. */
    void sendFromB(byte[] ip) throws IOException, InterruptedException {
        // EPERM is netfilter dropping the packet in OUTPUT: an answer, not a failure
        inB("", "python3", "-c", "import socket,sys\nb=bytes.fromhex(sys.argv[1]); v6=b[0]>>4==6\n"
                + "s=socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)\n"
                + "d=socket.inet_ntop(socket.AF_INET6, b[24:40]) if v6 else socket.inet_ntop(socket.AF_INET, b[16:20])\n"
                + "try:\n    s.sendto(b, (d, 0))\nexcept PermissionError:\n    pass\n", HexFormat.of().formatHex(ip));
    }

    static String run(String stdin, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + List.of(cmd));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + List.of(cmd) + "\n" + out);
        }
        return out;
    }

    @Override
    public void close() {
        for (String ns : List.of(nsA, nsB, nsC)) {
            try {
                run("", "ip", "netns", "del", ns);
            } catch (IOException | InterruptedException e) {
                // not created
            }
        }
    }
}
