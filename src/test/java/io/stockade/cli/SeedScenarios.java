package io.stockade.cli;

import io.stockade.engine.PathResult;
import io.stockade.host.HostLoader;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketText;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed guides' stateful scenarios as tables: a ruleset (iptables-save text, exactly the
 * seed's rules), then packets with their arrival time in, the expected verdict and deciding rule
 * per packet out. One conntrack table and one set of recent/limit state per scenario; time comes
 * from the packets' timestamps. The same tables drive the offline test ({@code SeedScenarioTest})
 * and the kernel check ({@code io.stockade.difftest.SeedScenarioKernelTest}), so the host below
 * is the kernel lab's gateway ({@code io.stockade.difftest.Topology}): eth0 10.0.0.1/24 fd00::1/64
 * with 192.168.10.0/24 and fd00:10::/64 behind it, eth1 10.0.1.1/24 fd00:1::1/64 with the default
 * routes, no forwarding, ICMP rate limits off, rp_filter 0.
 */
public final class SeedScenarios {
    private SeedScenarios() {
    }

    /** The lab gateway as a host model (link-local addresses included: rpfilter looks them up). */
    public static final String HOST = """
            iface eth0 10.0.0.1/24 fd00::1/64 fe80::1/64
            iface eth1 10.0.1.1/24 fd00:1::1/64 fe80::2/64
            route 192.168.10.0/24 via 10.0.0.2 dev eth0
            route fd00:10::/64 via fd00::2 dev eth0
            route default via 10.0.1.2 dev eth1
            route default via fd00:1::2 dev eth1
            sysctl net.ipv4.icmp_ratelimit=0
            sysctl net.ipv4.icmp_ratemask=0
            sysctl net.ipv4.icmp_msgs_per_sec=100000
            sysctl net.ipv4.icmp_msgs_burst=100000
            sysctl net.ipv6.icmp.ratelimit=0
            sysctl net.netfilter.nf_conntrack_tcp_loose=1
            """;

    /**
     * One packet: arrival in milliseconds from the scenario's start, the packet (compact form of
     * {@link PacketText}, with its ingress interface), the verdict (accept, drop, reject), the
     * deciding rule ({@code table:CHAIN:N} or {@code :policy}), and whether the kernel check sends
     * it (false for the long-window tail the kernel check cannot wait for).
     */
    public record Step(long millis, String packet, String verdict, String rule, boolean kernel) {
    }

    /** A named ruleset of one family and its packets, in time order. */
    public record Scenario(String name, Family family, String rules, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Step at(double seconds, String packet, String verdict, String rule) {
        return new Step(Math.round(seconds * 1000), packet, verdict, rule, true);
    }

    static Step offlineOnly(double seconds, String packet, String verdict, String rule) {
        return new Step(Math.round(seconds * 1000), packet, verdict, rule, false);
    }

    /** The SSH brute-force protection (IN_SSH, recent sshbf with --rttl), as the seed writes it. */
    static final String SSH4 = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :IN_SSH - [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -i lo -j ACCEPT
            -A INPUT -m conntrack --ctstate INVALID -j DROP
            -A INPUT -p tcp --dport ssh -m conntrack --ctstate NEW -j IN_SSH
            -A IN_SSH -m recent --name sshbf --rttl --rcheck --hitcount 3 --seconds 10 -j DROP
            -A IN_SSH -m recent --name sshbf --rttl --rcheck --hitcount 4 --seconds 1800 -j DROP
            -A IN_SSH -m recent --name sshbf --set -j ACCEPT
            COMMIT
            """;

    /**
     * Attempts of one source: three in 10 s pass, the fourth is dropped by the 10 s rule; a
     * second source is unaffected; a different TTL does not match --rttl (and --set records the
     * new TTL); after 10 s the fourth attempt in 1800 s is dropped by the second rule; 1800 s
     * after the early attempts the window has slid and the source passes again.
     */
    static List<Step> sshSteps(String x, String y, String dst, String ttl) {
        String p = "tcp " + x + ":%d > " + dst + ":22 syn";
        String q = "tcp " + y + ":%d > " + dst + ":22 syn";
        return List.of(
                at(0, "in eth1 " + p.formatted(40001), "accept", "filter:IN_SSH:3"),
                at(1, "in eth1 " + p.formatted(40002), "accept", "filter:IN_SSH:3"),
                at(2, "in eth1 " + p.formatted(40003), "accept", "filter:IN_SSH:3"),
                at(3, "in eth1 " + p.formatted(40004), "drop", "filter:IN_SSH:1"),
                at(3.5, "in eth1 " + q.formatted(40005), "accept", "filter:IN_SSH:3"),
                // --rttl: the entry's TTL is the last --set's (64); 50 matches neither check rule
                at(4, "in eth1 " + p.formatted(40006) + " " + ttl + " 50", "accept", "filter:IN_SSH:3"),
                // stamps 0,1,2,4 s: one in the last 10 s, four in the last 1800 s
                at(13, "in eth1 " + p.formatted(40007) + " " + ttl + " 50", "drop", "filter:IN_SSH:2"),
                at(14, "in eth1 " + p.formatted(40008) + " " + ttl + " 50", "drop", "filter:IN_SSH:2"),
                offlineOnly(1000, "in eth1 " + p.formatted(40009) + " " + ttl + " 50", "drop", "filter:IN_SSH:2"),
                // at 1801.5 s the 1800 s window starts at 1.5 s: stamps 2 and 4 remain
                offlineOnly(1801.5, "in eth1 " + p.formatted(40010) + " " + ttl + " 50", "accept", "filter:IN_SSH:3"),
                offlineOnly(1802, "in eth1 " + p.formatted(40011) + " " + ttl + " 50", "accept", "filter:IN_SSH:3"),
                // at 1803 s the 1800 s window has lost stamp 2: 4, 1801.5, 1802 are three
                offlineOnly(1803, "in eth1 " + p.formatted(40012) + " " + ttl + " 50", "accept", "filter:IN_SSH:3"),
                // 1801.5, 1802, 1803: three in 10 s
                offlineOnly(1803.5, "in eth1 " + p.formatted(40013) + " " + ttl + " 50", "drop", "filter:IN_SSH:1"));
    }

    /** "Rate-limiting": a global limit on echo requests. */
    static final String PING_LIMIT4 = """
            *filter
            :INPUT DROP [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p icmp --icmp-type echo-request -m limit --limit 30/min --limit-burst 8 -j ACCEPT
            -A INPUT -p icmp --icmp-type echo-request -j DROP
            COMMIT
            """;
    static final String PING_LIMIT6 = PING_LIMIT4.replace("-p icmp --icmp-type", "-p ipv6-icmp --icmpv6-type");

    /** An echo-request from {@code src} to {@code dst} arriving on eth1 at {@code seconds}, with its expected verdict and rule. */
    static Step echo(double seconds, String icmp, String src, String dst, int id, String verdict, String rule) {
        return at(seconds, "in eth1 " + icmp + " " + src + " > " + dst + " echo-request id " + id + " seq 1", verdict, rule);
    }

    /** Eight at once (the burst), then one per 2 s; every source shares the limit. */
    static List<Step> pingLimitSteps(String icmp, String x, String y, String dst) {
        List<Step> s = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            s.add(echo(i * 0.1, icmp, i % 2 == 0 ? x : y, dst, 100 + i, "accept", "filter:INPUT:2"));
        }
        s.add(echo(0.8, icmp, x, dst, 108, "drop", "filter:INPUT:3"));
        s.add(echo(0.9, icmp, y, dst, 109, "drop", "filter:INPUT:3"));
        // 3 s of credit at 2 s a packet, 8 spent: one more at 3 s, none at 3.3 s
        s.add(echo(3, icmp, y, dst, 110, "accept", "filter:INPUT:2"));
        s.add(echo(3.3, icmp, x, dst, 111, "drop", "filter:INPUT:3"));
        return s;
    }

    /** "... or using the recent module, a limit per source address". */
    static final String PING_RECENT4 = """
            *filter
            :INPUT DROP [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p icmp --icmp-type echo-request -m recent --name ping_limiter --set
            -A INPUT -p icmp --icmp-type echo-request -m recent --name ping_limiter --update --hitcount 6 --seconds 4 -j DROP
            -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
            COMMIT
            """;
    static final String PING_RECENT6 = PING_RECENT4.replace("-p icmp --icmp-type", "-p ipv6-icmp --icmpv6-type");

    /** Five pings of one source pass, the sixth in 4 s is dropped; another source passes; 4 s later the first passes again. */
    static List<Step> pingRecentSteps(String icmp, String x, String y, String dst) {
        List<Step> s = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            s.add(echo(i * 0.2, icmp, x, dst, 200 + i, "accept", "filter:INPUT:4"));
        }
        s.add(echo(1.0, icmp, x, dst, 205, "drop", "filter:INPUT:3"));
        s.add(echo(1.2, icmp, y, dst, 206, "accept", "filter:INPUT:4"));
        s.add(echo(1.4, icmp, x, dst, 207, "drop", "filter:INPUT:3"));
        // the last stamps of x are from 1.4 s (--set, and --update's own): all older than 4 s at 6.2 s
        // (0.8 s of slack for the kernel check's scheduling)
        s.add(echo(6.2, icmp, x, dst, 208, "accept", "filter:INPUT:4"));
        return s;
    }

    /**
     * The single-machine firewall, IPv4, with the netfilter anti-spoofing rule of the second
     * guide (raw PREROUTING rpfilter --invert DROP).
     */
    static final String STATEFUL4 = """
            *raw
            :PREROUTING ACCEPT [0:0]
            -A PREROUTING -m rpfilter --invert -j DROP
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :TCP - [0:0]
            :UDP - [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -i lo -j ACCEPT
            -A INPUT -m conntrack --ctstate INVALID -j DROP
            -A INPUT -p icmp -m icmp --icmp-type 8 -m conntrack --ctstate NEW -j ACCEPT
            -A INPUT -p udp -m conntrack --ctstate NEW -j UDP
            -A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m conntrack --ctstate NEW -j TCP
            -A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable
            -A INPUT -p tcp -j REJECT --reject-with tcp-reset
            -A INPUT -j REJECT --reject-with icmp-proto-unreachable
            -A TCP -p tcp -m tcp --dport 22 -j ACCEPT
            -A UDP -p udp -m udp --dport 53 -j ACCEPT
            COMMIT
            """;

    static List<Step> stateful4Steps() {
        return List.of(
                at(0, "in eth1 tcp 203.0.113.5:41000 > 10.0.1.1:22 syn", "accept", "filter:TCP:1"),
                at(0.1, "in eth1 udp 203.0.113.5:41001 > 10.0.1.1:53", "accept", "filter:UDP:1"),
                // NEW but not SYN: loose pickup makes it NEW, not INVALID; the tcp-reset rule answers
                at(0.2, "in eth1 tcp 203.0.113.5:41002 > 10.0.1.1:22 ack seq 1000 ack 2000", "reject", "filter:INPUT:8"),
                at(0.3, "in eth1 udp 203.0.113.5:41003 > 10.0.1.1:161", "reject", "filter:INPUT:7"),
                // other protocols: icmp-proto-unreachable
                at(0.4, "in eth1 ipv4 proto 47 203.0.113.5 > 10.0.1.1 payload 8", "reject", "filter:INPUT:9"),
                at(0.5, "in eth1 icmp 203.0.113.5 > 10.0.1.1 echo-request id 7 seq 1", "accept", "filter:INPUT:4"),
                // an unsolicited port unreachable is INVALID
                at(0.6, "in eth1 icmp 203.0.113.5 > 10.0.1.1 port-unreachable quote udp 10.0.1.1:5000 > 203.0.113.5:53",
                        "drop", "filter:INPUT:3"),
                // spoofed: the LAN's source arriving on the default-route interface
                at(0.7, "in eth1 udp 192.168.10.7:41004 > 10.0.1.1:53", "drop", "raw:PREROUTING:1"),
                at(0.8, "in eth0 udp 192.168.10.7:41004 > 10.0.0.1:53", "accept", "filter:UDP:1"));
    }

    /** The guide's ip6tables.rules: icmp6 rejects, fe80::/10 ICMPv6 accepted, rpfilter in raw. */
    static final String STATEFUL6 = """
            *raw
            :PREROUTING ACCEPT [0:0]
            -A PREROUTING -m rpfilter -j ACCEPT
            -A PREROUTING -j DROP
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :TCP - [0:0]
            :UDP - [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -i lo -j ACCEPT
            -A INPUT -m conntrack --ctstate INVALID -j DROP
            -A INPUT -s fe80::/10 -p ipv6-icmp -j ACCEPT
            -A INPUT -p ipv6-icmp --icmpv6-type 128 -m conntrack --ctstate NEW -j ACCEPT
            -A INPUT -p udp -m conntrack --ctstate NEW -j UDP
            -A INPUT -p tcp --syn -m conntrack --ctstate NEW -j TCP
            -A INPUT -p udp -j REJECT --reject-with icmp6-port-unreachable
            -A INPUT -p tcp -j REJECT --reject-with tcp-reset
            -A INPUT -j REJECT --reject-with icmp6-adm-prohibited
            -A TCP -p tcp --dport 22 -j ACCEPT
            -A UDP -p udp --dport 53 -j ACCEPT
            COMMIT
            """;

    static List<Step> stateful6Steps() {
        String w = "2001:db8:77::5";
        return List.of(
                // neighbour solicitation (untracked, not INVALID) from a link-local source
                at(0, "in eth0 icmp6 fe80::99 > ff02::1:ff00:1 type 135 hlim 255", "accept", "filter:INPUT:4"),
                at(0.1, "in eth1 icmp6 " + w + " > fd00:1::1 echo-request id 9 seq 1", "accept", "filter:INPUT:5"),
                at(0.2, "in eth1 tcp [" + w + "]:41000 > [fd00:1::1]:22 syn", "accept", "filter:TCP:1"),
                at(0.3, "in eth1 udp [" + w + "]:41001 > [fd00:1::1]:53", "accept", "filter:UDP:1"),
                at(0.4, "in eth1 udp [" + w + "]:41002 > [fd00:1::1]:69", "reject", "filter:INPUT:8"),
                at(0.5, "in eth1 tcp [" + w + "]:41003 > [fd00:1::1]:22 ack seq 1000 ack 2000", "reject", "filter:INPUT:9"),
                at(0.6, "in eth1 ipv6 proto 47 " + w + " > fd00:1::1 payload 8", "reject", "filter:INPUT:10"),
                // rpfilter: the LAN's prefix on eth1, the default route's on eth0
                at(0.7, "in eth1 udp [fd00:10::7]:41004 > [fd00:1::1]:53", "drop", "raw:PREROUTING:2"),
                at(0.8, "in eth0 udp [" + w + "]:41005 > [fd00::1]:53", "drop", "raw:PREROUTING:2"),
                at(0.9, "in eth0 udp [fd00:10::7]:41006 > [fd00::1]:53", "accept", "filter:UDP:1"));
    }

    /**
     * "Tricking port scanners", both tricks, with the final rule restored last, in the guide's
     * words (its reject-type spellings included).
     */
    static final String PORTSCAN4 = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :TCP - [0:0]
            :UDP - [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -i lo -j ACCEPT
            -A INPUT -m conntrack --ctstate INVALID -j DROP
            -A INPUT -p icmp --icmp-type 8 -m conntrack --ctstate NEW -j ACCEPT
            -A INPUT -p udp -m conntrack --ctstate NEW -j UDP
            -A INPUT -p tcp --syn -m conntrack --ctstate NEW -j TCP
            -A INPUT -p udp -m recent --set --name UDP-PORTSCAN -j REJECT --reject-with icmp-port-unreach
            -A INPUT -p tcp -m recent --set --name TCP-PORTSCAN -j REJECT --reject-with tcp-rst
            -A INPUT -j REJECT --reject-with icmp-proto-unreachable
            -A TCP -p tcp -m recent --update --seconds 60 --name TCP-PORTSCAN -j REJECT --reject-with tcp-rst
            -A TCP -p tcp --dport 22 -j ACCEPT
            -A UDP -p udp -m recent --update --seconds 60 --name UDP-PORTSCAN -j REJECT --reject-with port-unreach
            -A UDP -p udp --dport 53 -j ACCEPT
            COMMIT
            """;
    static final String PORTSCAN6 = PORTSCAN4.replace("-p icmp --icmp-type 8", "-p ipv6-icmp --icmpv6-type 128")
            .replace("icmp-port-unreach\n", "icmp6-port-unreachable\n").replace("icmp-proto-unreachable", "icmp6-adm-prohibited")
            // ip6tables knows no "tcp-rst" spelling (libip6t_REJECT: tcp-reset only)
            .replace("tcp-rst", "tcp-reset");

    /** A closed port puts the source on the list: for 60 s after its last probe even open ports answer as closed. */
    static List<Step> portScanSteps(String x, String y, String dst, String icmp) {
        return List.of(
                at(0, "in eth1 tcp " + x + ":41000 > " + dst + ":23 syn", "reject", "filter:INPUT:8"),
                at(1, "in eth1 tcp " + x + ":41001 > " + dst + ":22 syn", "reject", "filter:TCP:1"),
                at(1.5, "in eth1 tcp " + y + ":41002 > " + dst + ":22 syn", "accept", "filter:TCP:2"),
                at(2, "in eth1 udp " + x + ":41003 > " + dst + ":123", "reject", "filter:INPUT:7"),
                at(3, "in eth1 udp " + x + ":41004 > " + dst + ":53", "reject", "filter:UDP:1"),
                at(3.5, "in eth1 udp " + y + ":41005 > " + dst + ":53", "accept", "filter:UDP:2"),
                at(4, "in eth1 " + icmp + " " + x.replaceAll("[\\[\\]]", "") + " > " + dst.replaceAll("[\\[\\]]", "")
                        + " echo-request id 5 seq 1", "accept", "filter:INPUT:4"),
                // --update refreshed the stamps at 1 s (TCP) and 3 s (UDP)
                offlineOnly(60.5, "in eth1 tcp " + x + ":41006 > " + dst + ":22 syn", "reject", "filter:TCP:1"),
                offlineOnly(121, "in eth1 tcp " + x + ":41007 > " + dst + ":22 syn", "accept", "filter:TCP:2"),
                offlineOnly(121.5, "in eth1 udp " + x + ":41008 > " + dst + ":53", "accept", "filter:UDP:2"));
    }

    /** Every scenario. */
    public static List<Scenario> all() {
        Family v4 = Family.IPV4;
        Family v6 = Family.IPV6;
        return List.of(
                new Scenario("ssh brute force v4", v4, SSH4, sshSteps("203.0.113.9", "203.0.113.10", "10.0.1.1", "ttl")),
                new Scenario("ssh brute force v6", v6, SSH4, sshSteps("[2001:db8:77::9]", "[2001:db8:77::10]", "[fd00:1::1]", "hlim")),
                new Scenario("ping limit v4", v4, PING_LIMIT4, pingLimitSteps("icmp", "203.0.113.9", "203.0.113.10", "10.0.1.1")),
                new Scenario("ping limit v6", v6, PING_LIMIT6, pingLimitSteps("icmp6", "2001:db8:77::9", "2001:db8:77::10", "fd00:1::1")),
                new Scenario("ping recent v4", v4, PING_RECENT4, pingRecentSteps("icmp", "203.0.113.9", "203.0.113.10", "10.0.1.1")),
                new Scenario("ping recent v6", v6, PING_RECENT6, pingRecentSteps("icmp6", "2001:db8:77::9", "2001:db8:77::10", "fd00:1::1")),
                new Scenario("port scan tricks v4", v4, PORTSCAN4, portScanSteps("203.0.113.20", "203.0.113.21", "10.0.1.1", "icmp")),
                new Scenario("port scan tricks v6", v6, PORTSCAN6,
                        portScanSteps("[2001:db8:77::20]", "[2001:db8:77::21]", "[fd00:1::1]", "icmp6")),
                new Scenario("stateful firewall v4", v4, STATEFUL4, stateful4Steps()),
                new Scenario("stateful firewall v6", v6, STATEFUL6, stateful6Steps()));
    }

    /** The bytes of step {@code k}: its packet, with IPv4 ID / IPv6 flow label 0x1000+k as its identity. */
    public static PacketText.Spec packet(Scenario sc, int k) {
        String p = sc.steps().get(k).packet();
        return PacketText.parse(p + (sc.family() == Family.IPV6 ? " flowlabel " : " ipid ") + (0x1000 + k));
    }

    /** What Stockade did with one step. */
    public record Outcome(String verdict, String rule, int emitted) {
    }

    /** Runs {@code sc} through a fresh offline engine on {@link #HOST}; one outcome per step. */
    public static List<Outcome> runOffline(Scenario sc) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(sc.family(), HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(sc.rules())),
                Restore.Options.DEFAULT, new StringBuilder());
        Offline off = Offline.of(rs, HostLoader.fromConf(HOST));
        PacketFeeder feeder = new PacketFeeder(off.nf);
        List<Outcome> out = new ArrayList<>();
        long start = 1_000_000_000_000L;
        for (int k = 0; k < sc.steps().size(); k++) {
            PacketText.Spec spec = packet(sc, k);
            byte[] bytes = spec.build();
            PathResult res = new PathResult();
            feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(bytes), 0, bytes.length, bytes.length,
                    spec.iface(), false, start + sc.steps().get(k).millis() * 1_000_000L, res);
            out.add(new Outcome(res.verdictName(), res.ruleName(), res.emitted));
        }
        return out;
    }
}
