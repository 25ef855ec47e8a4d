package io.stockade.conntrack;

/**
 * Text forms of entries exactly as {@code conntrack -L} (conntrack-tools 1.4.7,
 * libnetfilter_conntrack's default output) prints them, e.g.
 * {@code tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=22 src=10.0.0.2
 * dst=10.0.0.1 sport=22 dport=40000 [ASSURED] mark=0 use=1}. Control plane only.
 */
public final class ConntrackFormat {
    /** The version banner conntrack prints in its summary lines. */
    public static final String BANNER = "conntrack v1.4.7 (conntrack-tools): ";

    private ConntrackFormat() {
    }

    /** libnetfilter_conntrack's protocol names ("unknown" for the rest). */
    public static String protoName(int proto) {
        return switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 136 -> "udplite";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            case 132 -> "sctp";
            case 33 -> "dccp";
            case 47 -> "gre";
            default -> "unknown";
        };
    }

    /** One entry with {@code use=1}. */
    public static String line(Conn c, long nowNanos, boolean acct) {
        return line(c, nowNanos, acct, 1);
    }

    /** One entry; {@code nowNanos} gives the remaining timeout, {@code acct} adds packets=/bytes=. */
    public static String line(Conn c, long nowNanos, boolean acct, int use) {
        StringBuilder b = new StringBuilder(200);
        String name = protoName(c.protocol);
        b.append(name);
        for (int i = name.length(); i < 8; i++) {
            b.append(' ');
        }
        b.append(' ').append(c.protocol).append(' ');
        b.append(c.secondsLeft(nowNanos)).append(' ');
        if (c.protocol == 6) {
            b.append(c.l4State < TcpTracker.NAMES.length ? TcpTracker.NAMES[c.l4State] : "NONE").append(' ');
        }
        if (c.protocol == 132) {
            b.append(c.l4State < SctpTracker.NAMES.length ? SctpTracker.NAMES[c.l4State] : "NONE").append(' ');
        }
        tuple(b, c, 0);
        if (acct) {
            b.append("packets=").append(c.packets[0]).append(" bytes=").append(c.bytes[0]).append(' ');
        }
        if ((c.status & Conn.IPS_SEEN_REPLY) == 0) {
            b.append("[UNREPLIED] ");
        }
        tuple(b, c, 1);
        if (acct) {
            b.append("packets=").append(c.packets[1]).append(" bytes=").append(c.bytes[1]).append(' ');
        }
        if ((c.status & Conn.IPS_OFFLOAD) != 0) {
            b.append("[OFFLOAD] ");
        } else if ((c.status & Conn.IPS_ASSURED) != 0) {
            b.append("[ASSURED] ");
        }
        b.append("mark=").append(Integer.toUnsignedString(c.mark)).append(' ');
        if (c.secmark != 0) {
            b.append("secmark=").append(Integer.toUnsignedString(c.secmark)).append(' ');
        }
        if (c.zone != 0) {
            b.append("zone=").append(c.zone).append(' ');
        }
        if (c.helper != null) {
            b.append("helper=").append(c.helper).append(' ');
        }
        b.append("use=").append(use);
        return b.toString();
    }

    private static void tuple(StringBuilder b, Conn c, int dir) {
        b.append("src=");
        address(b, c.ipVersion, c.srcHi(dir), c.srcLo(dir));
        b.append(" dst=");
        address(b, c.ipVersion, c.dstHi(dir), c.dstLo(dir));
        b.append(' ');
        int p = c.protocol;
        if (ConntrackTable.hasPorts(p) || p == 33) {
            b.append("sport=").append(c.srcPort(dir)).append(" dport=").append(c.dstPort(dir)).append(' ');
        } else if (p == 47) {
            b.append("srckey=0x").append(Integer.toHexString(c.srcPort(dir)))
                    .append(" dstkey=0x").append(Integer.toHexString(c.dstPort(dir))).append(' ');
        } else if (p == 1 || p == 58) {
            b.append("type=").append(Conn.icmpType(c.dstPort(dir))).append(" code=")
                    .append(Conn.icmpCode(c.dstPort(dir))).append(" id=").append(c.srcPort(dir)).append(' ');
        }
    }

    /** inet_ntoa / glibc inet_ntop text of an address in the two-long layout. */
    public static void address(StringBuilder b, int ipVersion, long hi, long lo) {
        if (ipVersion == 4) {
            b.append((lo >>> 24) & 0xff).append('.').append((lo >>> 16) & 0xff).append('.')
                    .append((lo >>> 8) & 0xff).append('.').append(lo & 0xff);
            return;
        }
        int[] w = new int[8];
        for (int i = 0; i < 4; i++) {
            w[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            w[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (w[i] == 0) {
                if (curBase < 0) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase >= 0) {
                if (curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase >= 0 && curLen > bestLen) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    b.append(':');
                }
                continue;
            }
            if (i != 0) {
                b.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                b.append((lo >>> 24) & 0xff).append('.').append((lo >>> 16) & 0xff).append('.')
                        .append((lo >>> 8) & 0xff).append('.').append(lo & 0xff);
                return;
            }
            b.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            b.append(':');
        }
    }
}
