package io.stockade.difftest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Source NAT picks a port (or ICMP echo id) at random when it must change it: {@code --random},
 * {@code --random-fully}, a {@code --to-source} port range without the original port, or a clash
 * with an existing mapping ({@code nf_nat_l4proto_unique_tuple} starts at a random offset for
 * source manipulation). No other implementation can reproduce the choice, so both sides' choices
 * are renamed before comparison: each side's forwarded packets are scanned in order, and every
 * TCP/UDP/UDP-Lite/SCTP source port or ICMP echo id that differs from the injected packet's and that no injected packet or rule
 * names (so not a restored DNAT/REDIRECT port) is replaced by a symbol: {@code 61000 + 100 × class
 * + n}, n the order of first appearance, class where the value lies (0: inside a {@code --to-source}
 * port range of the case's rules, 1: 1–511, 2: 512–1023, 3: 1024–65535), the L4 checksum adjusted
 * incrementally (SCTP's CRC32c recomputed when it was right) so it stays comparable; the reply tuple's {@code dport=}/{@code id=} in the
 * conntrack listing gets the same symbol. Choices stay comparable in structure: a connection that
 * keeps one mapping on one side and changes it on the other, two connections sharing a port, or a
 * port outside the range the kernel picks from, still differ. Ports equal to the original and
 * destination-side choices (deterministic in Linux) are compared as they are.
 */
final class NatChoices {
    /** First symbol value (see the class comment). */
    static final int SYMBOL_BASE = 61000;
    private static final java.util.regex.Pattern RANGE = java.util.regex.Pattern.compile(
            "--to-source \\S*:(\\d+)(?:-(\\d+))?");

    /** What one side chose, renamed in order of appearance; built per side and case. */
    static final class Namer {
        private final java.util.Set<Integer> named = new java.util.HashSet<>();
        private final List<int[]> ranges = new ArrayList<>();
        private final Map<Integer, Integer> symbols = new HashMap<>();

        Namer(DiffCase c) {
            for (CasePacket p : c.packets()) {
                int off = l4(p.ip());
                if (off >= 0 && off + 4 <= p.ip().length) {
                    named.add(u16(p.ip(), off));
                    named.add(u16(p.ip(), off + 2));
                }
            }
            for (String rules : List.of(c.rules4(), c.rules6())) {
                // numbers the rules name, except a --to-source range's bounds: a choice may land on them
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)").matcher(RANGE.matcher(rules).replaceAll(""));
                while (m.find()) {
                    if (m.group(1).length() <= 5) {
                        named.add(Integer.parseInt(m.group(1)));
                    }
                }
                java.util.regex.Matcher r = RANGE.matcher(rules);
                while (r.find()) {
                    int lo = Integer.parseInt(r.group(1));
                    ranges.add(new int[] {lo, r.group(2) == null ? lo : Integer.parseInt(r.group(2))});
                }
            }
        }

        /** The symbol for a chosen value, or -1 to keep it. */
        int symbol(int chosen) {
            if (named.contains(chosen)) {
                return -1;
            }
            int cls = chosen < 512 ? 1 : chosen < 1024 ? 2 : 3;
            for (int[] r : ranges) {
                if (chosen >= r[0] && chosen <= r[1]) {
                    cls = 0;
                }
            }
            int n = symbols.computeIfAbsent(chosen, x -> symbols.size());
            return SYMBOL_BASE + 100 * cls + Math.min(n, 99);
        }

        Integer existing(int value) {
            Integer n = symbols.get(value);
            return n == null ? null : symbol(value);
        }
    }

    private NatChoices() {
    }

    /** The observation with its source-NAT choices renamed (see the class comment). */
    static Observation normalise(DiffCase c, Observation o) {
        if (o.packets().isEmpty()) {
            return o;
        }
        Namer symbols = new Namer(c);
        List<Observation.PacketOutcome> out = new ArrayList<>();
        for (int k = 0; k < o.packets().size() && k < c.packets().size(); k++) {
            Observation.PacketOutcome p = o.packets().get(k);
            byte[] sent = withL4(c, k);
            List<String> fwd = new ArrayList<>();
            for (String f : p.forwarded()) {
                int sp = f.indexOf(' ');
                byte[] ip = HexFormat.of().parseHex(f.substring(sp + 1));
                fwd.add(f.substring(0, sp + 1) + Pkt.hex(rename(sent, ip, symbols)));
            }
            out.add(p.withForwarded(fwd));
        }
        for (int k = c.packets().size(); k < o.packets().size(); k++) {
            out.add(o.packets().get(k));
        }
        List<String> ct = o.conntrack() == null ? null : conntrack(o.conntrack(), symbols);
        return new Observation(out, o.counters(), ct, o.error());
    }

    /** Offset of the L4 header, or -1 for a non-first fragment or a short packet. */
    private static int l4(byte[] ip) {
        if (Pkt.version(ip) == 4) {
            if (ip.length < 20 || (((ip[6] & 0x1f) << 8) | (ip[7] & 0xff)) != 0) {
                return -1;
            }
            return (ip[0] & 0x0f) * 4;
        }
        if (ip.length < 40) {
            return -1;
        }
        int next = ip[6] & 0xff;
        int off = 40;
        for (int n = 0; n < 8 && (next == 0 || next == 43 || next == 60 || next == 44); n++) {
            if (off + 8 > ip.length) {
                return -1;
            }
            if (next == 44) {
                if ((((ip[off + 2] & 0xff) << 8 | (ip[off + 3] & 0xff)) & 0xfff8) != 0) {
                    return -1;
                }
                next = ip[off] & 0xff;
                off += 8;
            } else {
                next = ip[off] & 0xff;
                off += ((ip[off + 1] & 0xff) + 1) * 8;
            }
        }
        return off;
    }

    /** The L4 protocol after the IPv6 extension headers (IPv4: the protocol field). */
    private static int proto(byte[] ip) {
        if (Pkt.version(ip) == 4) {
            return ip[9] & 0xff;
        }
        int next = ip[6] & 0xff;
        int off = 40;
        for (int n = 0; n < 8 && (next == 0 || next == 43 || next == 60 || next == 44) && off + 8 <= ip.length; n++) {
            int len = next == 44 ? 8 : ((ip[off + 1] & 0xff) + 1) * 8;
            next = ip[off] & 0xff;
            off += len;
        }
        return next;
    }

    /** The packet whose L4 header stands for injected packet {@code k}: itself, or its train's first fragment. */
    private static byte[] withL4(DiffCase c, int k) {
        byte[] sent = c.packets().get(k).ip();
        if (l4(sent) >= 0) {
            return sent;
        }
        CasePacket p = c.packets().get(k);
        for (int j = k - 1; j >= 0; j--) {
            CasePacket q = c.packets().get(j);
            if (q.family() == p.family() && q.identity() == p.identity() && l4(q.ip()) >= 0) {
                return q.ip();
            }
        }
        return sent;
    }

    /** {@code ip} with its source port / echo id renamed when it differs from {@code sent}'s. */
    static byte[] rename(byte[] sent, byte[] ip, Namer symbols) {
        int proto = proto(ip);
        int off = l4(ip);
        int sentOff = l4(sent);
        if (off < 0 || sentOff < 0 || proto != proto(sent)) {
            return ip;
        }
        int field;
        int csum;
        if (proto == Pkt.TCP || proto == Pkt.UDP || proto == Pkt.UDPLITE) {
            field = off;
            csum = off + (proto == Pkt.TCP ? 16 : 6);
        } else if (proto == Pkt.SCTP) {
            field = off;
            csum = -1; // CRC32c over the whole packet: recomputed below
        } else if (proto == Pkt.ICMP || proto == Pkt.ICMPV6) {
            int type = ip[off] & 0xff;
            if (type != 8 && type != 0 && type != 128 && type != 129) {
                return ip;
            }
            field = off + 4;
            csum = off + 2;
        } else {
            return ip;
        }
        int sentField = field - off + sentOff;
        if (csum + 2 > ip.length || field + 2 > ip.length || sentField + 2 > sent.length) {
            return ip;
        }
        int was = u16(sent, sentField);
        int chosen = u16(ip, field);
        if (chosen == was) {
            return ip;
        }
        int symbol = symbols.symbol(chosen);
        if (symbol < 0) {
            return ip;
        }
        byte[] r = ip.clone();
        r[field] = (byte) (symbol >>> 8);
        r[field + 1] = (byte) symbol;
        if (proto == Pkt.SCTP) {
            // a checksum that was right stays right for the symbol; a wrong one stays as it was
            java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(ip);
            if (off + 12 <= ip.length && io.stockade.packet.Crc32c.field(seg, off) == io.stockade.packet.Crc32c.sctp(seg, off, ip.length)) {
                int crc = io.stockade.packet.Crc32c.sctp(java.lang.foreign.MemorySegment.ofArray(r), off, r.length);
                java.nio.ByteBuffer.wrap(r, off + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(crc);
            }
            return r;
        }
        int check = u16(ip, csum);
        if (!(proto == Pkt.UDP && Pkt.version(ip) == 4 && check == 0)) {
            // RFC 1624: HC' = ~(~HC + ~m + m')
            int sum = (~check & 0xffff) + (~chosen & 0xffff) + symbol;
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            int next = ~sum & 0xffff;
            r[csum] = (byte) (next >>> 8);
            r[csum + 1] = (byte) next;
        }
        return r;
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    /**
     * Conntrack lines with the reply tuple's {@code dport=}/{@code id=} renamed when it differs from
     * the original tuple's {@code sport=}/{@code id=} (a source-NAT choice, also a null binding's
     * on a packet to the gateway that clashes with an existing entry) and no injected packet or rule
     * names it. Lines are visited in the order of their text with those values blanked, so the
     * symbols do not depend on the values chosen.
     */
    static List<String> conntrack(List<String> lines, Namer symbols) {
        List<String> order = new ArrayList<>(lines);
        order.sort(java.util.Comparator.comparing(l -> l.replaceAll("(dport|id)=\\d+", "$1=?")));
        Map<String, String> renamed = new HashMap<>();
        for (String l : order) {
            String[] t = l.split(" ");
            int srcs = 0;
            String origSport = null;
            String origId = null;
            for (int i = 0; i < t.length; i++) {
                if (t[i].startsWith("src=")) {
                    srcs++;
                }
                if (srcs == 1 && t[i].startsWith("sport=")) {
                    origSport = t[i].substring(6);
                } else if (srcs == 1 && t[i].startsWith("id=")) {
                    origId = t[i].substring(3);
                }
                String key = t[i].startsWith("dport=") ? "dport=" : t[i].startsWith("id=") ? "id=" : null;
                if (srcs < 2 || key == null || !t[i].substring(key.length()).matches("\\d{1,5}")) {
                    continue;
                }
                String value = t[i].substring(key.length());
                if (value.equals(key.equals("id=") ? origId : origSport)) {
                    continue;
                }
                Integer known = symbols.existing(Integer.parseInt(value));
                int sym = known != null ? known : symbols.symbol(Integer.parseInt(value));
                if (sym >= 0) {
                    t[i] = key + sym;
                }
            }
            renamed.put(l, String.join(" ", t));
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(renamed.get(l));
        }
        out.sort(null);
        return out;
    }
}
