package io.stockade.ext.target;

import io.stockade.engine.Skb;
import io.stockade.packet.Checksum;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;

/**
 * Rewrites of the IP header's TOS / traffic-class byte and TTL / hop limit, as the kernel's
 * {@code ipv4_change_dsfield}, {@code ipv6_change_dsfield} and the TTL/HL targets do: the IPv4
 * header checksum is updated incrementally (RFC 1624), IPv6 has none. Packet path; no allocation.
 */
final class DsField {
    private DsField() {
    }

    /** Sets the TOS / traffic-class byte to {@code value} (no-op when equal). */
    static void setTos(Skb skb, int value) {
        PacketDescriptor pd = skb.pd;
        int old = pd.tos & 0xff;
        value &= 0xff;
        if (old == value) {
            return;
        }
        long b = pd.base;
        if (pd.ipVersion == 4) {
            int oldWord = Wire.u16(pd.data, b);
            Wire.put8(pd.data, b + 1, value);
            Wire.put16(pd.data, b + 10, Checksum.update16(Wire.u16(pd.data, b + 10), oldWord, Wire.u16(pd.data, b)));
        } else {
            // version (4 bits) | traffic class (8) | flow label (20)
            int w = Wire.u16(pd.data, b);
            Wire.put16(pd.data, b, (w & 0xf00f) | (value << 4));
        }
        pd.tos = value;
    }

    /** Sets the TTL / hop limit (no-op when equal). */
    static void setTtl(Skb skb, int value) {
        PacketDescriptor pd = skb.pd;
        if (pd.ttl == value) {
            return;
        }
        long b = pd.base;
        if (pd.ipVersion == 4) {
            int oldWord = Wire.u16(pd.data, b + 8);
            Wire.put8(pd.data, b + 8, value);
            Wire.put16(pd.data, b + 10, Checksum.update16(Wire.u16(pd.data, b + 10), oldWord, Wire.u16(pd.data, b + 8)));
        } else {
            Wire.put8(pd.data, b + 7, value);
        }
        pd.ttl = value;
    }
}
