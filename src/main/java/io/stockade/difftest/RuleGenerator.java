package io.stockade.difftest;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Random iptables-save rulesets over the grammar the harness exercises, for one family at a time:
 * {@code -s/-d/-i/-o/-p} with negations, tcp/udp/sctp/dccp ports, tcp flags, sctp chunks, dccp types, icmp types, conntrack/state,
 * mark (with MARK in mangle), limit, recent, comment, set (the {@link Ipsets}), user chains with jump/goto/RETURN, and the
 * targets ACCEPT/DROP/REJECT (with its variants)/LOG. Addresses and ports come from the same
 * small pools as {@link PacketGenerator}'s so rules actually match. Deterministic for a given
 * generator state. To add a match or target: add a branch to {@link #match} or {@link #target}
 * and, if it needs an area of its own, tag it in {@link #areas}.
 */
final class RuleGenerator {
    static final int[] PORTS = {22, 53, 80, 443, 8080, 1234, 1235};
    private final RandomGenerator rnd;
    private final int family;
    private final String recentName;
    final Set<Area> areas = EnumSet.noneOf(Area.class);

    RuleGenerator(RandomGenerator rnd, int family, String recentName) {
        this.rnd = rnd;
        this.family = family;
        this.recentName = recentName;
    }

    private boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    private String not() {
        return chance(0.2) ? "! " : "";
    }

    private String address() {
        List<String> v4 = List.of("10.0.0.2", "10.0.1.2", "10.0.0.1", "10.0.1.1", "10.0.0.0/24", "10.0.1.0/24",
                "192.168.10.0/24", "192.168.10.3", "192.168.10.0/29", "203.0.113.0/24", "203.0.113.5", "203.0.113.0/28");
        List<String> v6 = List.of("fd00::2", "fd00:1::2", "fd00::1", "fd00:1::1", "fd00::/64", "fd00:1::/64",
                "fd00:10::/64", "fd00:10::3", "fd00:10::/125", "2001:db8:77::/64", "2001:db8:77::5", "2001:db8:77::/124");
        String a = pick(family == 4 ? v4 : v6);
        if (a.indexOf('/') < 0) {
            a += family == 4 ? "/32" : "/128";
        }
        return a;
    }

    /** The whole ruleset: filter always, mangle sometimes; user chains reachable from built-ins. */
    String ruleset(boolean allowReject) {
        StringBuilder s = new StringBuilder();
        if (chance(0.35)) {
            s.append("*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n")
                    .append(":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
            int n = 1 + rnd.nextInt(2);
            for (int k = 0; k < n; k++) {
                String chain = pick(List.of("PREROUTING", "FORWARD", "OUTPUT"));
                s.append("-A ").append(chain).append(' ').append(header(chain, 0.5))
                        .append("-j MARK --set-xmark 0x").append(Integer.toHexString(1 + rnd.nextInt(3))).append("/0xffffffff\n");
            }
            s.append("COMMIT\n");
            areas.add(Area.FILTER);
        }
        if (chance(0.25)) {
            s.append(nat());
        }
        s.append("*filter\n");
        String[] builtins = {"INPUT", "FORWARD", "OUTPUT"};
        for (String b : builtins) {
            s.append(':').append(b).append(' ').append(chance(0.4) ? "DROP" : "ACCEPT").append(" [0:0]\n");
        }
        int users = rnd.nextInt(3);
        for (int u = 0; u < users; u++) {
            s.append(":U").append(u).append(" - [0:0]\n");
        }
        StringBuilder body = new StringBuilder();
        if (chance(0.3)) { // a broad LOG rule first, so LOG lines are written often
            String b = pick(List.of(builtins));
            body.append("-A ").append(b).append(' ').append(chance(0.5) ? header(b, 0.3) : "").append(log()).append('\n');
        }
        for (String b : builtins) {
            int n = rnd.nextInt(5);
            for (int k = 0; k < n; k++) {
                body.append("-A ").append(b).append(' ').append(rule(b, users, -1, allowReject)).append('\n');
            }
        }
        for (int u = 0; u < users; u++) {
            int n = 1 + rnd.nextInt(3);
            for (int k = 0; k < n; k++) {
                body.append("-A U").append(u).append(' ').append(rule("U" + u, users, u, allowReject)).append('\n');
            }
        }
        areas.add(Area.FILTER);
        return s.append(body).append("COMMIT\n").toString();
    }

    /** A nat table: source NAT towards eth1, a port forward from eth1's address to a LAN host, maybe REDIRECT. */
    private String nat() {
        areas.add(Area.NAT);
        boolean v4 = family == 4;
        StringBuilder s = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        String lan = v4 ? "192.168.10.0/24" : "fd00:10::/64";
        String src = chance(0.5) ? "-s " + lan + " " : "";
        // Source NAT that must pick a port at random (--random, --random-fully, a range without the
        // original port) is compared through NatChoices, which renames the chosen ports on both sides.
        String random = chance(0.25) ? pick(List.of(" --random", " --random-fully")) : "";
        switch (rnd.nextInt(4)) {
            case 0 -> s.append("-A POSTROUTING ").append(src).append("-o eth1 -j MASQUERADE").append(random).append('\n');
            case 1 -> s.append("-A POSTROUTING ").append(src).append("-o eth1 -j SNAT --to-source ")
                    .append(v4 ? "10.0.1.1" : "fd00:1::1").append(random).append('\n');
            case 2 -> s.append("-A POSTROUTING ").append(src).append("-o eth1 -p tcp -j SNAT --to-source ")
                    .append(v4 ? "10.0.1.1:1024-65535" : "[fd00:1::1]:1024-65535").append(random).append('\n');
            default -> s.append("-A POSTROUTING ").append(src).append("-o eth1 -p ").append(pick(List.of("tcp", "udp")))
                    .append(" -j SNAT --to-source ").append(v4 ? "10.0.1.1:20000-20099" : "[fd00:1::1]:20000-20099")
                    .append(random).append('\n');
        }
        if (chance(0.7)) {
            s.append("-A PREROUTING -d ").append(v4 ? "10.0.1.1/32" : "fd00:1::1/128").append(" -i eth1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination ")
                    .append(v4 ? "192.168.10.5:80" : "[fd00:10::5]:80").append('\n');
        }
        if (chance(0.3)) {
            s.append("-A PREROUTING -i eth0 -p tcp -m tcp --dport 22 -j REDIRECT --to-ports 2222\n");
        }
        return s.append("COMMIT\n").toString();
    }

    /** Addresses, interfaces and protocol (with its own options), as iptables-save orders them. */
    private String header(String chain, double density) {
        StringBuilder r = new StringBuilder();
        if (chance(density * 0.5)) {
            r.append(not()).append("-s ").append(address()).append(' ');
        }
        if (chance(density * 0.5)) {
            r.append(not()).append("-d ").append(address()).append(' ');
        }
        boolean in = !chain.equals("OUTPUT") && !chain.equals("POSTROUTING");
        boolean out = !chain.equals("INPUT") && !chain.equals("PREROUTING");
        if (in && !chain.startsWith("U") && chance(density * 0.4)) {
            r.append(not()).append("-i ").append(pick(List.of("eth0", "eth1", "eth+"))).append(' ');
        }
        if (out && !chain.startsWith("U") && chance(density * 0.3)) {
            r.append(not()).append("-o ").append(pick(List.of("eth0", "eth1", "eth+"))).append(' ');
        }
        if (chance(density)) {
            String icmp = family == 4 ? "icmp" : "ipv6-icmp";
            String proto = pick(List.of("tcp", "tcp", "udp", icmp, "tcp", "tcp", "udp", icmp, "sctp", "dccp", "udplite"));
            boolean neg = chance(0.1);
            r.append(neg ? "! " : "").append("-p ").append(proto).append(' ');
            if (!neg) {
                r.append(protoOptions(proto));
            }
        }
        return r.toString();
    }

    private String port() {
        int p = PORTS[rnd.nextInt(PORTS.length)];
        return chance(0.2) ? p + ":" + (p + rnd.nextInt(3)) : Integer.toString(p);
    }

    private String protoOptions(String proto) {
        StringBuilder r = new StringBuilder();
        switch (proto) {
            case "tcp" -> {
                if (chance(0.6)) {
                    r.append("-m tcp ");
                    if (chance(0.3)) {
                        r.append(not()).append("--sport ").append(port()).append(' ');
                    }
                    if (chance(0.6)) {
                        r.append(not()).append("--dport ").append(port()).append(' ');
                    }
                    if (chance(0.3)) {
                        r.append(not()).append(pick(List.of("--tcp-flags FIN,SYN,RST,ACK SYN", "--tcp-flags SYN,ACK SYN,ACK",
                                "--tcp-flags RST RST", "--tcp-flags FIN,SYN FIN,SYN", "--tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE"))).append(' ');
                    }
                }
            }
            case "udp" -> {
                if (chance(0.6)) {
                    r.append("-m udp ");
                    if (chance(0.3)) {
                        r.append(not()).append("--sport ").append(port()).append(' ');
                    }
                    r.append(not()).append("--dport ").append(port()).append(' ');
                }
            }
            case "sctp" -> {
                areas.add(Area.SCTP);
                if (chance(0.7)) {
                    r.append("-m sctp ");
                    if (chance(0.3)) {
                        r.append(not()).append("--sport ").append(port()).append(' ');
                    }
                    if (chance(0.5)) {
                        r.append(not()).append("--dport ").append(port()).append(' ');
                    }
                    if (chance(0.4)) {
                        r.append(not()).append("--chunk-types ").append(pick(List.of("any INIT", "only INIT", "any DATA",
                                "all COOKIE_ECHO", "any ABORT,SHUTDOWN", "only SACK"))).append(' ');
                    }
                }
            }
            case "dccp" -> {
                areas.add(Area.DCCP_UDPLITE);
                if (chance(0.7)) {
                    r.append("-m dccp ");
                    if (chance(0.3)) {
                        r.append(not()).append("--sport ").append(port()).append(' ');
                    }
                    if (chance(0.5)) {
                        r.append(not()).append("--dport ").append(port()).append(' ');
                    }
                    if (chance(0.4)) {
                        r.append(not()).append("--dccp-types ").append(pick(List.of("REQUEST", "RESPONSE", "DATA,DATAACK",
                                "ACK", "CLOSE,RESET", "REQUEST,RESPONSE,ACK"))).append(' ');
                    }
                }
            }
            case "udplite" -> areas.add(Area.DCCP_UDPLITE);
            default -> {
                if (chance(0.5)) {
                    if (family == 4) {
                        r.append("-m icmp ").append(not()).append("--icmp-type ")
                                .append(pick(List.of("8", "0", "3", "3/3", "11"))).append(' ');
                    } else {
                        r.append("-m icmp6 ").append(not()).append("--icmpv6-type ")
                                .append(pick(List.of("128", "129", "1", "1/4", "3"))).append(' ');
                    }
                }
            }
        }
        return r.toString();
    }

    private String rule(String chain, int users, int self, boolean allowReject) {
        String h = header(chain, 0.7);
        boolean tcp = (h.startsWith("-p tcp ") || h.contains(" -p tcp ")) && !h.contains("! -p tcp");
        StringBuilder r = new StringBuilder(h);
        int m = rnd.nextInt(3);
        for (int k = 0; k < m; k++) {
            r.append(match());
        }
        r.append(target(chain, users, self, allowReject, tcp));
        return r.toString().strip();
    }

    private String match() {
        switch (rnd.nextInt(7)) {
            case 0, 1 -> {
                areas.add(Area.CONNTRACK);
                List<String> states = new ArrayList<>(List.of("INVALID", "NEW", "RELATED", "ESTABLISHED"));
                StringBuilder st = new StringBuilder();
                int n = 1 + rnd.nextInt(2);
                for (int k = 0; k < n && !states.isEmpty(); k++) {
                    if (st.length() > 0) {
                        st.append(',');
                    }
                    st.append(states.remove(rnd.nextInt(states.size())));
                }
                return chance(0.5) ? "-m conntrack " + not() + "--ctstate " + st + " " : "-m state " + not() + "--state " + st + " ";
            }
            case 2 -> {
                return "-m mark " + not() + "--mark 0x" + Integer.toHexString(1 + rnd.nextInt(3)) + " ";
            }
            case 3 -> {
                areas.add(Area.LIMIT_RECENT);
                return "-m limit --limit " + (1 + rnd.nextInt(5)) + "/" + pick(List.of("sec", "min")) + " --limit-burst "
                        + (1 + rnd.nextInt(4)) + " ";
            }
            case 4 -> {
                areas.add(Area.LIMIT_RECENT);
                return switch (rnd.nextInt(3)) {
                    case 0 -> "-m recent --set --name " + recentName + " --mask " + (family == 4 ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") + " --rsource ";
                    case 1 -> "-m recent --rcheck --seconds 60 --name " + recentName + " --mask " + (family == 4 ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") + " --rsource ";
                    default -> "-m recent --update --hitcount 2 --name " + recentName + " --mask " + (family == 4 ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") + " --rsource ";
                };
            }
            case 5 -> {
                return "-m comment --comment \"c" + rnd.nextInt(100) + "\" ";
            }
            default -> {
                areas.add(Area.SET);
                String set = chance(0.5) ? (family == 4 ? Ipsets.SET4 : Ipsets.SET6) : (family == 4 ? Ipsets.NET4 : Ipsets.NET6);
                return "-m set " + not() + "--match-set " + set + " " + pick(List.of("src", "dst", "src", "dst,dst")) + " ";
            }
        }
    }

    /**
     * {@code -j LOG} with a short prefix and, sometimes, a level and the optional fields. Not
     * {@code --log-uid}: a replayed capture has no socket owner, the kernel prints the driver's.
     */
    private String log() {
        areas.add(Area.LOG);
        StringBuilder b = new StringBuilder("-j LOG --log-prefix \"sdt " + rnd.nextInt(10) + " \"");
        if (chance(0.3)) {
            b.append(" --log-level ").append(rnd.nextInt(8));
        }
        for (String flag : List.of("--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-macdecode")) {
            if (chance(0.2)) {
                b.append(' ').append(flag);
            }
        }
        return b.toString();
    }

    private String target(String chain, int users, int self, boolean allowReject, boolean tcp) {
        int r = rnd.nextInt(100);
        if (users > 0 && r < 20) {
            int u = rnd.nextInt(users);
            if (u > self) { // only forward references: no loops
                return (chance(0.3) ? "-g U" : "-j U") + u;
            }
        }
        if (chain.startsWith("U") && r < 30) {
            return "-j RETURN";
        }
        if (r < 40) {
            return log();
        }
        if (allowReject && r < 55) {
            areas.add(Area.REJECT);
            if (tcp && chance(0.4)) {
                return "-j REJECT --reject-with tcp-reset";
            }
            if (family == 4) {
                return "-j REJECT --reject-with " + pick(List.of("icmp-port-unreachable", "icmp-host-unreachable",
                        "icmp-admin-prohibited", "icmp-net-unreachable"));
            }
            return "-j REJECT --reject-with " + pick(List.of("icmp6-port-unreachable", "icmp6-adm-prohibited",
                    "icmp6-no-route"));
        }
        if (r >= 70 && r < 75) { // SET: not terminating, the rule's packet goes on
            areas.add(Area.SET);
            return "-j SET " + (chance(0.7) ? "--add-set " : "--del-set ") + (family == 4 ? Ipsets.SET4 : Ipsets.SET6) + " "
                    + pick(List.of("src", "dst"));
        }
        return r < 75 ? "-j ACCEPT" : "-j DROP";
    }
}
