package io.stockade.difftest;

import java.util.List;

/**
 * The network every case runs in: a gateway with two interfaces, each a veth pair to a peer
 * namespace that is only a wire end (no addresses, IPv6 off, static neighbour entries on the
 * gateway so it never resolves). Routes: 192.168.10.0/24 and fd00:10::/64 behind eth0's peer,
 * default behind eth1's peer, and a narrow path (route MTU 1300) behind eth1's peer too. The same
 * facts are written into the Stockade host model.
 */
final class Topology {
    /** One gateway interface and the peer on its wire. */
    record Link(String name, int index, String gwMac, String peerMac, String gw4, String peer4, String gw6, String peer6) {
        String peerIf() {
            return "peer" + index;
        }
    }

    static final List<Link> LINKS = List.of(
            new Link("eth0", 0, "02:00:00:00:00:01", "02:00:00:00:00:02", "10.0.0.1", "10.0.0.2", "fd00::1", "fd00::2"),
            new Link("eth1", 1, "02:00:00:00:01:01", "02:00:00:00:01:02", "10.0.1.1", "10.0.1.2", "fd00:1::1", "fd00:1::2"));

    /** Addresses routed behind eth0's peer (a LAN) and behind eth1's peer (the default route). */
    static final String LAN4 = "192.168.10.";
    static final String LAN6 = "fd00:10::";
    static final String WAN4 = "203.0.113.";
    static final String WAN6 = "2001:db8:77::";
    /**
     * A narrow path behind eth1's peer: its route has MTU 1300 (below the interfaces' 1500), so a
     * longer packet gets fragmentation needed / packet too big, or is fragmented without DF.
     */
    static final String NARROW4 = "198.51.100.";
    static final String NARROW6 = "2001:db8:99::";
    static final int NARROW_MTU = 1300;

    private Topology() {
    }

    static Link link(String name) {
        for (Link l : LINKS) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no interface " + name);
    }

    /** Kernel settings the gateway runs with (also written to the host model). */
    static final List<String> SYSCTLS = List.of(
            "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0",
            "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
            "net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_ratemask=0", "net.ipv4.icmp_msgs_per_sec=100000", "net.ipv4.icmp_msgs_burst=100000",
            "net.ipv6.icmp.ratelimit=0", "net.ipv4.conf.all.accept_local=0",
            "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
            "net.ipv6.conf.all.router_solicitations=0", "net.ipv6.conf.default.router_solicitations=0",
            "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0",
            "net.netfilter.nf_conntrack_tcp_loose=1", "net.netfilter.nf_conntrack_tcp_be_liberal=0");

    /** The settings among {@link #SYSCTLS} that change Stockade's answers, for the host model's host.conf. */
    static List<String> modelledSysctls() {
        return SYSCTLS.stream().filter(kv -> !kv.contains("redirects") && !kv.startsWith("net.ipv6.conf.")).toList();
    }

    /** Shell script that builds the namespaces; {@code gw} and peers are full namespace names. */
    static String setupScript(String gw, String peerPrefix) {
        StringBuilder s = new StringBuilder("set -e\n");
        s.append("ip netns add ").append(gw).append('\n');
        s.append("ip -n ").append(gw).append(" link set lo up\n");
        for (Link l : LINKS) {
            String p = peerPrefix + l.index();
            s.append("ip netns add ").append(p).append('\n');
            s.append("ip netns exec ").append(p).append(" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1\n");
            s.append("ip -n ").append(gw).append(" link add ").append(l.name()).append(" type veth peer name ")
                    .append(l.peerIf()).append(" netns ").append(p).append('\n');
            s.append("ip -n ").append(gw).append(" link set ").append(l.name()).append(" address ").append(l.gwMac()).append('\n');
            s.append("ip -n ").append(p).append(" link set ").append(l.peerIf()).append(" address ").append(l.peerMac()).append('\n');
            s.append("ip netns exec ").append(p).append(" sysctl -qw net.ipv6.conf.").append(l.peerIf()).append(".disable_ipv6=1 || true\n");
        }
        s.append("ip netns exec ").append(gw).append(" sysctl -qw");
        for (String kv : SYSCTLS) {
            if (!kv.startsWith("net.netfilter")) {
                s.append(' ').append(kv);
            }
        }
        s.append('\n');
        for (Link l : LINKS) {
            String p = peerPrefix + l.index();
            s.append("ip -n ").append(p).append(" link set ").append(l.peerIf()).append(" up\n");
            s.append("ip -n ").append(gw).append(" link set ").append(l.name()).append(" up\n");
            s.append("ip -n ").append(gw).append(" addr add ").append(l.gw4()).append("/24 dev ").append(l.name()).append('\n');
            s.append("ip -n ").append(gw).append(" addr add ").append(l.gw6()).append("/64 dev ").append(l.name()).append(" nodad\n");
            s.append("ip -n ").append(gw).append(" neigh replace ").append(l.peer4()).append(" lladdr ").append(l.peerMac())
                    .append(" dev ").append(l.name()).append(" nud permanent\n");
            s.append("ip -n ").append(gw).append(" neigh replace ").append(l.peer6()).append(" lladdr ").append(l.peerMac())
                    .append(" dev ").append(l.name()).append(" nud permanent\n");
        }
        s.append("ip -n ").append(gw).append(" route add ").append(LAN4).append("0/24 via 10.0.0.2 dev eth0\n");
        s.append("ip -n ").append(gw).append(" route add ").append(LAN6).append("/64 via fd00::2 dev eth0\n");
        s.append("ip -n ").append(gw).append(" route add default via 10.0.1.2 dev eth1\n");
        s.append("ip -n ").append(gw).append(" route add default via fd00:1::2 dev eth1\n");
        s.append("ip -n ").append(gw).append(" route add ").append(NARROW4).append("0/24 via 10.0.1.2 dev eth1 mtu ").append(NARROW_MTU).append('\n');
        s.append("ip -n ").append(gw).append(" -6 route add ").append(NARROW6).append("/64 via fd00:1::2 dev eth1 mtu ").append(NARROW_MTU).append('\n');
        // The observer tables (see KernelLab): the sink first, so conntrack's confirm hook, registered
        // when sdt_ct enables conntrack, sits before it at the same priority.
        s.append("ip netns exec ").append(gw).append(" nft -f - <<'NFT'\n").append(SINK_TABLE).append("NFT\n");
        s.append("ip netns exec ").append(gw).append(" nft -f - <<'NFT'\n").append(CT_TABLE).append("NFT\n");
        s.append("ip netns exec ").append(gw).append(" sysctl -qw");
        for (String kv : SYSCTLS) {
            if (kv.startsWith("net.netfilter")) {
                s.append(' ').append(kv);
            }
        }
        s.append('\n');
        return s.toString();
    }

    /**
     * Observes local delivery without changing any verdict: at input priority INT_MAX, after every
     * iptables table and after conntrack's confirm, it records the packet's identity and drops it so
     * the gateway's own stack never answers (no RST for closed ports, no echo replies). Also drops
     * the gateway's own neighbour discovery and MLD packets at output priority -500, before any
     * iptables table: they are background noise (sent when forwarding is toggled) that no case asks for.
     */
    static final String SINK_TABLE = """
            table inet sdt_sink {
              set del4 { typeof ip id; flags dynamic; size 65535; }
              set del6 { typeof ip6 flowlabel; flags dynamic; size 65535; }
              chain sink_in {
                type filter hook input priority 2147483647; policy accept;
                meta nfproto ipv4 add @del4 { ip id }
                meta nfproto ipv6 add @del6 { ip6 flowlabel }
                drop
              }
              chain quiet_out {
                type filter hook output priority -500; policy accept;
                icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld2-listener-report, mld-listener-done } drop
              }
            }
            """;

    /**
     * Keeps conntrack enabled in the gateway for every case, as on a host with a stateful ruleset;
     * also traces and drops the trace sentinel ({@link KernelTrace}) before defrag, conntrack and
     * every iptables table see it.
     */
    static final String CT_TABLE = """
            table inet sdt_ct {
              chain keep {
                type filter hook prerouting priority -1000; policy accept;
                meta l4proto 253 ip saddr 198.18.0.1 meta nftrace set 1 drop
                ct state invalid counter
              }
            }
            """;
}
