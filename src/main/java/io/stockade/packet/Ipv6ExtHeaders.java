package io.stockade.packet;

/** Bits of {@link PacketDescriptor#ipv6ExtMask}: which IPv6 extension headers a packet carries. */
public final class Ipv6ExtHeaders {
    public static final int HOP_BY_HOP = 1;
    public static final int DEST_OPTS = 1 << 1;
    public static final int ROUTING = 1 << 2;
    public static final int FRAGMENT = 1 << 3;
    public static final int AUTH = 1 << 4;
    public static final int ESP = 1 << 5;
    public static final int NONE = 1 << 6;
    public static final int MOBILITY = 1 << 7;

    private Ipv6ExtHeaders() {
    }
}
