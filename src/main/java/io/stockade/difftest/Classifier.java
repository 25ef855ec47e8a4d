package io.stockade.difftest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns what left the gateway's interfaces while one packet was processed into a
 * {@link Observation.PacketOutcome}: frames carrying the packet's identity (IPv4 ID / IPv6 flow
 * label, same protocol) are the packet forwarded; everything else is emitted by the gateway.
 * <p>
 * Normalisation (fields the kernel chooses freely, so both sides are compared with them zeroed):
 * the IPv4 ID and header checksum, and the IPv6 flow label, of <em>emitted</em> packets; the
 * IPv6 fragment id of forwarded fragments (re-fragmented after defrag with a kernel-chosen id).
 * IPv6 neighbour discovery and MLD (ICMPv6 types 130–143) the gateway sends on its own are ignored,
 * and so is the packet itself crossing {@code lo} on its way to one of the gateway's addresses.
 */
final class Classifier {
    private Classifier() {
    }

    /** The IP packet inside an Ethernet frame, or null for other ethertypes (ARP, barriers). */
    static byte[] ipOfEthernet(byte[] frame) {
        if (frame.length < 34) {
            return null;
        }
        int type = ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
        if (type != 0x0800 && type != 0x86dd) {
            return null;
        }
        return Arrays.copyOfRange(frame, 14, frame.length);
    }

    static boolean isBackgroundNoise(byte[] ip) {
        if (Pkt.version(ip) != 6 || ip.length < 41) {
            return false;
        }
        int next = ip[6] & 0xff;
        int off = 40;
        if (next == 0 && ip.length >= 48) { // hop-by-hop (MLD carries router alert)
            next = ip[40] & 0xff;
            off = 40 + ((ip[41] & 0xff) + 1) * 8;
        }
        if (next != Pkt.ICMPV6 || ip.length <= off) {
            return false;
        }
        int type = ip[off] & 0xff;
        return type >= 130 && type <= 143;
    }

    static int protocol(byte[] ip) {
        return Pkt.version(ip) == 4 ? ip[9] & 0xff : ip[6] & 0xff;
    }

    static boolean isFragment(byte[] ip) {
        if (Pkt.version(ip) == 4) {
            return (((ip[6] & 0xff) << 8 | (ip[7] & 0xff)) & 0x3fff) != 0;
        }
        return (ip[6] & 0xff) == 44;
    }

    /** Whether {@code seen} is {@code sent} (possibly NATed, TTL-decremented or refragmented). */
    static boolean isSame(byte[] sent, byte[] seen) {
        if (Pkt.version(sent) != Pkt.version(seen) || Pkt.identity(sent) != Pkt.identity(seen)
                || protocol(sent) != protocol(seen)) {
            return false;
        }
        return sent.length == seen.length || isFragment(sent) || isFragment(seen);
    }

    /** Zeroes the fields of a gateway-generated packet that the kernel picks freely. */
    static byte[] normaliseEmitted(byte[] ip) {
        byte[] c = ip.clone();
        if (Pkt.version(c) == 4 && c.length >= 20) {
            c[4] = 0;
            c[5] = 0;
            c[10] = 0;
            c[11] = 0;
        } else if (c.length >= 40) {
            c[1] &= (byte) 0xf0;
            c[2] = 0;
            c[3] = 0;
        }
        return c;
    }

    /**
     * Zeroes the Identification of an IPv6 fragment header in a forwarded packet: after
     * nf_defrag reassembles a train, the kernel re-fragments it with a fresh, secret-hashed id
     * ({@code ipv6_select_ident}) that no other implementation can reproduce.
     */
    static byte[] normaliseForwarded(byte[] ip) {
        if (Pkt.version(ip) != 6 || ip.length < 48) {
            return ip;
        }
        int next = ip[6] & 0xff;
        int off = 40;
        // hop-by-hop, routing and destination options may precede the fragment header
        for (int n = 0; n < 8 && (next == 0 || next == 43 || next == 60) && off + 8 <= ip.length; n++) {
            next = ip[off] & 0xff;
            off += ((ip[off + 1] & 0xff) + 1) * 8;
        }
        if (next != 44 || off + 8 > ip.length) {
            return ip;
        }
        byte[] c = ip.clone();
        c[off + 4] = 0;
        c[off + 5] = 0;
        c[off + 6] = 0;
        c[off + 7] = 0;
        return c;
    }

    /**
     * @param sent      the packet injected
     * @param seen      IP packets that left each interface while it was processed
     * @param delivered whether it reached local delivery
     */
    static Observation.PacketOutcome outcome(byte[] sent, Map<String, List<byte[]>> seen, boolean delivered,
            List<String> rules, long timeNanos) {
        List<String> fwdIfaces = new ArrayList<>();
        List<String> forwarded = new ArrayList<>();
        List<String> emitted = new ArrayList<>();
        for (Map.Entry<String, List<byte[]>> e : seen.entrySet()) {
            for (byte[] ip : e.getValue()) {
                if (isBackgroundNoise(ip)) {
                    continue;
                }
                boolean same = isSame(sent, ip);
                if (same && e.getKey().equals("lo")) {
                    continue; // the packet on its way to the gateway's own address: its fate is "local"
                }
                if (same) {
                    if (!fwdIfaces.contains(e.getKey())) {
                        fwdIfaces.add(e.getKey());
                    }
                    forwarded.add(e.getKey() + " " + Pkt.hex(normaliseForwarded(ip)));
                } else {
                    emitted.add(e.getKey() + " " + Pkt.hex(normaliseEmitted(ip)));
                }
            }
        }
        String fate;
        if (delivered) {
            fate = fwdIfaces.isEmpty() ? "local" : "local,forward:" + String.join(",", fwdIfaces);
        } else if (!fwdIfaces.isEmpty()) {
            fate = "forward:" + String.join(",", fwdIfaces);
        } else {
            fate = "drop";
        }
        return new Observation.PacketOutcome(fate, emitted, forwarded, rules, timeNanos);
    }
}
