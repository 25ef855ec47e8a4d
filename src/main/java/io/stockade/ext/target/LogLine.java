package io.stockade.ext.target;

import io.stockade.engine.PacketLogFormat;
import io.stockade.engine.Skb;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The text of a LOG line, field for field as net/netfilter/nf_log_syslog.c writes it
 * ({@code nf_log_dump_packet_common}, {@code dump_mac_header}, {@code dump_ipv4_packet},
 * {@code dump_ipv6_packet}, and the TCP/UDP helpers): {@code PREFIX IN=… OUT=… MAC=… SRC=…} and
 * so on, every field followed by one space, so the line ends in a space as the kernel's does.
 * ICMP errors show the quoted packet in brackets (one level deep). Reads the bytes of
 * {@code skb.pd.data} (from {@code pd.base} to the end {@code pd.length}) only; appends to a
 * caller-supplied builder and does not allocate.
 */
final class LogLine {
    private static final int NF_LOG_TCPSEQ = LogTarget.TCPSEQ;
    private static final int NF_LOG_TCPOPT = LogTarget.TCPOPT;
    private static final int NF_LOG_IPOPT = LogTarget.IPOPT;
    private static final int NF_LOG_UID = LogTarget.UID;
    private static final int NF_LOG_MACDECODE = LogTarget.MACDECODE;
    private static final char[] HEX_UP = "0123456789ABCDEF".toCharArray();
    private static final char[] HEX_LO = "0123456789abcdef".toCharArray();

    /** The fields without a prefix, for the engine's trace lines (TRACE target). */
    static final PacketLogFormat FORMAT = (out, skb, flags) -> format(out, skb, "", flags);

    private LogLine() {
    }

    static void format(StringBuilder m, Skb skb, String prefix, int flags) {
        boolean in = !skb.inIface.isEmpty();
        m.append(prefix).append("IN=").append(skb.inIface).append(" OUT=").append(skb.outIface).append(' ');
        if (in) {
            macHeader(m, skb, flags);
        }
        MemorySegment s = skb.pd.data;
        int base = (int) skb.pd.base;
        int end = skb.pd.length;
        if (s == null || end <= base) {
            m.append("TRUNCATED");
            return;
        }
        int version = u8(s, base) >>> 4;
        if (version == 6) {
            dumpIpv6(m, skb, s, end, base, flags, true);
        } else {
            dumpIpv4(m, skb, s, end, base, flags, true);
        }
    }

    private static void macHeader(StringBuilder m, Skb skb, int flags) {
        int n = skb.macHeaderLength;
        byte[] h = skb.macHeader;
        if ((flags & NF_LOG_MACDECODE) != 0 && n == 14) {
            m.append("MACSRC=");
            mac(m, h, 6);
            m.append(" MACDST=");
            mac(m, h, 0);
            m.append(" MACPROTO=");
            hex(m, ((h[12] & 0xff) << 8) | (h[13] & 0xff), 4, HEX_LO);
            m.append(' ');
            return;
        }
        m.append("MAC=");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                m.append(':');
            }
            hex(m, h[i] & 0xff, 2, HEX_LO);
        }
        m.append(' ');
    }

    private static void mac(StringBuilder m, byte[] h, int off) {
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                m.append(':');
            }
            hex(m, h[off + i] & 0xff, 2, HEX_LO);
        }
    }

    private static void dumpIpv4(StringBuilder m, Skb skb, MemorySegment s, int skbLen, int iphoff, int flags,
                                 boolean top) {
        if (iphoff + 20 > skbLen) {
            m.append("TRUNCATED");
            return;
        }
        int ihl = (u8(s, iphoff) & 0x0f) * 4;
        int tos = u8(s, iphoff + 1);
        int fragOff = u16(s, iphoff + 6);
        int proto = u8(s, iphoff + 9);
        m.append("SRC=");
        ipv4(m, s, iphoff + 12);
        m.append(" DST=");
        ipv4(m, s, iphoff + 16);
        m.append(" LEN=").append(u16(s, iphoff + 2)).append(" TOS=0x");
        hex(m, tos & 0x1e, 2, HEX_UP);
        m.append(" PREC=0x");
        hex(m, tos & 0xe0, 2, HEX_UP);
        m.append(" TTL=").append(u8(s, iphoff + 8)).append(" ID=").append(u16(s, iphoff + 4)).append(' ');
        if ((fragOff & 0x8000) != 0) {
            m.append("CE ");
        }
        if ((fragOff & 0x4000) != 0) {
            m.append("DF ");
        }
        if ((fragOff & 0x2000) != 0) {
            m.append("MF ");
        }
        int offset = fragOff & 0x1fff;
        if (offset != 0) {
            m.append("FRAG:").append(offset).append(' ');
        }
        if ((flags & NF_LOG_IPOPT) != 0 && ihl > 20) {
            if (iphoff + ihl > skbLen) {
                m.append("TRUNCATED");
                return;
            }
            m.append("OPT (");
            for (int i = iphoff + 20; i < iphoff + ihl; i++) {
                hex(m, u8(s, i), 2, HEX_UP);
            }
            m.append(") ");
        }
        int l4 = iphoff + ihl;
        switch (proto) {
            case 6 -> {
                if (tcpHeader(m, s, skbLen, offset != 0, l4, flags)) {
                    return;
                }
            }
            case 17, 136 -> {
                if (udpHeader(m, s, skbLen, proto, offset != 0, l4)) {
                    return;
                }
            }
            case 1 -> icmp(m, skb, s, skbLen, top, l4, offset != 0, flags);
            case 51 -> {
                if (offset == 0) {
                    m.append("PROTO=AH ");
                    if (l4 + 12 > skbLen) {
                        m.append("INCOMPLETE [").append(skbLen - l4).append(" bytes] ");
                    } else {
                        m.append("SPI=0x");
                        hexTrim(m, u32(s, l4 + 4));
                        m.append(' ');
                    }
                }
            }
            case 50 -> {
                m.append("PROTO=ESP ");
                if (offset == 0) {
                    if (l4 + 8 > skbLen) {
                        m.append("INCOMPLETE [").append(skbLen - l4).append(" bytes] ");
                    } else {
                        m.append("SPI=0x");
                        hexTrim(m, u32(s, l4));
                        m.append(' ');
                    }
                }
            }
            default -> m.append("PROTO=").append(proto).append(' ');
        }
        if (top) {
            trailer(m, skb, flags);
        }
    }

    /** Minimum ICMP length per type for the kernel's "INCOMPLETE" check (required_len[]). */
    private static int icmpRequired(int type) {
        return switch (type) {
            case 0, 8 -> 4;
            case 3, 4, 5, 11, 12 -> 28;
            case 13, 14 -> 20;
            case 17, 18 -> 12;
            default -> 0;
        };
    }

    private static void icmp(StringBuilder m, Skb skb, MemorySegment s, int skbLen, boolean top, int l4,
                             boolean fragment, int flags) {
        m.append("PROTO=ICMP ");
        if (fragment) {
            return;
        }
        if (l4 + 8 > skbLen) {
            m.append("INCOMPLETE [").append(skbLen - l4).append(" bytes] ");
            return;
        }
        int type = u8(s, l4);
        int code = u8(s, l4 + 1);
        m.append("TYPE=").append(type).append(" CODE=").append(code).append(' ');
        int need = type <= 18 ? icmpRequired(type) : 0;
        if (need != 0 && skbLen - l4 < need) {
            m.append("INCOMPLETE [").append(skbLen - l4).append(" bytes] ");
            return;
        }
        switch (type) {
            case 0, 8 -> m.append("ID=").append(u16(s, l4 + 4)).append(" SEQ=").append(u16(s, l4 + 6)).append(' ');
            case 12 -> m.append("PARAMETER=").append(u8(s, l4 + 4)).append(' ');
            case 5, 3, 4, 11 -> {
                if (type == 5) {
                    m.append("GATEWAY=");
                    ipv4(m, s, l4 + 4);
                    m.append(' ');
                }
                if (top) {
                    m.append('[');
                    dumpIpv4(m, skb, s, skbLen, l4 + 8, flags, false);
                    m.append("] ");
                }
                if (type == 3 && code == 4) {
                    m.append("MTU=").append(u16(s, l4 + 6)).append(' ');
                }
            }
            default -> {
            }
        }
    }

    /** @return true when the kernel stops the line here (truncated header) */
    private static boolean tcpHeader(StringBuilder m, MemorySegment s, int skbLen, boolean fragment, int off, int flags) {
        m.append("PROTO=TCP ");
        if (fragment) {
            return false;
        }
        if (off + 20 > skbLen) {
            m.append("INCOMPLETE [").append(skbLen - off).append(" bytes] ");
            return true;
        }
        m.append("SPT=").append(u16(s, off)).append(" DPT=").append(u16(s, off + 2)).append(' ');
        if ((flags & NF_LOG_TCPSEQ) != 0) {
            m.append("SEQ=").append(u32(s, off + 4)).append(" ACK=").append(u32(s, off + 8)).append(' ');
        }
        m.append("WINDOW=").append(u16(s, off + 14)).append(" RES=0x");
        int b12 = u8(s, off + 12);
        hex(m, (b12 & 0x0f) << 2, 2, HEX_LO);
        m.append(' ');
        int f = u8(s, off + 13);
        if ((f & 0x80) != 0) {
            m.append("CWR ");
        }
        if ((f & 0x40) != 0) {
            m.append("ECE ");
        }
        if ((f & 0x20) != 0) {
            m.append("URG ");
        }
        if ((f & 0x10) != 0) {
            m.append("ACK ");
        }
        if ((f & 0x08) != 0) {
            m.append("PSH ");
        }
        if ((f & 0x04) != 0) {
            m.append("RST ");
        }
        if ((f & 0x02) != 0) {
            m.append("SYN ");
        }
        if ((f & 0x01) != 0) {
            m.append("FIN ");
        }
        m.append("URGP=").append(u16(s, off + 18)).append(' ');
        int doff = (b12 >>> 4) * 4;
        if ((flags & NF_LOG_TCPOPT) != 0 && doff > 20) {
            if (off + doff > skbLen) {
                m.append("OPT (TRUNCATED)");
                return true;
            }
            m.append("OPT (");
            for (int i = off + 20; i < off + doff; i++) {
                hex(m, u8(s, i), 2, HEX_UP);
            }
            m.append(") ");
        }
        return false;
    }

    private static boolean udpHeader(StringBuilder m, MemorySegment s, int skbLen, int proto, boolean fragment, int off) {
        m.append(proto == 17 ? "PROTO=UDP " : "PROTO=UDPLITE ");
        if (fragment) {
            return false;
        }
        if (off + 8 > skbLen) {
            m.append("INCOMPLETE [").append(skbLen - off).append(" bytes] ");
            return true;
        }
        m.append("SPT=").append(u16(s, off)).append(" DPT=").append(u16(s, off + 2))
                .append(" LEN=").append(u16(s, off + 4)).append(' ');
        return false;
    }

    private static void trailer(StringBuilder m, Skb skb, int flags) {
        // LINUX-DIFF: Linux prints UID/GID only for packets of full sockets; Stockade for any
        // packet that carries an owner (Skb.uid >= 0). VLAN (VPROTO/VID) and bridge (PHYSIN/
        // PHYSOUT) fields are not printed: the Skb has no VLAN tag or bridge ports.
        if ((flags & NF_LOG_UID) != 0 && skb.uid >= 0) {
            m.append("UID=").append(skb.uid & 0xffffffffL).append(" GID=").append(skb.gid & 0xffffffffL).append(' ');
        }
        if (skb.mark != 0) {
            m.append("MARK=0x");
            hexTrim(m, skb.mark & 0xffffffffL);
            m.append(' ');
        }
    }

    private static boolean ipv6ExtHeader(int h) {
        return h == 0 || h == 43 || h == 44 || h == 50 || h == 51 || h == 60;
    }

    private static void dumpIpv6(StringBuilder m, Skb skb, MemorySegment s, int skbLen, int ip6hoff, int flags,
                                 boolean recurse) {
        if (ip6hoff + 40 > skbLen) {
            m.append("TRUNCATED");
            return;
        }
        m.append("SRC=");
        ipv6(m, s, ip6hoff + 8);
        m.append(" DST=");
        ipv6(m, s, ip6hoff + 24);
        long first = u32(s, ip6hoff);
        m.append(" LEN=").append(u16(s, ip6hoff + 4) + 40)
                .append(" TC=").append((first & 0x0ff00000L) >>> 20)
                .append(" HOPLIMIT=").append(u8(s, ip6hoff + 7))
                .append(" FLOWLBL=").append(first & 0xfffff).append(' ');
        boolean fragment = false;
        int ptr = ip6hoff + 40;
        int current = u8(s, ip6hoff + 6);
        boolean opts = (flags & NF_LOG_IPOPT) != 0;
        while (current != 59 && ipv6ExtHeader(current)) {
            if (ptr + 2 > skbLen) {
                m.append("TRUNCATED");
                return;
            }
            if (opts) {
                m.append("OPT ( ");
            }
            int hdrlen;
            switch (current) {
                case 44 -> {
                    m.append("FRAG:");
                    if (ptr + 8 > skbLen) {
                        m.append("TRUNCATED ");
                        return;
                    }
                    int fo = u16(s, ptr + 2);
                    m.append(fo & 0xfff8).append(' ');
                    if ((fo & 1) != 0) {
                        m.append("INCOMPLETE ");
                    }
                    m.append("ID:");
                    hex(m, (int) u32(s, ptr + 4), 8, HEX_LO);
                    m.append(' ');
                    if ((fo & 0xfff8) != 0) {
                        fragment = true;
                    }
                    hdrlen = 8;
                }
                case 0, 43, 60 -> {
                    if (fragment) {
                        if (opts) {
                            m.append(')');
                        }
                        return;
                    }
                    hdrlen = (u8(s, ptr + 1) + 1) << 3;
                }
                case 51 -> {
                    if (opts) {
                        m.append("AH ");
                        if (fragment) {
                            m.append(')');
                            return;
                        }
                        if (ptr + 12 > skbLen) {
                            m.append("INCOMPLETE [").append(skbLen - ptr).append(" bytes] )");
                            return;
                        }
                        m.append("SPI=0x");
                        hexTrim(m, u32(s, ptr + 4));
                        m.append(' ');
                    }
                    hdrlen = (u8(s, ptr + 1) + 2) << 2;
                }
                default -> {
                    if (opts) {
                        m.append("ESP ");
                        if (fragment) {
                            m.append(')');
                            return;
                        }
                        if (ptr + 8 > skbLen) {
                            m.append("INCOMPLETE [").append(skbLen - ptr).append(" bytes] )");
                            return;
                        }
                        m.append("SPI=0x");
                        hexTrim(m, u32(s, ptr));
                        m.append(" )");
                    }
                    return;
                }
            }
            if (opts) {
                m.append(") ");
            }
            current = u8(s, ptr);
            ptr += hdrlen;
        }
        switch (current) {
            case 6 -> {
                if (tcpHeader(m, s, skbLen, fragment, ptr, flags)) {
                    return;
                }
            }
            case 17, 136 -> {
                if (udpHeader(m, s, skbLen, current, fragment, ptr)) {
                    return;
                }
            }
            case 58 -> {
                m.append("PROTO=ICMPv6 ");
                if (!fragment) {
                    if (ptr + 8 > skbLen) {
                        m.append("INCOMPLETE [").append(skbLen - ptr).append(" bytes] ");
                        return;
                    }
                    int type = u8(s, ptr);
                    m.append("TYPE=").append(type).append(" CODE=").append(u8(s, ptr + 1)).append(' ');
                    switch (type) {
                        case 128, 129 -> m.append("ID=").append(u16(s, ptr + 4)).append(" SEQ=")
                                .append(u16(s, ptr + 6)).append(' ');
                        case 4, 1, 2, 3 -> {
                            if (type == 4) {
                                m.append("POINTER=");
                                hex(m, (int) u32(s, ptr + 4), 8, HEX_LO);
                                m.append(' ');
                            }
                            if (recurse) {
                                m.append('[');
                                dumpIpv6(m, skb, s, skbLen, ptr + 8, flags, false);
                                m.append("] ");
                            }
                            if (type == 2) {
                                m.append("MTU=").append(u32(s, ptr + 4)).append(' ');
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
            default -> m.append("PROTO=").append(current).append(' ');
        }
        if (recurse) {
            trailer(m, skb, flags);
        }
    }

    private static void ipv4(StringBuilder m, MemorySegment s, int off) {
        m.append(u8(s, off)).append('.').append(u8(s, off + 1)).append('.').append(u8(s, off + 2)).append('.')
                .append(u8(s, off + 3));
    }

    /** %pI6: eight groups of four lowercase hex digits, uncompressed. */
    private static void ipv6(StringBuilder m, MemorySegment s, int off) {
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                m.append(':');
            }
            hex(m, u16(s, off + 2 * i), 4, HEX_LO);
        }
    }

    private static void hex(StringBuilder m, int v, int digits, char[] alphabet) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            m.append(alphabet[(v >>> shift) & 0xf]);
        }
    }

    /** %x: lowercase hex without leading zeros. */
    private static void hexTrim(StringBuilder m, long v) {
        int digits = 1;
        while (digits < 16 && (v >>> (digits * 4)) != 0) {
            digits++;
        }
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            m.append(HEX_LO[(int) ((v >>> shift) & 0xf)]);
        }
    }

    private static int u8(MemorySegment s, int off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    private static int u16(MemorySegment s, int off) {
        return (u8(s, off) << 8) | u8(s, off + 1);
    }

    private static long u32(MemorySegment s, int off) {
        return ((long) u16(s, off) << 16) | u16(s, off + 2);
    }
}
