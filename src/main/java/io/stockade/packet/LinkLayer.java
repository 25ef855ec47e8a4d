package io.stockade.packet;

import java.lang.foreign.MemorySegment;

/**
 * Finds the IP packet inside a captured frame: given a pcap link type and the frame, the offset
 * of the IP header, the ethertype, the source MAC and the packet type the kernel would give the
 * skb ({@code PACKET_HOST}/{@code BROADCAST}/{@code MULTICAST}/{@code OTHERHOST}, from the
 * destination MAC or the SLL packet type). Reusable, allocation-free: call {@link #decode}, then read
 * the public fields. Supported link types: Ethernet (1, with up to two 802.1Q/802.1ad tags skipped),
 * Linux SLL (113), SLL2 (276, with interface index), raw IP (101, 228 IPv4, 229 IPv6), BSD
 * loopback/null (0, either byte order) and OpenBSD loop (108).
 */
public final class LinkLayer {
    public static final int LINKTYPE_NULL = 0;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_LOOP = 108;
    public static final int LINKTYPE_LINUX_SLL = 113;
    public static final int LINKTYPE_IPV4 = 228;
    public static final int LINKTYPE_IPV6 = 229;
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_QINQ = 0x88a8;
    public static final int ETHERTYPE_IPV6 = 0x86dd;

    /** Linux {@code PACKET_*} values (include/uapi/linux/if_packet.h). */
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;

    public static final int ETHERNET_HEADER_LENGTH = 14;
    public static final int SLL_HEADER_LENGTH = 16;
    public static final int SLL2_HEADER_LENGTH = 20;
    private static final int MAX_VLAN_TAGS = 2;

    /** When ≥ 0, this host's MAC: unicast frames to another MAC are {@code PACKET_OTHERHOST}. */
    public long localMac = -1;

    /** Results of the last {@link #decode}. */
    public long ipOffset;
    public int ipLength;
    public int etherType;
    /** Source MAC in the low 48 bits, -1 when the link layer has none. */
    public long srcMac;
    /** Destination MAC, -1 when unknown. */
    public long dstMac;
    public int pktType;
    /** Outermost VLAN id, -1 when untagged. */
    public int vlanId;
    /** SLL2 interface index, 0 when unknown. */
    public int ifIndex;
    public DropReason reason = DropReason.NONE;

    /**
     * Decodes the link header of the {@code length}-byte frame at {@code offset}. Returns true
     * when it carries IPv4 or IPv6 ({@link #ipOffset}, {@link #ipLength} set); false with
     * {@link #reason} {@code BAD_LINK_LAYER} (too short, unknown link type) or {@code NOT_IP}.
     */
    public boolean decode(int linkType, MemorySegment frame, long offset, int length) {
        srcMac = -1;
        dstMac = -1;
        pktType = PACKET_HOST;
        vlanId = -1;
        ifIndex = 0;
        etherType = 0;
        reason = DropReason.NONE;
        int hl;
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                if (length < ETHERNET_HEADER_LENGTH) {
                    return fail(DropReason.BAD_LINK_LAYER);
                }
                dstMac = mac(frame, offset);
                srcMac = mac(frame, offset + 6);
                if (dstMac == 0xffffffffffffL) {
                    pktType = PACKET_BROADCAST;
                } else if ((dstMac & 0x010000000000L) != 0) {
                    pktType = PACKET_MULTICAST;
                } else if (localMac >= 0 && dstMac != localMac) {
                    pktType = PACKET_OTHERHOST;
                }
                hl = 12;
                int et = Wire.u16(frame, offset + hl);
                for (int i = 0; i < MAX_VLAN_TAGS && (et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ); i++) {
                    if (length < hl + 6) {
                        return fail(DropReason.BAD_LINK_LAYER);
                    }
                    if (vlanId < 0) {
                        vlanId = Wire.u16(frame, offset + hl + 2) & 0xfff;
                    }
                    hl += 4;
                    et = Wire.u16(frame, offset + hl);
                }
                etherType = et;
                hl += 2;
            }
            case LINKTYPE_LINUX_SLL -> {
                if (length < SLL_HEADER_LENGTH) {
                    return fail(DropReason.BAD_LINK_LAYER);
                }
                pktType = Wire.u16(frame, offset);
                sllAddress(frame, offset + 2, Wire.u16(frame, offset + 4), offset + 6);
                etherType = Wire.u16(frame, offset + 14);
                hl = SLL_HEADER_LENGTH;
            }
            case LINKTYPE_LINUX_SLL2 -> {
                if (length < SLL2_HEADER_LENGTH) {
                    return fail(DropReason.BAD_LINK_LAYER);
                }
                etherType = Wire.u16(frame, offset);
                ifIndex = Wire.i32(frame, offset + 4);
                pktType = Wire.u8(frame, offset + 10);
                sllAddress(frame, offset + 8, Wire.u8(frame, offset + 11), offset + 12);
                hl = SLL2_HEADER_LENGTH;
            }
            case LINKTYPE_RAW -> {
                if (length < 1) {
                    return fail(DropReason.BAD_LINK_LAYER);
                }
                int v = Wire.u8(frame, offset) >>> 4;
                etherType = v == 4 ? ETHERTYPE_IPV4 : v == 6 ? ETHERTYPE_IPV6 : 0;
                hl = 0;
            }
            case LINKTYPE_IPV4 -> {
                etherType = ETHERTYPE_IPV4;
                hl = 0;
            }
            case LINKTYPE_IPV6 -> {
                etherType = ETHERTYPE_IPV6;
                hl = 0;
            }
            case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                if (length < 4) {
                    return fail(DropReason.BAD_LINK_LAYER);
                }
                int be = Wire.i32(frame, offset);
                int af = linkType == LINKTYPE_LOOP ? be : (be & 0xffff) == 0 ? Integer.reverseBytes(be) : be;
                // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
                etherType = af == 2 ? ETHERTYPE_IPV4
                        : af == 10 || af == 24 || af == 28 || af == 30 ? ETHERTYPE_IPV6 : 0;
                hl = 4;
            }
            default -> {
                return fail(DropReason.BAD_LINK_LAYER);
            }
        }
        if (etherType != ETHERTYPE_IPV4 && etherType != ETHERTYPE_IPV6) {
            return fail(DropReason.NOT_IP);
        }
        ipOffset = offset + hl;
        ipLength = length - hl;
        return true;
    }

    private void sllAddress(MemorySegment frame, long arphrdAt, int addrLen, long addrAt) {
        // ARPHRD_ETHER (1) and ARPHRD_LOOPBACK (772) carry a 6-byte MAC.
        int arphrd = Wire.u16(frame, arphrdAt);
        if (addrLen == 6 && (arphrd == 1 || arphrd == 772)) {
            srcMac = mac(frame, addrAt);
        }
    }

    private boolean fail(DropReason r) {
        reason = r;
        return false;
    }

    private static long mac(MemorySegment s, long at) {
        return ((long) Wire.u16(s, at) << 32) | Wire.u32(s, at + 2);
    }

    /** "aa:bb:cc:dd:ee:ff" for a MAC in the low 48 bits. */
    public static String macText(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (8 * i)) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 15, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
