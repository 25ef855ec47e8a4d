package io.stockade.difftest;

/** Agreement buckets of the report; a case counts in every area its rules or packets exercise. */
enum Area {
    FILTER("filter"),
    CONNTRACK("conntrack"),
    REJECT("REJECT"),
    LOG("LOG"),
    LIMIT_RECENT("limit/recent"),
    NAT("NAT"),
    SCTP("SCTP"),
    DCCP_UDPLITE("DCCP/UDP-Lite"),
    SET("set/SET"),
    IPV6("IPv6");

    final String label;

    Area(String label) {
        this.label = label;
    }
}
