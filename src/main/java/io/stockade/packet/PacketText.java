package io.stockade.packet;

import java.util.Locale;

/**
 * The compact textual packet form of {@code stockade trace}: one line, whitespace-separated
 * tokens, parsed into a {@link PacketBuilder} plus the direction and interface.
 *
 * <pre>
 * line     := [ ("in" | "out") IFACE ] packet
 * packet   := ("tcp" | "udp" | "udplite" | "sctp" | "dccp") ENDPOINT "&gt;" ENDPOINT option*
 *           | ("icmp" | "icmp6") ADDR "&gt;" ADDR option*
 *           | ("ipv4" | "ipv6") "proto" N ADDR "&gt;" ADDR option*
 * ENDPOINT := IPV4 ":" PORT | "[" IPV6 "]" ":" PORT
 * option   := TCP flag: "syn" | "ack" | "fin" | "rst" | "psh" | "urg" | "ece" | "cwr"
 *             (no flag given means ACK alone)
 *           | "seq" N | "ack" N (also sets ACK) | "win" N | "urp" N
 *           | "mss" N | "wscale" N | "sackok" | "ts" N N          TCP fields and options
 *           | ICMP-NAME | "type" N | "code" N | "id" N | "seq" N | "mtu" N   ICMP (iptables' names,
 *             e.g. echo-request, port-unreachable; echo id/seq; the MTU of frag-needed/too-big)
 *           | "quote" packet      an ICMP error quoting that packet (takes the rest of the line);
 *             an ICMP packet without a type is an echo request
 *           | "ttl" N | "hlim" N | "tos" N | "ipid" N | "flowlabel" N | "df"
 *           | "frag" OFFSET | "mf"      a fragment: byte offset, more-fragments flag
 *           | "hbh" | "dstopts" | "rt" TYPE SEGLEFT | "ah" SPI   IPv6 extension headers, in order
 *           | "payload" N | "len" N    transport payload bytes / IP total length
 *           | "mac" MAC | "vlan" N     Ethernet framing (source MAC, 802.1Q tag)
 *           | "badsum"                 a wrong transport checksum
 *           | "uid" N | "gid" N | "groups" N[,N]…   the sending socket's owner (fsuid, fsgid and
 *             supplementary groups, as the owner match reads them); only with "out", where
 *             the one not given is 0; at most {@link #MAX_GROUPS} groups
 * N        := decimal or 0x-hex
 * </pre>
 *
 * Examples: {@code in ppp0 tcp 198.51.100.10:40000 > 198.51.100.1:22 syn},
 * {@code out eth0 udp 10.0.0.1:5353 > 224.0.0.251:5353 len 40},
 * {@code in eth0 icmp 1.2.3.4 > 5.6.7.8 echo-request id 7 seq 1},
 * {@code in eth0 tcp [2001:db8::1]:1234 > [2001:db8::2]:80 ack seq 100 ack 200 win 512 payload 10},
 * {@code in eth0 ipv4 proto 47 1.2.3.4 > 5.6.7.8},
 * {@code in eth0 icmp 192.0.2.1 > 10.0.0.1 port-unreachable quote udp 10.0.0.1:5000 > 192.0.2.1:53},
 * {@code out eth0 tcp 192.0.2.1:40000 > 198.51.100.7:443 syn uid 1000 gid 1000 groups 27,100}.
 * Errors are {@link PacketTextException}s naming the token and what was expected.
 */
public final class PacketText {
    /** Most supplementary groups a packet's owner can carry (the size of {@code Skb.groups}). */
    public static final int MAX_GROUPS = 64;

    /**
     * A parsed line: direction (0 none given, 1 in, 2 out), interface (null if none), the packet,
     * and the owner of the sending socket (null when none was given).
     */
    public record Spec(int direction, String iface, PacketBuilder builder, Owner owner) {
        public Spec(int direction, String iface, PacketBuilder builder) {
            this(direction, iface, builder, null);
        }

        /** The packet bytes (with Ethernet framing when "mac"/"vlan" was given). */
        public byte[] build() {
            return builder.build();
        }
    }

    /** A locally generated packet's socket owner: fsuid, fsgid, supplementary groups. */
    public record Owner(int uid, int gid, int[] groups) {
        public Owner {
            groups = groups.clone();
        }

        @Override
        public int[] groups() {
            return groups.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Owner w && w.uid == uid && w.gid == gid && java.util.Arrays.equals(w.groups, groups);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * uid + gid) + java.util.Arrays.hashCode(groups);
        }

        @Override
        public String toString() {
            return "uid " + (uid & 0xffffffffL) + " gid " + (gid & 0xffffffffL) + " groups " + java.util.Arrays.toString(groups);
        }
    }

    private long ownerUid = -1;
    private long ownerGid = -1;
    private int[] ownerGroups;

    private final String[] tok;
    private int i;

    private PacketText(String text) {
        String t = text.trim();
        tok = t.isEmpty() ? new String[0] : t.split("\\s+");
    }

    /** Parses one line of the textual form. */
    public static Spec parse(String text) {
        PacketText p = new PacketText(text);
        int dir = 0;
        String iface = null;
        String first = p.peek();
        if ("in".equals(first) || "out".equals(first)) {
            p.i++;
            dir = "in".equals(first) ? 1 : 2;
            iface = p.next("an interface name after \"" + first + "\"");
        }
        PacketBuilder b = p.packet();
        Owner owner = null;
        if (p.ownerUid >= 0 || p.ownerGid >= 0 || p.ownerGroups != null) {
            if (dir != 2) {
                throw new PacketTextException(0, null, "\"out IFACE\" before a packet with uid/gid/groups (only locally generated packets have a socket owner)");
            }
            owner = new Owner((int) Math.max(p.ownerUid, 0), (int) Math.max(p.ownerGid, 0),
                    p.ownerGroups == null ? new int[0] : p.ownerGroups);
        }
        return new Spec(dir, iface, b, owner);
    }

    private String peek() {
        return i < tok.length ? tok[i] : null;
    }

    private String next(String expected) {
        if (i >= tok.length) {
            throw new PacketTextException(0, null, expected);
        }
        return tok[i++];
    }

    private PacketTextException error(String expected) {
        return new PacketTextException(i, tok[i - 1], expected);
    }

    private long number(String what, long max) {
        String s = next(what);
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v < 0 || v > max) {
                throw error(what + " (0.." + max + ")");
            }
            return v;
        } catch (NumberFormatException e) {
            throw error(what);
        }
    }

    private static final String PROTOCOLS = "tcp, udp, udplite, sctp, dccp, icmp, icmp6, ipv4 or ipv6";

    private PacketBuilder packet() {
        String proto = next("a protocol (" + PROTOCOLS + ")").toLowerCase(Locale.ROOT);
        PacketBuilder b;
        boolean isTcp = false;
        boolean isIcmp = false;
        switch (proto) {
            case "tcp", "udp", "udplite", "sctp", "dccp" -> {
                String[] src = endpoint();
                arrow();
                String[] dst = endpoint();
                b = builder(src[0], dst[0]);
                int sp = Integer.parseInt(src[1]);
                int dp = Integer.parseInt(dst[1]);
                switch (proto) {
                    case "tcp" -> {
                        b.tcp(sp, dp);
                        isTcp = true;
                    }
                    case "udp" -> b.udp(sp, dp);
                    case "udplite" -> b.ports(PacketParser.PROTO_UDPLITE, sp, dp);
                    case "sctp" -> b.ports(PacketParser.PROTO_SCTP, sp, dp);
                    default -> b.ports(PacketParser.PROTO_DCCP, sp, dp);
                }
            }
            case "icmp", "icmp6", "icmpv6" -> {
                String src = address();
                arrow();
                String dst = address();
                b = builder(src, dst);
                boolean v6 = !proto.equals("icmp");
                if (v6 != (b.version() == 6)) {
                    throw error((v6 ? "an IPv6" : "an IPv4") + " address for " + proto);
                }
                b.icmp(v6 ? Icmpv6.ECHO_REQUEST : Icmp.ECHO_REQUEST, 0);
                isIcmp = true;
            }
            case "ipv4", "ipv6", "ip", "ip6" -> {
                if (!"proto".equals(next("\"proto\" N"))) {
                    throw error("\"proto\" N");
                }
                int n = (int) number("a protocol number", 255);
                String src = address();
                arrow();
                String dst = address();
                b = builder(src, dst);
                if ((b.version() == 6) != proto.endsWith("6")) {
                    throw error("an " + (proto.endsWith("6") ? "IPv6" : "IPv4") + " address for " + proto);
                }
                b.protocol(n);
            }
            default -> throw error("a protocol (" + PROTOCOLS + ")");
        }
        options(b, isTcp, isIcmp);
        return b;
    }

    private PacketBuilder builder(String src, String dst) {
        if (IpText.isV6(src) != IpText.isV6(dst)) {
            throw error("a destination of the same address family as the source");
        }
        return PacketBuilder.ip(src, dst);
    }

    private void arrow() {
        if (!">".equals(next("\">\""))) {
            throw error("\">\" between source and destination");
        }
    }

    private String address() {
        String s = next("an IP address");
        try {
            if (IpText.isV6(s)) {
                IpText.parseV6(s);
            } else {
                IpText.parseV4(s);
            }
        } catch (IllegalArgumentException e) {
            throw error("an IP address");
        }
        return s;
    }

    /** {address, port} from ADDR:PORT or [ADDR]:PORT. */
    private String[] endpoint() {
        String s = next("ADDRESS:PORT");
        String addr;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                throw error("[IPv6-ADDRESS]:PORT");
            }
            addr = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.indexOf(':');
            if (colon < 0 || colon != s.lastIndexOf(':')) {
                throw error("IPv4-ADDRESS:PORT or [IPv6-ADDRESS]:PORT");
            }
            addr = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        try {
            if (s.startsWith("[")) {
                IpText.parseV6(addr);
            } else {
                IpText.parseV4(addr);
            }
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw error("a port 0..65535");
            }
        } catch (NumberFormatException e) {
            throw error("a port number after the address");
        } catch (PacketTextException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw error("an IP address before the port");
        }
        return new String[] {addr, port};
    }

    private void options(PacketBuilder b, boolean isTcp, boolean isIcmp) {
        int flags = 0;
        boolean v6 = b.version() == 6;
        while (i < tok.length) {
            String t = tok[i++];
            String lc = t.toLowerCase(Locale.ROOT);
            if (isTcp) {
                int f = switch (lc) {
                    case "syn" -> Tcp.SYN;
                    case "fin" -> Tcp.FIN;
                    case "rst" -> Tcp.RST;
                    case "psh" -> Tcp.PSH;
                    case "urg" -> Tcp.URG;
                    case "ece" -> Tcp.ECE;
                    case "cwr" -> Tcp.CWR;
                    default -> 0;
                };
                if (f != 0) {
                    flags |= f;
                    continue;
                }
                if (lc.equals("ack")) {
                    flags |= Tcp.ACK;
                    if (i < tok.length && Character.isDigit(tok[i].charAt(0))) {
                        b.ack((int) number("an acknowledgement number", 0xffffffffL));
                    }
                    continue;
                }
                switch (lc) {
                    case "seq" -> {
                        b.seq((int) number("a sequence number", 0xffffffffL));
                        continue;
                    }
                    case "win" -> {
                        b.window((int) number("a window", 0xffff));
                        continue;
                    }
                    case "urp" -> {
                        b.urgent((int) number("an urgent pointer", 0xffff));
                        continue;
                    }
                    case "mss" -> {
                        b.mss((int) number("an MSS", 0xffff));
                        continue;
                    }
                    case "wscale" -> {
                        b.windowScale((int) number("a window scale shift", 255));
                        continue;
                    }
                    case "sackok" -> {
                        b.sackPermitted();
                        continue;
                    }
                    case "ts" -> {
                        int v = (int) number("a timestamp value", 0xffffffffL);
                        b.timestamp(v, (int) number("a timestamp echo reply", 0xffffffffL));
                        continue;
                    }
                    default -> {
                    }
                }
            }
            if (isIcmp) {
                int[] named = IcmpNames.lookup(lc, v6);
                if (named != null) {
                    b.icmp(named[0], Math.max(named[1], 0));
                    continue;
                }
                switch (lc) {
                    case "type" -> {
                        b.icmp((int) number("an ICMP type", 255), 0);
                        continue;
                    }
                    case "code" -> {
                        icmpCode(b, (int) number("an ICMP code", 255));
                        continue;
                    }
                    case "id" -> {
                        icmpId = (int) number("an ICMP id", 0xffff);
                        b.icmpIdSeq(icmpId, icmpSeq);
                        continue;
                    }
                    case "seq" -> {
                        icmpSeq = (int) number("an ICMP sequence number", 0xffff);
                        b.icmpIdSeq(icmpId, icmpSeq);
                        continue;
                    }
                    case "mtu" -> {
                        b.icmpRest((int) number("an MTU", 0xffff));
                        continue;
                    }
                    case "quote" -> {
                        int savedId = icmpId;
                        int savedSeq = icmpSeq;
                        int savedFrag = fragOffset;
                        boolean savedMf = moreFragments;
                        icmpId = icmpSeq = 0;
                        fragOffset = -1;
                        moreFragments = false;
                        PacketBuilder inner = packet();
                        icmpId = savedId;
                        icmpSeq = savedSeq;
                        fragOffset = savedFrag;
                        moreFragments = savedMf;
                        b.quote(inner.build());
                        return;
                    }
                    default -> {
                    }
                }
            }
            switch (lc) {
                case "ttl", "hlim" -> b.ttl((int) number("a TTL / hop limit", 255));
                case "tos", "tclass" -> b.tos((int) number("a TOS / traffic class", 255));
                case "ipid" -> b.id((int) number("an IP identification", v6 ? 0xffffffffL : 0xffff));
                case "flowlabel" -> b.flowLabel((int) number("a flow label", 0xfffff));
                case "df" -> b.dontFragment();
                case "frag" -> {
                    long off = number("a fragment offset in bytes", 0xfff8);
                    if ((off & 7) != 0) {
                        throw error("a fragment offset that is a multiple of 8");
                    }
                    fragOffset = (int) off;
                    b.fragment(fragOffset, moreFragments);
                }
                case "mf" -> {
                    moreFragments = true;
                    b.fragment(Math.max(fragOffset, 0), true);
                    fragOffset = Math.max(fragOffset, 0);
                }
                case "hbh", "dstopts", "rt", "ah" -> {
                    if (!v6) {
                        throw error("an option for IPv4 (\"" + lc + "\" is an IPv6 extension header)");
                    }
                    switch (lc) {
                        case "hbh" -> b.hopByHop();
                        case "dstopts" -> b.destOptions();
                        case "rt" -> {
                            int type = (int) number("a routing header type", 255);
                            b.routing(type, (int) number("segments left", 255));
                        }
                        default -> b.authHeader((int) number("an SPI", 0xffffffffL));
                    }
                }
                case "payload" -> b.payload((int) number("a payload length", 65535));
                case "len" -> b.totalLength((int) number("an IP total length", 65535));
                case "mac" -> {
                    String m = next("a MAC address");
                    b.ethernet(mac(m), 0x020000000002L);
                }
                case "vlan" -> b.vlan((int) number("a VLAN id", 4095));
                case "badsum" -> b.badChecksum();
                case "uid" -> ownerUid = number("a uid", 0xfffffffeL);
                case "gid" -> ownerGid = number("a gid", 0xfffffffeL);
                case "groups" -> {
                    String[] g = next("a comma-separated list of group ids").split(",", -1);
                    if (g.length > MAX_GROUPS) {
                        throw error("at most " + MAX_GROUPS + " supplementary groups");
                    }
                    ownerGroups = new int[g.length];
                    for (int k = 0; k < g.length; k++) {
                        try {
                            long v = Long.parseLong(g[k]);
                            if (v < 0 || v > 0xfffffffeL) {
                                throw new NumberFormatException();
                            }
                            ownerGroups[k] = (int) v;
                        } catch (NumberFormatException e) {
                            throw error("a comma-separated list of group ids");
                        }
                    }
                }
                default -> throw error("an option (flags, seq, ack, win, ttl, tos, ipid, df, frag, mf, payload, len, uid, gid, groups, "
                        + (isIcmp ? "an ICMP type name, id, seq, quote, " : "") + "...)");
            }
        }
        if (isTcp) {
            b.flags(flags == 0 ? Tcp.ACK : flags);
        }
    }

    private int icmpId;
    private int icmpSeq;
    private int fragOffset = -1;
    private boolean moreFragments;

    private void icmpCode(PacketBuilder b, int code) {
        b.icmpCode(code);
    }

    private long mac(String s) {
        String[] p = s.split(":");
        if (p.length != 6) {
            throw error("a MAC address aa:bb:cc:dd:ee:ff");
        }
        long v = 0;
        for (String x : p) {
            try {
                int o = Integer.parseInt(x, 16);
                if (o < 0 || o > 255 || x.length() > 2) {
                    throw error("a MAC address aa:bb:cc:dd:ee:ff");
                }
                v = (v << 8) | o;
            } catch (NumberFormatException e) {
                throw error("a MAC address aa:bb:cc:dd:ee:ff");
            }
        }
        return v;
    }
}
