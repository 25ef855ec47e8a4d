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
 * Rulesets and packets for the TRACE tests: every table a received packet crosses (raw, mangle,
 * nat, filter, security), user chains entered by jump and by goto, RETURN by rule and by a
 * chain's end, an unconditional verdict (which the kernel names like a policy), policies, a MARK
 * and a DNAT that change later lines, TCP options; forwarded packets; packets the host sends. The
 * packets come from {@code 10.77.0.1} / {@code fd77::1} to the host {@code 10.77.0.2} /
 * {@code fd77::2} or through it to {@code 10.78.0.2} / {@code fd78::2}, or the other way from the
 * host's own raw socket ({@code out IF …}, IF standing for the host's interface); only they are traced.
 */
final class TraceRulesets {
    private TraceRulesets() {
    }

    record Case(String name, Family family, String rules, List<String> packets) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final String RULES4 = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -s 10.77.0.1/32 -j TRACE
            -A PREROUTING -p tcp -m tcp --dport 9 -j ACCEPT
            COMMIT
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :M - [0:0]
            -A PREROUTING -j M
            -A M -p udp -j MARK --set-xmark 0x5/0xffffffff
            -A M -j RETURN
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m tcp --dport 2222 -j DNAT --to-destination 10.77.0.2:22
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :X - [0:0]
            :Y - [0:0]
            -A INPUT -s 10.77.0.9/32 -j DROP
            -A INPUT -j X
            -A INPUT -p icmp -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            -A X -j Y
            -A X -p tcp -m tcp --dport 23 -j DROP
            -A X -p tcp -m tcp --dport 25 -g Y
            -A Y -p udp -j RETURN
            -A Y -p tcp -m tcp --dport 26 -j ACCEPT
            COMMIT
            *security
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -p udp -j ACCEPT
            -A INPUT -j ACCEPT
            COMMIT
            """;

    static final String RULES6 = RULES4.replace("10.77.0.1/32", "fd77::1/128").replace("10.77.0.9/32", "fd77::9/128")
            .replace("10.77.0.2:22", "[fd77::2]:22").replace("-p icmp", "-p ipv6-icmp");

    static List<String> packets(String a, String b, String icmp, boolean v6) {
        String ea = v6 ? "[" + a + "]" : a;
        String eb = v6 ? "[" + b + "]" : b;
        return List.of(
                icmp + " " + a + " > " + b + " echo-request id 1 seq 1",
                "tcp " + ea + ":40001 > " + eb + ":22 syn",
                "tcp " + ea + ":40002 > " + eb + ":9 syn",
                "udp " + ea + ":40003 > " + eb + ":53 payload 10",
                "tcp " + ea + ":40004 > " + eb + ":23 syn",
                "tcp " + ea + ":40005 > " + eb + ":25 syn",
                "tcp " + ea + ":40006 > " + eb + ":26 syn mss 1460 wscale 7 sackok ts 1 0",
                "tcp " + ea + ":40007 > " + eb + ":2222 syn");
    }

    /** Only raw and filter exist: the other tables write no lines (nor does an untraced packet). */
    static final String RAW_FILTER4 = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -s 10.77.0.1/32 -p udp -j TRACE
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -p udp -m udp --dport 53 -j ACCEPT
            COMMIT
            """;

    /** The seed's NAT gateway FORWARD chain (fw-interfaces, fw-open, REJECT) with mangle and SNAT on the way out. */
    static final String GATEWAY4 = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -s 10.77.0.1/32 -j TRACE
            COMMIT
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A FORWARD -p udp -j MARK --set-xmark 0x7/0xffffffff
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -o trc+ -p udp -j SNAT --to-source 10.78.0.1
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :fw-interfaces - [0:0]
            :fw-open - [0:0]
            -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -j fw-interfaces
            -A FORWARD -j fw-open
            -A FORWARD -j REJECT --reject-with icmp-host-unreachable
            -A fw-interfaces -i trb+ -p udp -j ACCEPT
            -A fw-open -d 10.78.0.2/32 -p tcp -m tcp --dport 22 -j ACCEPT
            COMMIT
            """;

    static final String GATEWAY6 = GATEWAY4.replace("10.77.0.1/32", "fd77::1/128").replace("10.78.0.2/32", "fd78::2/128")
            .replace("--to-source 10.78.0.1", "--to-source fd78::1").replace("icmp-host-unreachable", "icmp6-addr-unreachable");

    static List<String> forwarded(String a, String c, boolean v6) {
        String ea = v6 ? "[" + a + "]" : a;
        String ec = v6 ? "[" + c + "]" : c;
        return List.of(
                "udp " + ea + ":40001 > " + ec + ":53 payload 6",
                "tcp " + ea + ":40002 > " + ec + ":22 syn",
                "tcp " + ea + ":40003 > " + ec + ":23 syn");
    }

    /**
     * Locally generated packets (raw OUTPUT -j TRACE): OUTPUT and POSTROUTING, with the socket's
     * UID/GID; a REJECT in OUTPUT whose RST, to the host itself, is traced too (with nf_tables its
     * lines come before the REJECT rule's); a datagram to the host's own address, whose trace ends
     * where it is looped back over lo.
     */
    static final String OUTPUT4 = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A OUTPUT -d 10.77.0.1/32 -j TRACE
            -A OUTPUT -d 10.77.0.2/32 -j TRACE
            COMMIT
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A OUTPUT -p udp -j MARK --set-xmark 0x9/0xffffffff
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :O - [0:0]
            -A OUTPUT -j O
            -A O -p udp -m udp --dport 9 -j ACCEPT
            -A O -p tcp -j REJECT --reject-with tcp-reset
            COMMIT
            """;

    static final String OUTPUT6 = OUTPUT4.replace("10.77.0.1/32", "fd77::1/128").replace("10.77.0.2/32", "fd77::2/128");

    static List<Case> all() {
        return List.of(
                new Case("IPv4 raw and filter only", Family.IPV4, RAW_FILTER4, List.of(
                        "udp 10.77.0.1:40001 > 10.77.0.2:53 payload 4",
                        "tcp 10.77.0.1:40002 > 10.77.0.2:53 syn",
                        "udp 10.77.0.1:40003 > 10.77.0.2:54 payload 4")),
                new Case("IPv4", Family.IPV4, RULES4, packets("10.77.0.1", "10.77.0.2", "icmp", false)),
                new Case("IPv6", Family.IPV6, RULES6, packets("fd77::1", "fd77::2", "icmp6", true)),
                new Case("IPv4 forwarded", Family.IPV4, GATEWAY4, forwarded("10.77.0.1", "10.78.0.2", false)),
                new Case("IPv6 forwarded", Family.IPV6, GATEWAY6, forwarded("fd77::1", "fd78::2", true)),
                new Case("IPv4 sent by the host", Family.IPV4, OUTPUT4, List.of(
                        "out IF udp 10.77.0.2:40001 > 10.77.0.1:9 payload 4 ipid 77 uid 0 gid 0",
                        "out IF udp 10.77.0.2:40002 > 10.77.0.1:10 payload 4 ipid 78 uid 0 gid 0",
                        "out IF tcp 10.77.0.2:40003 > 10.77.0.1:11 syn ipid 79 uid 0 gid 0",
                        "out IF udp 10.77.0.2:40004 > 10.77.0.2:9 payload 4 ipid 80 uid 0 gid 0")),
                new Case("IPv6 sent by the host", Family.IPV6, OUTPUT6, List.of(
                        "out IF udp [fd77::2]:40001 > [fd77::1]:9 payload 4 uid 0 gid 0",
                        "out IF udp [fd77::2]:40002 > [fd77::1]:10 payload 4 uid 0 gid 0",
                        "out IF tcp [fd77::2]:40003 > [fd77::1]:11 syn uid 0 gid 0",
                        "out IF udp [fd77::2]:40004 > [fd77::2]:9 payload 4 uid 0 gid 0")));
    }

    /** MAC addresses of the sender and of the traced host's interface. */
    static final long SENDER_MAC = 0x027700000001L;
    static final long HOST_MAC = 0x027700000002L;

    /** Whether packet {@code k} of {@code c} is sent by the traced host itself ({@code out IF …}). */
    static boolean local(Case c, int k) {
        return c.packets().get(k).startsWith("out ");
    }

    /**
     * Packet {@code k} of {@code c}: the Ethernet frame the sender puts on the wire, or for a
     * packet of the host itself the IP packet its raw socket sends.
     */
    static byte[] frame(Case c, int k) {
        PacketText.Spec spec = PacketText.parse(c.packets().get(k));
        return local(c, k) ? spec.build() : spec.builder().ethernet(SENDER_MAC, HOST_MAC).build();
    }

    /**
     * The host's model: {@code iface} (from the sender) with 10.77.0.2/24 and fd77::2/64, and
     * the interface of the same name with "trc" for "trb" towards 10.78.0.0/24 and fd78::/64
     * (the next hop 10.78.0.2 / fd78::2 sits there); forwarding on.
     */
    static String host(String iface) {
        return "iface " + iface + " 10.77.0.2/24 fd77::2/64\n"
                + "iface " + iface.replace("trb", "trc") + " 10.78.0.1/24 fd78::1/64\n"
                + "sysctl net.ipv4.ip_forward=1\nsysctl net.ipv6.conf.all.forwarding=1\n";
    }

    /** Runs {@code c} through the offline engine, the frames received on {@code iface}; the log lines of each packet. */
    static List<List<String>> offline(Case c, String iface) throws Exception {
        return offline(c, iface, false);
    }

    /** As {@link #offline(Case, String)}, in xtables-monitor's form when {@code nft}. */
    static List<List<String>> offline(Case c, String iface, boolean nft) throws Exception {
        Ruleset rs = new Ruleset();
        new Restore(c.family(), HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(c.rules())),
                Restore.Options.DEFAULT, new StringBuilder());
        Offline off = Offline.of(rs, HostLoader.fromConf(host(iface)));
        if (nft) {
            off.nftTraceFormat();
        }
        PacketFeeder feeder = new PacketFeeder(off.nf);
        List<List<String>> out = new ArrayList<>();
        for (int k = 0; k < c.packets().size(); k++) {
            byte[] f = frame(c, k);
            off.logLines.clear();
            if (local(c, k)) {
                PacketText.Spec spec = PacketText.parse(c.packets().get(k).replace("out IF ", "out " + iface + " "));
                feeder.owner(spec.owner());
                feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(f), 0, f.length, f.length, spec.iface(), true,
                        1_000_000_000L * (k + 1), new PathResult());
                feeder.owner(null);
            } else {
                feeder.run(LinkLayer.LINKTYPE_ETHERNET, MemorySegment.ofArray(f), 0, f.length, f.length, iface, false,
                        1_000_000_000L * (k + 1), new PathResult());
            }
            out.add(List.copyOf(off.logLines));
        }
        return out;
    }
}
