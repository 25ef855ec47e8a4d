package io.stockade.packet;

/**
 * A tcpdump-like one-line summary of a parsed packet for trace and replay output, e.g.
 * {@code IP 198.51.100.10.40000 > 198.51.100.1.22: Flags [S], seq 1000, win 64240, options [mss 1460], length 0}
 * or {@code IP6 fe80::1 > ff02::1: ICMP6, echo request, id 7, seq 1, length 12}. It follows
 * tcpdump's shape (addresses, ports after a dot, flags in brackets) without claiming to be
 * byte-identical to it. Control-plane/output code: allocates.
 */
public final class PacketPrinter {
    private PacketPrinter() {
    }

    /** The summary, or {@code "[dropped: REASON]"} when the parse failed. */
    public static String format(PacketDescriptor pd) {
        return format(pd, false);
    }

    /** The summary; {@code verbose} adds TTL/hop limit, TOS/class and the IP id (as tcpdump -v). */
    public static String format(PacketDescriptor pd, boolean verbose) {
        StringBuilder sb = new StringBuilder(96);
        append(sb, pd, verbose);
        return sb.toString();
    }

    public static void append(StringBuilder sb, PacketDescriptor pd, boolean verbose) {
        if (pd.dropReason != DropReason.NONE || pd.ipVersion == 0) {
            sb.append("[dropped: ").append(pd.dropReason.label).append(']');
            return;
        }
        boolean v6 = pd.ipVersion == 6;
        sb.append(v6 ? "IP6 " : "IP ");
        boolean ports = pd.hasL4() && (pd.protocol == PacketParser.PROTO_TCP || pd.protocol == PacketParser.PROTO_UDP
                || pd.protocol == PacketParser.PROTO_UDPLITE || pd.protocol == PacketParser.PROTO_SCTP
                || pd.protocol == PacketParser.PROTO_DCCP);
        sb.append(IpText.src(pd));
        if (ports) {
            sb.append('.').append(pd.srcPort);
        }
        sb.append(" > ").append(IpText.dst(pd));
        if (ports) {
            sb.append('.').append(pd.dstPort);
        }
        sb.append(": ");
        if (pd.isFragment && pd.fragOffset != 0) {
            sb.append(protoName(pd.protocol)).append(" fragment");
        } else if (pd.l4Problem == DropReason.SHORT_L4 || pd.l4Offset < 0) {
            sb.append(protoName(pd.protocol));
            if (pd.l4Problem != DropReason.NONE) {
                sb.append(" [").append(pd.l4Problem.label).append(']');
            }
        } else {
            switch (pd.protocol) {
                case PacketParser.PROTO_TCP -> tcp(sb, pd);
                case PacketParser.PROTO_UDP -> sb.append("UDP");
                case PacketParser.PROTO_UDPLITE -> sb.append("UDP-Lite");
                case PacketParser.PROTO_SCTP -> sb.append("sctp");
                case PacketParser.PROTO_DCCP -> sb.append("DCCP");
                case PacketParser.PROTO_ICMP, PacketParser.PROTO_ICMPV6 -> icmp(sb, pd, v6);
                default -> sb.append(protoName(pd.protocol));
            }
            if (pd.l4Problem != DropReason.NONE) {
                sb.append(" [").append(pd.l4Problem.label).append(']');
            }
        }
        sb.append(", length ").append(Math.max(pd.payloadLength, 0));
        ipExtras(sb, pd, verbose);
    }

    private static void tcp(StringBuilder sb, PacketDescriptor pd) {
        sb.append("Flags [");
        int f = pd.tcpFlags;
        if ((f & Tcp.SYN) != 0) {
            sb.append('S');
        }
        if ((f & Tcp.FIN) != 0) {
            sb.append('F');
        }
        if ((f & Tcp.PSH) != 0) {
            sb.append('P');
        }
        if ((f & Tcp.RST) != 0) {
            sb.append('R');
        }
        if ((f & Tcp.URG) != 0) {
            sb.append('U');
        }
        if ((f & Tcp.ECE) != 0) {
            sb.append('E');
        }
        if ((f & Tcp.CWR) != 0) {
            sb.append('W');
        }
        if ((f & Tcp.ACK) != 0) {
            sb.append('.');
        }
        sb.append("], seq ").append(Integer.toUnsignedString(pd.tcpSeq));
        if ((f & Tcp.ACK) != 0) {
            sb.append(", ack ").append(Integer.toUnsignedString(pd.tcpAck));
        }
        sb.append(", win ").append(pd.tcpWindow);
        if (pd.tcpMss >= 0 || pd.tcpWindowScale >= 0 || pd.tcpSackPermitted || pd.tcpTimestampOffset >= 0) {
            sb.append(", options [");
            int n = 0;
            if (pd.tcpMss >= 0) {
                sb.append("mss ").append(pd.tcpMss);
                n++;
            }
            if (pd.tcpSackPermitted) {
                sb.append(n++ > 0 ? "," : "").append("sackOK");
            }
            if (pd.tcpTimestampOffset >= 0) {
                sb.append(n++ > 0 ? "," : "").append("TS val ")
                        .append(Integer.toUnsignedString(Wire.i32(pd.data, pd.tcpTimestampOffset + 2)))
                        .append(" ecr ").append(Integer.toUnsignedString(Wire.i32(pd.data, pd.tcpTimestampOffset + 6)));
            }
            if (pd.tcpWindowScale >= 0) {
                sb.append(n > 0 ? "," : "").append("wscale ").append(pd.tcpWindowScale);
            }
            sb.append(']');
        }
    }

    private static void icmp(StringBuilder sb, PacketDescriptor pd, boolean v6) {
        sb.append(v6 ? "ICMP6, " : "ICMP ");
        String name = IcmpNames.name(pd.icmpType, pd.icmpCode, v6);
        if (name == null) {
            sb.append("type ").append(pd.icmpType).append(" code ").append(pd.icmpCode);
        } else {
            sb.append(name.replace('-', ' '));
            if (IcmpNames.lookup(name, v6)[1] < 0 && pd.icmpCode != 0) {
                sb.append(" code ").append(pd.icmpCode);
            }
        }
        if (v6 ? Icmpv6.hasId(pd.icmpType) : Icmp.hasId(pd.icmpType)) {
            sb.append(", id ").append(pd.icmpId).append(", seq ").append(pd.icmpSeq);
        }
    }

    private static void ipExtras(StringBuilder sb, PacketDescriptor pd, boolean verbose) {
        if (pd.isFragment) {
            sb.append(" (frag ").append(Integer.toUnsignedString(pd.ipId)).append(':').append(pd.fragOffset)
                    .append(pd.moreFragments ? "+" : "").append(')');
        }
        if (verbose) {
            sb.append(pd.ipVersion == 6 ? " (hlim " : " (ttl ").append(pd.ttl);
            sb.append(pd.ipVersion == 6 ? ", class 0x" : ", tos 0x").append(Integer.toHexString(pd.tos));
            if (pd.ipVersion == 4) {
                sb.append(", id ").append(pd.ipId);
            }
            sb.append(')');
        }
        if (pd.truncated) {
            sb.append(" [truncated]");
        }
    }

    /** Name of a protocol without a dissector here: tcpdump's "ip-proto-N" style. */
    public static String protoName(int p) {
        return switch (p) {
            case PacketParser.PROTO_TCP -> "tcp";
            case PacketParser.PROTO_UDP -> "udp";
            case PacketParser.PROTO_ICMP -> "ICMP";
            case PacketParser.PROTO_ICMPV6 -> "ICMP6";
            case PacketParser.PROTO_ESP -> "ESP";
            case PacketParser.PROTO_AH -> "AH";
            default -> "ip-proto-" + p;
        };
    }
}
