package io.stockade.cli;

import io.stockade.engine.CompiledTable;
import io.stockade.engine.NftTrace;
import io.stockade.engine.Skb;
import io.stockade.engine.Verdict;
import io.stockade.packet.IpText;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.syntax.RuleFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes traced packets as iptables-nft's {@code xtables-monitor --trace} (1.8.9) prints the
 * kernel's nftrace events ({@code replay/trace --trace-format nft}): per table traversal a
 * {@code PACKET: FAMILY ID IN=… OUT=… MACSRC=… SRC=… …} line, then one
 * {@code  TRACE: FAMILY ID table:chain:rule:0xHANDLE:VERDICT  -4 -t table -A chain …} line per
 * rule the packet matched (verdicts CONTINUE, ACCEPT, DROP, JUMP:chain, GOTO:chain, 0xfffffffb
 * for RETURN) and {@code  TRACE: … table:chain:policy:VERDICT } for a policy. A REJECT rule's
 * line follows the trace of the reply it sent, as in Linux, where the reply traverses the tables
 * from inside the target.
 *
 * <p>LINUX-DIFF: the trace id is a hash of the packet's time (Linux: of the skb's address), and
 * the rule handles are those a fresh {@code iptables-nft-restore} of the ruleset gives (chains,
 * then rules, counted per table); tables run in ip_tables' priority order, so the security
 * table's lines come before nat INPUT/POSTROUTING's (iptables-nft registers security at 150).
 */
final class NftTraceWriter implements NftTrace {
    private final List<String> out;
    private final Map<CompiledTable, String[]> ruleText = new IdentityHashMap<>();
    private final StringBuilder b = new StringBuilder(512);
    /** The line of a REJECT rule, written after the reply's own trace (see {@link #packetDone}). */
    private final List<String> held = new java.util.ArrayList<>();
    /** The packet buffers seen, numbered in order (the engine reuses a few). */
    private final Map<Skb, Integer> skbs = new IdentityHashMap<>();

    NftTraceWriter(List<String> out) {
        this.out = out;
    }

    @Override
    public void rule(CompiledTable t, int entry, int code, String target, boolean first, Skb skb) {
        if (first) {
            packet(t, skb);
        }
        head(t, skb).append(':').append(t.chainName(entry)).append(":rule:0x").append(Long.toHexString(t.nftHandle(entry)))
                .append(':');
        verdict(code, target);
        b.append(' ').append(t.family.version == 6 ? "-6" : "-4").append(" -t ").append(t.kind.tableName).append(' ')
                .append(text(t, entry));
        if (t.rule(entry).target() instanceof RuleTarget.Extension x && x.spec().name().equals("REJECT")) {
            held.add(b.toString());
        } else {
            out.add(b.toString());
        }
    }

    @Override
    public void packetDone() {
        out.addAll(held);
        held.clear();
    }

    @Override
    public void policy(CompiledTable t, int entry, int verdict, boolean first, Skb skb) {
        if (first) {
            packet(t, skb);
        }
        head(t, skb).append(':').append(t.chainName(entry)).append(":policy:");
        verdict(verdict, null);
        out.add(b.toString());
    }

    private StringBuilder head(CompiledTable t, Skb skb) {
        b.setLength(0);
        return b.append(" TRACE: ").append(family(t)).append(' ').append(id(skb)).append(' ').append(t.kind.tableName);
    }

    private static int family(CompiledTable t) {
        return t.family.version == 6 ? 10 : 2;
    }

    /**
     * The trace id: the packet's time and which packet buffer carries it (the received or sent
     * packet, or one a target emitted) mixed (murmur3 finalizer), as 8 hex digits; so a REJECT
     * reply has an id of its own, as in Linux.
     */
    private String id(Skb skb) {
        long h = skb.timeNanos + skbs.computeIfAbsent(skb, k -> skbs.size()) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        String s = Integer.toHexString((int) h);
        return "0".repeat(8 - s.length()) + s;
    }

    private void verdict(int code, String target) {
        switch (code) {
            case NFT_CONTINUE -> b.append("CONTINUE");
            case NFT_JUMP -> b.append("JUMP:").append(target);
            case NFT_GOTO -> b.append("GOTO:").append(target);
            case Verdict.ACCEPT -> b.append("ACCEPT");
            case Verdict.DROP -> b.append("DROP");
            case Verdict.QUEUE -> b.append("QUEUE");
            case Verdict.STOLEN -> b.append("STOLEN");
            default -> b.append("0x").append(Integer.toHexString(code));
        }
        b.append(' ');
    }

    /** The rule in iptables-save form ({@code -A chain …}), computed once per compiled table. */
    private String text(CompiledTable t, int entry) {
        String[] texts = ruleText.computeIfAbsent(t, k -> new String[k.size]);
        if (texts[entry] == null) {
            Rule r = t.rule(entry);
            StringBuilder s = new StringBuilder();
            RuleFormat.appendRule(s, t.chainName(entry), r, false);
            int end = s.length();
            while (end > 0 && s.charAt(end - 1) == '\n') {
                end--;
            }
            texts[entry] = s.substring(0, end);
        }
        return texts[entry];
    }

    private void packet(CompiledTable t, Skb skb) {
        b.setLength(0);
        b.append("PACKET: ").append(family(t)).append(' ').append(id(skb)).append(' ');
        if (!skb.inIface.isEmpty()) {
            b.append("IN=").append(skb.inIface).append(' ');
        }
        if (!skb.outIface.isEmpty()) {
            b.append("OUT=").append(skb.outIface).append(' ');
        }
        if (skb.inIface.equals("lo")) {
            b.append("LOOPBACK ");
        } else if (!skb.inIface.isEmpty() && skb.macHeaderLength == 14) {
            byte[] h = skb.macHeader;
            b.append("MACSRC=");
            etherNtoa(h, 6);
            b.append(" MACDST=");
            etherNtoa(h, 0);
            b.append(" MACPROTO=");
            String p = Integer.toHexString(((h[12] & 0xff) << 8) | (h[13] & 0xff));
            b.append("0".repeat(4 - p.length())).append(p).append(' ');
        }
        PacketDescriptor pd = skb.pd;
        MemorySegment s = pd.data;
        int base = (int) pd.base;
        int l4proto = -1;
        int l4off = -1;
        if (s != null && pd.length - base >= 20 && (u8(s, base) >>> 4) == 4) {
            int ihl = (u8(s, base) & 0x0f) * 4;
            int frag = u16(s, base + 6);
            b.append("SRC=").append(addr(s, base + 12, 4)).append(" DST=").append(addr(s, base + 16, 4))
                    .append(" LEN=").append(u16(s, base + 2)).append(" TOS=0x").append(Integer.toHexString(u8(s, base + 1)))
                    .append(" TTL=").append(u8(s, base + 8)).append(" ID=").append(u16(s, base + 4)).append(' ');
            if ((frag & 0x8000) != 0) {
                b.append("CE ");
            }
            if ((frag & 0x4000) != 0) {
                b.append("DF ");
            }
            if ((frag & 0x2000) != 0) {
                b.append("MF ");
            }
            if ((frag & 0x1fff) != 0) {
                b.append("FRAG:").append(frag & 0x1fff).append(' ');
            }
            l4proto = u8(s, base + 9);
            if (ihl > 20 && base + ihl <= pd.length) {
                b.append("OPT (");
                for (int i = base + 20; i < base + ihl; i++) {
                    // printf("%02X") of a signed char: bytes >= 0x80 show sign-extended
                    byte v = s.get(ValueLayout.JAVA_BYTE, i);
                    String x = Integer.toHexString(v).toUpperCase();
                    b.append(x.length() < 2 ? "0" + x : x);
                }
                b.append(") ");
            }
            l4off = (frag & 0x1fff) == 0 ? base + ihl : -1;
        } else if (s != null && pd.length - base >= 40 && (u8(s, base) >>> 4) == 6) {
            int first = (u8(s, base) << 24) | (u8(s, base + 1) << 16) | u16(s, base + 2);
            // xtables-monitor adds sizeof(struct iphdr), 20, to the payload length
            b.append("SRC=").append(addr(s, base + 8, 16)).append(" DST=").append(addr(s, base + 24, 16))
                    .append(" LEN=").append(u16(s, base + 4) + 20).append(" TC=").append((first & 0x0ff00000) >>> 20)
                    .append(" HOPLIMIT=").append(u8(s, base + 7)).append(" FLOWLBL=").append(first & 0x000fffff).append(' ');
            l4proto = u8(s, base + 6);
            l4off = pd.fragOffset == 0 && pd.l4Offset > 0 ? (int) pd.l4Offset : -1;
        }
        if (l4off >= 0 && l4off + 4 <= pd.length) {
            switch (l4proto) {
                case 33, 132, 136, 17 -> b.append("SPORT=").append(u16(s, l4off)).append(" DPORT=").append(u16(s, l4off + 2)).append(' ');
                case 6 -> {
                    if (l4off + 20 <= pd.length) {
                        int f = u8(s, l4off + 13);
                        b.append("SPORT=").append(u16(s, l4off)).append(" DPORT=").append(u16(s, l4off + 2)).append(' ');
                        if ((f & 0x02) != 0) {
                            b.append("SYN ");
                        }
                        if ((f & 0x10) != 0) {
                            b.append("ACK ");
                        }
                        if ((f & 0x01) != 0) {
                            b.append("FIN ");
                        }
                        if ((f & 0x04) != 0) {
                            b.append("RST ");
                        }
                        if ((f & 0x08) != 0) {
                            b.append("PSH ");
                        }
                        if ((f & 0x20) != 0) {
                            b.append("URG ");
                        }
                    }
                }
                default -> {
                }
            }
        }
        if (skb.mark != 0) {
            b.append("MARK=0x").append(Integer.toHexString(skb.mark)).append(' ');
        }
        out.add(b.toString());
    }

    /** ether_ntoa: lower-case hex without leading zeros, colon-separated. */
    private void etherNtoa(byte[] h, int off) {
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                b.append(':');
            }
            b.append(Integer.toHexString(h[off + i] & 0xff));
        }
    }

    private static String addr(MemorySegment s, int off, int len) {
        if (len == 4) {
            return u8(s, off) + "." + u8(s, off + 1) + "." + u8(s, off + 2) + "." + u8(s, off + 3);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | u8(s, off + i);
            lo = (lo << 8) | u8(s, off + 8 + i);
        }
        return IpText.v6(hi, lo);
    }

    private static int u8(MemorySegment s, int off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    private static int u16(MemorySegment s, int off) {
        return (u8(s, off) << 8) | u8(s, off + 1);
    }
}
