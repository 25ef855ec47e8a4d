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
        int shown = pd.payloadLength;
        if ((pd.protocol == PacketParser.PROTO_ICMP || pd.protocol == PacketParser.PROTO_ICMPV6) && pd.icmpType >= 0) {
            shown += Icmp.HEADER_LENGTH; // tcpdump counts the ICMP header in an ICMP length
        }
        sb.append(", length ").append(Math.max(shown, 0));
        ipExtras(sb, pd, verbose);
    }

    /** tcpdump's flag letters in its order: FIN SYN RST PSH ACK URG ECE CWR. */
    private static final int[] FLAG_BITS = {Tcp.FIN, Tcp.SYN, Tcp.RST, Tcp.PSH, Tcp.ACK, Tcp.URG, Tcp.ECE, Tcp.CWR};
    private static final char[] FLAG_CHARS = {'F', 'S', 'R', 'P', '.', 'U', 'E', 'W'};

    private static void tcp(StringBuilder sb, PacketDescriptor pd) {
        sb.append("Flags [");
        int f = pd.tcpFlags;
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((f & FLAG_BITS[i]) != 0) {
                sb.append(FLAG_CHARS[i]);
            }
        }
        sb.append(']');
        int len = Math.max(pd.payloadLength, 0);
        // As tcpdump: the sequence number only with data, SYN, FIN or RST; a range with data.
        if (len > 0 || (f & (Tcp.SYN | Tcp.FIN | Tcp.RST)) != 0) {
            sb.append(", seq ").append(Integer.toUnsignedString(pd.tcpSeq));
            if (len > 0) {
                sb.append(':').append(Integer.toUnsignedString(pd.tcpSeq + len));
            }
        }
        if ((f & Tcp.ACK) != 0) {
            sb.append(", ack ").append(Integer.toUnsignedString(pd.tcpAck));
        }
        sb.append(", win ").append(pd.tcpWindow);
        if ((f & Tcp.URG) != 0) {
            sb.append(", urg ").append(pd.tcpUrgent);
        }
        if (pd.tcpOptionsLength > 0) {
            sb.append(", options [");
            tcpOptions(sb, pd);
            sb.append(']');
        }
    }

    /** The options in wire order, tcpdump's spelling; stops at EOL or a malformed length. */
    private static void tcpOptions(StringBuilder sb, PacketDescriptor pd) {
        long i = pd.tcpOptionsOffset;
        long end = i + pd.tcpOptionsLength;
        boolean first = true;
        for (int guard = 0; i < end && guard < Tcp.MAX_HEADER_LENGTH; guard++) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            int k = Wire.u8(pd.data, i);
            if (k == Tcp.OPT_EOL) {
                sb.append("eol");
                return;
            }
            if (k == Tcp.OPT_NOP) {
                sb.append("nop");
                i++;
                continue;
            }
            int l = i + 1 < end ? Wire.u8(pd.data, i + 1) : 0;
            if (l < 2 || i + l > end) {
                sb.append("bad opt");
                return;
            }
            switch (k) {
                case Tcp.OPT_MSS -> sb.append("mss ").append(l == 4 ? Wire.u16(pd.data, i + 2) : -1);
                case Tcp.OPT_WSCALE -> sb.append("wscale ").append(l == 3 ? Wire.u8(pd.data, i + 2) : -1);
                case Tcp.OPT_SACK_PERMITTED -> sb.append("sackOK");
                case Tcp.OPT_SACK -> {
                    int blocks = (l - 2) / 8;
                    sb.append("sack ").append(blocks).append(' ');
                    for (int b = 0; b < blocks; b++) {
                        long at = i + 2 + 8L * b;
                        sb.append('{').append(Integer.toUnsignedString(Wire.i32(pd.data, at))).append(':')
                                .append(Integer.toUnsignedString(Wire.i32(pd.data, at + 4))).append('}');
                    }
                }
                case Tcp.OPT_TIMESTAMP -> sb.append("TS val ")
                        .append(l == 10 ? Integer.toUnsignedString(Wire.i32(pd.data, i + 2)) : "?")
                        .append(" ecr ").append(l == 10 ? Integer.toUnsignedString(Wire.i32(pd.data, i + 6)) : "?");
                default -> sb.append("opt-").append(k).append(':').append(l);
            }
            i += l;
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
