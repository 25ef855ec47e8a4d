package io.stockade.packet;

/**
 * Why a packet could not be processed normally: a value with a stable lowercase name (in the
 * style of pf's PFRES_NAMES) and a counter slot, never an exception.
 */
public enum DropReason {
    NONE("none"),
    SHORT("short"),
    BAD_VERSION("bad-version"),
    BAD_HEADER_LENGTH("bad-header-length"),
    BAD_TOTAL_LENGTH("bad-total-length"),
    BAD_IP_CHECKSUM("bad-ip-checksum"),
    BAD_L4_CHECKSUM("bad-l4-checksum"),
    /** TCP options malformed. */
    BAD_OPTIONS("bad-options"),
    BAD_EXT_HEADER("bad-ext-header"),
    TOO_MANY_EXT_HEADERS("too-many-ext-headers"),
    SHORT_L4("short-l4"),
    BAD_TCP_OFFSET("bad-tcp-offset"),
    BAD_LINK_LAYER("bad-link-layer"),
    NOT_IP("not-ip"),
    /** UDP length field below 8 or beyond the IP payload ({@code udp_error()}). */
    BAD_UDP_LENGTH("bad-udp-length"),
    /** IPv4 options malformed ({@code ip_options_compile()}). */
    BAD_IP_OPTIONS("bad-ip-options"),
    /** The packet does not end below 2 GiB in its buffer (descriptor offsets are ints). */
    OUT_OF_RANGE("out-of-range");

    /** Stable name used in counters, JSON and logs. */
    public final String label;

    DropReason(String label) {
        this.label = label;
    }
}
