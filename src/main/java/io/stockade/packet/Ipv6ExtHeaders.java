package io.stockade.packet;

/**
 * Bits of {@link PacketDescriptor#ipv6ExtMask}: which IPv6 extension headers a packet carries, and
 * the mapping from next-header protocol numbers to those bits. The bit number of a flag is also its
 * index in {@link PacketDescriptor#ipv6ExtOffsets}.
 */
public final class Ipv6ExtHeaders {
    public static final int HOP_BY_HOP = 1;
    public static final int DEST_OPTS = 1 << 1;
    public static final int ROUTING = 1 << 2;
    public static final int FRAGMENT = 1 << 3;
    public static final int AUTH = 1 << 4;
    public static final int ESP = 1 << 5;
    public static final int NONE = 1 << 6;
    public static final int MOBILITY = 1 << 7;
    /** Number of flags (length of {@link PacketDescriptor#ipv6ExtOffsets}). */
    public static final int COUNT = 8;

    /** IPv6 next-header numbers (IANA). */
    public static final int NEXTHDR_HOP = 0;
    public static final int NEXTHDR_ROUTING = 43;
    public static final int NEXTHDR_FRAGMENT = 44;
    public static final int NEXTHDR_ESP = 50;
    public static final int NEXTHDR_AUTH = 51;
    public static final int NEXTHDR_NONE = 59;
    public static final int NEXTHDR_DEST = 60;
    public static final int NEXTHDR_MOBILITY = 135;

    /** Index of {@code flag} in {@link PacketDescriptor#ipv6ExtOffsets} (its bit number). */
    public static int index(int flag) {
        return Integer.numberOfTrailingZeros(flag);
    }

    /**
     * The flag for next-header value {@code nexthdr}, or 0 when it is not an extension header
     * (the kernel's {@code ipv6_ext_hdr()} plus mobility, which ip6tables' ipv6header knows).
     */
    public static int flagOf(int nexthdr) {
        return switch (nexthdr) {
            case NEXTHDR_HOP -> HOP_BY_HOP;
            case NEXTHDR_DEST -> DEST_OPTS;
            case NEXTHDR_ROUTING -> ROUTING;
            case NEXTHDR_FRAGMENT -> FRAGMENT;
            case NEXTHDR_AUTH -> AUTH;
            case NEXTHDR_ESP -> ESP;
            case NEXTHDR_NONE -> NONE;
            case NEXTHDR_MOBILITY -> MOBILITY;
            default -> 0;
        };
    }

    private Ipv6ExtHeaders() {
    }
}
