package io.stockade.difftest;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Random packet sequences for a case: several flows (TCP handshakes with data and teardown, TCP
 * to the gateway with its answers sent from the gateway itself, UDP and ICMP echo exchanges,
 * ICMP errors quoting an earlier packet, odd TCP flags, out-of-window segments, packets the
 * gateway originates, SCTP associations, DCCP connections, UDP-Lite exchanges, IPv4 fragments, IPv6 extension headers, packets expiring (TTL 1) or over
 * the narrow route's MTU that the gateway answers with ICMP errors), each cut at a random point and
 * interleaved with the others in order. Packets get identities 0x1000, 0x1001, … in send order
 * (a fragment train shares one). Deterministic for a given generator state.
 */
final class PacketGenerator {
    /** Builds one step of a flow once its identity is known; a fragment train returns several packets. */
    private interface Step {
        List<CasePacket> build(int id);
    }

    private final RandomGenerator rnd;
    private final int family;
    private final boolean masquerade;

    /**
     * @param masquerade the rules source-NAT towards eth1: replies from eth1's side then go to
     *                   eth1's address, as a real remote host's would (a reply to the inside address
     *                   would clash with the NAT mapping and make the kernel pick a random port)
     */
    PacketGenerator(RandomGenerator rnd, int family, boolean masquerade) {
        this.rnd = rnd;
        this.family = family;
        this.masquerade = masquerade;
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    private String lanHost() {
        int h = 2 + rnd.nextInt(8);
        if (rnd.nextInt(5) == 0) {
            return family == 4 ? "10.0.0.2" : "fd00::2";
        }
        return family == 4 ? Topology.LAN4 + h : Topology.LAN6 + Integer.toHexString(h);
    }

    private String wanHost() {
        int h = 1 + rnd.nextInt(9);
        if (rnd.nextInt(5) == 0) {
            return family == 4 ? "10.0.1.2" : "fd00:1::2";
        }
        return family == 4 ? Topology.WAN4 + h : Topology.WAN6 + Integer.toHexString(h);
    }

    private String gwAddr(String iface) {
        Topology.Link l = Topology.link(iface);
        return family == 4 ? l.gw4() : l.gw6();
    }

    private int port() {
        return RuleGenerator.PORTS[rnd.nextInt(RuleGenerator.PORTS.length)];
    }

    private int ephemeral() {
        return 32768 + rnd.nextInt(28000);
    }

    private byte[] ip(String src, String dst, int proto, int ttl, int id, byte[] l4) {
        byte[] s = Pkt.addr(src);
        byte[] d = Pkt.addr(dst);
        if (family == 4) {
            return Pkt.ipv4(s, d, proto, ttl, id, 0x4000, l4);
        }
        return Pkt.ipv6(s, d, proto, ttl, id, l4);
    }

    private Step tcp(String via, String src, String dst, int sp, int dp, long seq, long ack, int flags, int len) {
        return id -> {
            byte[] l4 = Pkt.tcp(Pkt.addr(src), Pkt.addr(dst), sp, dp, seq, ack, flags, 64240,
                    (flags & Pkt.SYN) != 0 ? new byte[] {2, 4, 5, (byte) 0xb4} : new byte[0], new byte[len]);
            return List.of(new CasePacket(via, ip(src, dst, Pkt.TCP, 64, id, l4),
                    "tcp " + src + "." + sp + " > " + dst + "." + dp + " " + flagText(flags) + " seq " + seq
                            + ((flags & Pkt.ACK) != 0 ? " ack " + ack : "") + (len > 0 ? " len " + len : "")));
        };
    }

    static String flagText(int f) {
        StringBuilder b = new StringBuilder();
        String names = "FSRPAU";
        for (int k = 0; k < 6; k++) {
            if ((f & (1 << k)) != 0) {
                b.append(names.charAt(k));
            }
        }
        return b.length() == 0 ? "[none]" : "[" + b + "]";
    }

    private Step udp(String via, String src, String dst, int sp, int dp, int len) {
        return id -> {
            byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), sp, dp, new byte[len]);
            return List.of(new CasePacket(via, ip(src, dst, Pkt.UDP, 64, id, l4), "udp " + src + "." + sp + " > " + dst + "." + dp + " len " + len));
        };
    }

    private Step echo(String via, String src, String dst, boolean reply, int ident, int seq) {
        return id -> {
            int type = family == 4 ? (reply ? 0 : 8) : (reply ? 129 : 128);
            byte[] l4 = Pkt.icmp(Pkt.addr(src), Pkt.addr(dst), type, 0, (ident << 16) | seq, new byte[16]);
            return List.of(new CasePacket(via, ip(src, dst, family == 4 ? Pkt.ICMP : Pkt.ICMPV6, 64, id, l4),
                    "icmp " + src + " > " + dst + (reply ? " echo-reply" : " echo-request") + " id " + ident));
        };
    }

    /** The flows of one case, interleaved; 1..maxPackets packets. */
    List<CasePacket> sequence(int maxPackets, boolean allowLocalOut) {
        List<List<Step>> flows = new ArrayList<>();
        int nFlows = 1 + rnd.nextInt(3);
        for (int f = 0; f < nFlows; f++) {
            flows.add(flow(allowLocalOut));
        }
        List<CasePacket> out = new ArrayList<>();
        int[] pos = new int[flows.size()];
        int id = 0x1000;
        while (out.size() < maxPackets) {
            List<Integer> live = new ArrayList<>();
            for (int f = 0; f < flows.size(); f++) {
                if (pos[f] < flows.get(f).size()) {
                    live.add(f);
                }
            }
            if (live.isEmpty()) {
                break;
            }
            int f = pick(live);
            out.addAll(flows.get(f).get(pos[f]++).build(id++));
        }
        return out;
    }

    private Step sctp(String via, String src, String dst, int sp, int dp, int vtag, String what, byte[]... chunks) {
        return id -> List.of(new CasePacket(via, ip(src, dst, Pkt.SCTP, 64, id, Pkt.sctp(sp, dp, vtag, chunks)),
                "sctp " + src + "." + sp + " > " + dst + "." + dp + " " + what));
    }

    /** An SCTP association through the gateway: INIT … COOKIE-ACK, DATA and SACK, then SHUTDOWN or ABORT, cut anywhere. */
    private List<Step> sctpFlow() {
        List<Step> s = new ArrayList<>();
        Ends e = ends();
        String a = e.a();
        String b = e.b();
        String va = e.va();
        String vb = e.vb();
        String rb = e.rb();
        int sp = e.sp();
        int dp = e.dp();
        int tagA = 1 + rnd.nextInt(0x7fffffff);
        int tagB = 1 + rnd.nextInt(0x7fffffff);
        s.add(sctp(va, a, b, sp, dp, 0, "INIT", Pkt.sctpInit(Pkt.SCTP_INIT, tagA)));
        s.add(sctp(vb, b, rb, dp, sp, tagA, "INIT-ACK", Pkt.sctpInit(Pkt.SCTP_INIT_ACK, tagB)));
        s.add(sctp(va, a, b, sp, dp, tagB, "COOKIE-ECHO", Pkt.sctpChunk(Pkt.SCTP_COOKIE_ECHO, 0, new byte[16])));
        s.add(sctp(vb, b, rb, dp, sp, tagA, "COOKIE-ACK", Pkt.sctpChunk(Pkt.SCTP_COOKIE_ACK, 0, new byte[0])));
        s.add(sctp(va, a, b, sp, dp, rnd.nextInt(5) == 0 ? tagA : tagB, "DATA", Pkt.sctpChunk(Pkt.SCTP_DATA, 3, new byte[20])));
        s.add(sctp(vb, b, rb, dp, sp, tagA, "SACK", Pkt.sctpChunk(Pkt.SCTP_SACK, 0, new byte[12])));
        if (rnd.nextBoolean()) {
            s.add(sctp(va, a, b, sp, dp, tagB, "SHUTDOWN", Pkt.sctpChunk(Pkt.SCTP_SHUTDOWN, 0, new byte[4])));
            s.add(sctp(vb, b, rb, dp, sp, tagA, "SHUTDOWN-ACK", Pkt.sctpChunk(Pkt.SCTP_SHUTDOWN_ACK, 0, new byte[0])));
            s.add(sctp(va, a, b, sp, dp, tagB, "SHUTDOWN-COMPLETE", Pkt.sctpChunk(Pkt.SCTP_SHUTDOWN_COMPLETE, 0, new byte[0])));
        } else {
            s.add(sctp(vb, b, rb, dp, sp, tagA, "ABORT", Pkt.sctpChunk(Pkt.SCTP_ABORT, 0, new byte[0])));
        }
        cut(s);
        return s;
    }

    private Step dccp(String via, String src, String dst, int sp, int dp, int type, long seq, long ack, int len) {
        return id -> List.of(new CasePacket(via, ip(src, dst, Pkt.DCCP, 64, id,
                Pkt.dccp(Pkt.addr(src), Pkt.addr(dst), sp, dp, type, seq, ack, new byte[len])),
                "dccp " + src + "." + sp + " > " + dst + "." + dp + " type " + type + " seq " + seq));
    }

    /**
     * A DCCP connection through the gateway: Request, Response, Ack, DataAck both ways, then Close
     * and Reset, cut anywhere. This kernel (6.18) tracks DCCP generically (no ports in the tuple),
     * so flows between the same two hosts share one conntrack entry.
     */
    private List<Step> dccpFlow() {
        List<Step> s = new ArrayList<>();
        Ends e = ends();
        String a = e.a();
        String b = e.b();
        String va = e.va();
        String vb = e.vb();
        String rb = e.rb();
        int sp = e.sp();
        int dp = e.dp();
        long c = rnd.nextLong(1L << 48);
        long v = rnd.nextLong(1L << 48);
        s.add(dccp(va, a, b, sp, dp, Pkt.DCCP_REQUEST, c, 0, 0));
        s.add(dccp(vb, b, rb, dp, sp, Pkt.DCCP_RESPONSE, v, c, 0));
        s.add(dccp(va, a, b, sp, dp, Pkt.DCCP_ACK, c + 1, v, 0));
        s.add(dccp(va, a, b, sp, dp, rnd.nextBoolean() ? Pkt.DCCP_DATAACK : Pkt.DCCP_DATA, c + 2, v, 12));
        s.add(dccp(vb, b, rb, dp, sp, Pkt.DCCP_DATAACK, v + 1, c + 2, 8));
        s.add(dccp(va, a, b, sp, dp, Pkt.DCCP_CLOSE, c + 3, v + 1, 0));
        s.add(dccp(vb, b, rb, dp, sp, Pkt.DCCP_RESET, v + 2, c + 3, 0));
        cut(s);
        return s;
    }

    private Step udplite(String via, String src, String dst, int sp, int dp, boolean rfc, int len) {
        return id -> List.of(new CasePacket(via, ip(src, dst, Pkt.UDPLITE, 64, id,
                Pkt.udplite(Pkt.addr(src), Pkt.addr(dst), sp, dp, rfc, new byte[len])),
                "udplite " + src + "." + sp + " > " + dst + "." + dp + " len " + len + (rfc ? " rfc-checksum" : "")));
    }

    /**
     * A UDP-Lite exchange through the gateway (full checksum coverage), cut anywhere; one in three
     * with the RFC checksum, which Linux conntrack calls INVALID (see {@link Pkt#udplite}).
     */
    private List<Step> udpliteFlow() {
        List<Step> s = new ArrayList<>();
        Ends e = ends();
        String a = e.a();
        String b = e.b();
        String va = e.va();
        String vb = e.vb();
        int sp = e.sp();
        int dp = e.dp();
        boolean rfc = rnd.nextInt(3) == 0;
        s.add(udplite(va, a, b, sp, dp, rfc, 8 + rnd.nextInt(20)));
        s.add(udplite(vb, b, replyAddress(a, vb), dp, sp, rfc, 8 + rnd.nextInt(20)));
        s.add(udplite(va, a, b, sp, dp, rfc, 4));
        cut(s);
        return s;
    }

    private List<Step> flow(boolean allowLocalOut) {
        List<Step> s = new ArrayList<>();
        int other = rnd.nextInt(20);
        if (other < 2) {
            return sctpFlow();
        }
        if (other == 2) {
            return dccpFlow();
        }
        if (other == 3) {
            return udpliteFlow();
        }
        if (masquerade && rnd.nextInt(5) == 0) { // a NAT clash: two LAN hosts, one source port, one server
            String a = family == 4 ? Topology.LAN4 + "2" : Topology.LAN6 + "2";
            String a2 = family == 4 ? Topology.LAN4 + "3" : Topology.LAN6 + "3";
            String b = wanHost();
            int sp = ephemeral();
            int dp = port();
            s.add(udp("eth0", a, b, sp, dp, 12));
            s.add(udp("eth0", a2, b, sp, dp, 12));
            s.add(udp("eth0", a2, b, sp, dp, 20));
            return s;
        }
        int kind = rnd.nextInt(allowLocalOut ? 12 : 10);
        if (kind == (allowLocalOut ? 11 : 9)) {
            return routingErrorFlow();
        }
        boolean reverse = rnd.nextInt(4) == 0;
        String a = lanHost();
        String b = wanHost();
        String va = "eth0";
        String vb = "eth1";
        if (reverse) {
            String t = a;
            a = b;
            b = t;
            va = "eth1";
            vb = "eth0";
        }
        switch (kind) {
            case 0, 1 -> { // TCP through the gateway: handshake, data, teardown
                int sp = ephemeral();
                int dp = port();
                long c = rnd.nextLong(1L << 32);
                long v = rnd.nextLong(1L << 32);
                s.add(tcp(va, a, b, sp, dp, c, 0, Pkt.SYN, 0));
                String ra = replyAddress(a, vb);
                s.add(tcp(vb, b, ra, dp, sp, v, c + 1, Pkt.SYN | Pkt.ACK, 0));
                s.add(tcp(va, a, b, sp, dp, c + 1, v + 1, Pkt.ACK, 0));
                s.add(tcp(va, a, b, sp, dp, c + 1, v + 1, Pkt.PSH | Pkt.ACK, 10));
                if (rnd.nextInt(3) == 0) { // out of window
                    s.add(tcp(vb, b, ra, dp, sp, v + 1 + (1L << 30), c + 11, Pkt.ACK, 5));
                }
                s.add(tcp(vb, b, ra, dp, sp, v + 1, c + 11, Pkt.ACK, 0));
                s.add(tcp(va, a, b, sp, dp, c + 11, v + 1, Pkt.FIN | Pkt.ACK, 0));
                s.add(tcp(vb, b, ra, dp, sp, v + 1, c + 12, Pkt.FIN | Pkt.ACK, 0));
                s.add(tcp(va, a, b, sp, dp, c + 12, v + 2, Pkt.ACK, 0));
                cut(s);
            }
            case 2 -> { // TCP to the gateway; its answers sent by the gateway itself
                String gwa = gwAddr(rnd.nextBoolean() ? va : vb);
                int sp = ephemeral();
                int dp = port();
                long c = rnd.nextLong(1L << 32);
                long v = rnd.nextLong(1L << 32);
                s.add(tcp(va, a, gwa, sp, dp, c, 0, Pkt.SYN, 0));
                if (allowLocalOut) {
                    s.add(tcp("local", gwa, a, dp, sp, v, c + 1, Pkt.SYN | Pkt.ACK, 0));
                    s.add(tcp(va, a, gwa, sp, dp, c + 1, v + 1, Pkt.ACK, 0));
                    s.add(tcp(va, a, gwa, sp, dp, c + 1, v + 1, Pkt.RST | Pkt.ACK, 0));
                }
                cut(s);
            }
            case 3 -> { // UDP exchange
                int sp = ephemeral();
                int dp = port();
                s.add(udp(va, a, b, sp, dp, 8 + rnd.nextInt(20)));
                s.add(udp(vb, b, replyAddress(a, vb), dp, sp, 8 + rnd.nextInt(40)));
                s.add(udp(va, a, b, sp, dp, 4));
                cut(s);
            }
            case 4 -> { // ICMP echo, through or to the gateway
                int ident = rnd.nextInt(65536);
                boolean toGw = rnd.nextBoolean();
                String dst = toGw ? gwAddr(va) : b;
                s.add(echo(va, a, dst, false, ident, 1));
                a = toGw ? a : replyAddress(a, vb);
                s.add(toGw && allowLocalOut ? echo("local", dst, a, true, ident, 1) : echo(vb, b, replyAddress(a, vb), true, ident, 1));
                cut(s);
            }
            case 5 -> { // ICMP error quoting an earlier UDP packet
                int sp = ephemeral();
                int dp = port();
                String src = a;
                String dst = b;
                s.add(udp(va, src, dst, sp, dp, 12));
                String router = family == 4 ? (vb.equals("eth1") ? "10.0.1.2" : "10.0.0.2") : (vb.equals("eth1") ? "fd00:1::2" : "fd00::2");
                String from = rnd.nextBoolean() ? dst : router;
                String errVia = vb;
                s.add(id -> {
                    byte[] quoted = ip(src, dst, Pkt.UDP, 63, 0x0fff, Pkt.udp(Pkt.addr(src), Pkt.addr(dst), sp, dp, new byte[12]));
                    int type = family == 4 ? 3 : 1;
                    int code = family == 4 ? 3 : 4;
                    byte[] l4 = Pkt.icmp(Pkt.addr(from), Pkt.addr(src), type, code, 0, quoted);
                    return List.of(new CasePacket(errVia, ip(from, src, family == 4 ? Pkt.ICMP : Pkt.ICMPV6, 64, id, l4),
                            "icmp " + from + " > " + src + " port-unreachable quoting udp " + src + "." + sp + " > " + dst + "." + dp));
                });
            }
            case 6 -> { // odd flags / lone segments
                int flags = pick(List.of(Pkt.SYN | Pkt.FIN, 0, Pkt.FIN | Pkt.PSH | Pkt.URG, Pkt.RST, Pkt.ACK, Pkt.SYN | Pkt.RST,
                        Pkt.FIN | Pkt.SYN | Pkt.RST | Pkt.PSH | Pkt.ACK | Pkt.URG));
                s.add(tcp(va, a, b, ephemeral(), port(), rnd.nextLong(1L << 32), rnd.nextLong(1L << 32), flags, 0));
            }
            case 7 -> { // fragments (IPv4) or extension headers (IPv6)
                int sp = ephemeral();
                int dp = port();
                String src = a;
                String dst = b;
                String via = va;
                if (family == 4) {
                    s.add(id -> {
                        byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), sp, dp, new byte[40]);
                        byte[][] frags = Pkt.fragments4(Pkt.addr(src), Pkt.addr(dst), Pkt.UDP, 64, id, l4, 24);
                        List<CasePacket> l = new ArrayList<>();
                        for (int k = 0; k < frags.length; k++) {
                            l.add(new CasePacket(via, frags[k], "udp " + src + "." + sp + " > " + dst + "." + dp + " fragment " + (k + 1) + "/" + frags.length));
                        }
                        return l;
                    });
                } else if (rnd.nextInt(3) == 0) {
                    int ident = rnd.nextInt();
                    s.add(id -> {
                        byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), sp, dp, new byte[40]);
                        byte[][] frags = Pkt.fragments6(Pkt.addr(src), Pkt.addr(dst), Pkt.UDP, 64, id, ident, l4, 24);
                        List<CasePacket> l = new ArrayList<>();
                        for (int k = 0; k < frags.length; k++) {
                            l.add(new CasePacket(via, frags[k], "udp " + src + "." + sp + " > " + dst + "." + dp + " fragment " + (k + 1) + "/" + frags.length));
                        }
                        return l;
                    });
                } else {
                    int hdr = rnd.nextBoolean() ? 0 : 60;
                    s.add(id -> {
                        byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), sp, dp, new byte[10]);
                        byte[] p = Pkt.ipv6(Pkt.addr(src), Pkt.addr(dst), hdr, 64, id, Pkt.ip6Options(Pkt.UDP, l4));
                        return List.of(new CasePacket(via, p, "udp " + src + "." + sp + " > " + dst + "." + dp
                                + (hdr == 0 ? " hop-by-hop" : " dst-opts")));
                    });
                }
            }
            case 8 -> { // a port forward: a WAN host connects to eth1's address:8080, served by a LAN host
                String wan = family == 4 ? Topology.WAN4 + (1 + rnd.nextInt(9)) : Topology.WAN6 + Integer.toHexString(1 + rnd.nextInt(9));
                String gw = gwAddr("eth1");
                String server = family == 4 ? Topology.LAN4 + "5" : Topology.LAN6 + "5";
                int sp = ephemeral();
                long c = rnd.nextLong(1L << 32);
                long v = rnd.nextLong(1L << 32);
                s.add(tcp("eth1", wan, gw, sp, 8080, c, 0, Pkt.SYN, 0));
                s.add(tcp("eth0", server, wan, 80, sp, v, c + 1, Pkt.SYN | Pkt.ACK, 0));
                s.add(tcp("eth1", wan, gw, sp, 8080, c + 1, v + 1, Pkt.ACK, 0));
                s.add(tcp("eth1", wan, gw, sp, 8080, c + 1, v + 1, Pkt.PSH | Pkt.ACK, 20));
                cut(s);
            }
            default -> { // the gateway itself talks to a remote host
                String via = rnd.nextBoolean() ? "eth0" : "eth1";
                String remote = via.equals("eth0") ? (reverse ? b : a) : (reverse ? a : b);
                String me = gwAddr(via);
                int sp = ephemeral();
                int dp = port();
                long c = rnd.nextLong(1L << 32);
                long v = rnd.nextLong(1L << 32);
                if (rnd.nextBoolean()) {
                    s.add(tcp("local", me, remote, sp, dp, c, 0, Pkt.SYN, 0));
                    s.add(tcp(via, remote, me, dp, sp, v, c + 1, Pkt.SYN | Pkt.ACK, 0));
                    s.add(tcp("local", me, remote, sp, dp, c + 1, v + 1, Pkt.ACK, 0));
                } else {
                    s.add(udp("local", me, remote, sp, dp, 16));
                    s.add(udp(via, remote, me, dp, sp, 16));
                }
                cut(s);
            }
        }
        return s;
    }

    /**
     * Packets the gateway's routing code answers itself: a UDP exchange or an echo whose last
     * packet arrives with TTL / hop limit 1 (time exceeded, RELATED to the confirmed flow or to a
     * never-confirmed one), or a packet over the narrow route's MTU ({@link Topology#NARROW4}, MTU
     * 1300): with DF (IPv4) or as IPv6 it gets fragmentation needed / packet too big, without DF
     * it is fragmented.
     */
    private List<Step> routingErrorFlow() {
        List<Step> s = new ArrayList<>();
        boolean reverse = rnd.nextInt(4) == 0;
        String a = reverse ? wanHost() : lanHost();
        String va = reverse ? "eth1" : "eth0";
        String vb = reverse ? "eth0" : "eth1";
        int sp = ephemeral();
        int dp = port();
        if (rnd.nextBoolean()) {
            String b = reverse ? lanHost() : wanHost();
            if (rnd.nextBoolean()) {
                s.add(udp(va, a, b, sp, dp, 8 + rnd.nextInt(20)));
                s.add(udp(vb, b, replyAddress(a, vb), dp, sp, 8));
                cut(s);
            }
            int len = 8 + rnd.nextInt(600);
            boolean icmp = rnd.nextInt(3) == 0;
            String dst = b;
            s.add(id -> {
                byte[] l4 = icmp
                        ? Pkt.icmp(Pkt.addr(a), Pkt.addr(dst), family == 4 ? 8 : 128, 0, 0x0101_0001, new byte[len])
                        : Pkt.udp(Pkt.addr(a), Pkt.addr(dst), sp, dp, new byte[len]);
                int proto = icmp ? (family == 4 ? Pkt.ICMP : Pkt.ICMPV6) : Pkt.UDP;
                return List.of(new CasePacket(va, ip(a, dst, proto, 1, id, l4),
                        (icmp ? "icmp echo " : "udp ") + a + " > " + dst + " ttl 1 len " + len));
            });
        } else {
            String src = reverse ? lanHost() : a;
            String via = "eth0";
            String dst = family == 4 ? Topology.NARROW4 + (1 + rnd.nextInt(9)) : Topology.NARROW6 + Integer.toHexString(1 + rnd.nextInt(9));
            int len = 1250 + rnd.nextInt(200);
            boolean df = family == 6 || rnd.nextInt(3) != 0;
            s.add(id -> {
                byte[] l4 = Pkt.udp(Pkt.addr(src), Pkt.addr(dst), sp, dp, new byte[len]);
                byte[] p = family == 4 ? Pkt.ipv4(Pkt.addr(src), Pkt.addr(dst), Pkt.UDP, 64, id, df ? 0x4000 : 0, l4)
                        : ip(src, dst, Pkt.UDP, 64, id, l4);
                return List.of(new CasePacket(via, p, "udp " + src + " > " + dst + (df ? " DF" : "") + " len " + p.length));
            });
        }
        return s;
    }

    /** Where the far side sends its replies: eth1's address when the rules masquerade towards eth1. */
    /**
     * The two ends of a flow through the gateway: a LAN host talking to a WAN host, one time in
     * four the other way round; {@code rb} is where the far side's replies go (the gateway's
     * address when masquerading). The random draws are made in a fixed order, so a seed keeps
     * producing the same cases.
     */
    private record Ends(String a, String b, String va, String vb, String rb, int sp, int dp) {
    }

    private Ends ends() {
        boolean reverse = rnd.nextInt(4) == 0;
        String a = reverse ? wanHost() : lanHost();
        String b = reverse ? lanHost() : wanHost();
        String va = reverse ? "eth1" : "eth0";
        String vb = reverse ? "eth0" : "eth1";
        int sp = ephemeral();
        int dp = port();
        return new Ends(a, b, va, vb, replyAddress(a, vb), sp, dp);
    }

    private String replyAddress(String inside, String farSide) {
        return masquerade && farSide.equals("eth1") ? gwAddr("eth1") : inside;
    }

    private void cut(List<Step> s) {
        int keep = 1 + rnd.nextInt(s.size());
        while (s.size() > keep) {
            s.removeLast();
        }
    }
}
