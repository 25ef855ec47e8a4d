package io.stockade.syntax;

/**
 * IP protocol names as iptables knows them without consulting {@code /etc/protocols}: libxtables'
 * {@code xtables_chain_protos} (searched first, both ways) followed by a built-in copy of the IANA
 * protocol name list that Debian's netbase ships (what {@code getprotobyname}/{@code
 * getprotobynumber} would answer). Pure lookup, no I/O.
 */
public final class Protocols {
    private Protocols() {
    }

    /** libxtables' xtables_chain_protos, in its order. */
    private static final String[][] CHAIN_PROTOS = {
            {"tcp", "6"}, {"sctp", "132"}, {"udp", "17"}, {"udplite", "136"}, {"icmp", "1"},
            {"ipv6-icmp", "58"}, {"icmpv6", "58"}, {"esp", "50"}, {"ah", "51"},
            {"mobility-header", "135"}, {"ipv6-mh", "135"}, {"mh", "135"}, {"all", "0"},
    };

    /** name, number, aliases… (IANA assigned protocol names, as in netbase's protocols file). */
    private static final String[][] NETBASE = {
            {"ip", "0", "IP"},
            {"hopopt", "0", "HOPOPT"},
            {"icmp", "1", "ICMP"},
            {"igmp", "2", "IGMP"},
            {"ggp", "3", "GGP"},
            {"ipencap", "4", "IP-ENCAP"},
            {"st", "5", "ST"},
            {"tcp", "6", "TCP"},
            {"egp", "8", "EGP"},
            {"igp", "9", "IGP"},
            {"pup", "12", "PUP"},
            {"udp", "17", "UDP"},
            {"hmp", "20", "HMP"},
            {"xns-idp", "22", "XNS-IDP"},
            {"rdp", "27", "RDP"},
            {"iso-tp4", "29", "ISO-TP4"},
            {"dccp", "33", "DCCP"},
            {"xtp", "36", "XTP"},
            {"ddp", "37", "DDP"},
            {"idpr-cmtp", "38", "IDPR-CMTP"},
            {"ipv6", "41", "IPv6"},
            {"ipv6-route", "43", "IPv6-Route"},
            {"ipv6-frag", "44", "IPv6-Frag"},
            {"idrp", "45", "IDRP"},
            {"rsvp", "46", "RSVP"},
            {"gre", "47", "GRE"},
            {"esp", "50", "IPSEC-ESP"},
            {"ah", "51", "IPSEC-AH"},
            {"skip", "57", "SKIP"},
            {"ipv6-icmp", "58", "IPv6-ICMP"},
            {"ipv6-nonxt", "59", "IPv6-NoNxt"},
            {"ipv6-opts", "60", "IPv6-Opts"},
            {"rspf", "73", "RSPF", "CPHB"},
            {"vmtp", "81", "VMTP"},
            {"eigrp", "88", "EIGRP"},
            {"ospf", "89", "OSPFIGP"},
            {"ax.25", "93", "AX.25"},
            {"ipip", "94", "IPIP"},
            {"etherip", "97", "ETHERIP"},
            {"encap", "98", "ENCAP"},
            {"pim", "103", "PIM"},
            {"ipcomp", "108", "IPCOMP"},
            {"vrrp", "112", "VRRP"},
            {"l2tp", "115", "L2TP"},
            {"isis", "124", "ISIS"},
            {"sctp", "132", "SCTP"},
            {"fc", "133", "FC"},
            {"mobility-header", "135", "Mobility-Header"},
            {"udplite", "136", "UDPLite"},
            {"mpls-in-ip", "137", "MPLS-in-IP"},
            {"manet", "138"},
            {"hip", "139", "HIP"},
            {"shim6", "140", "Shim6"},
            {"wesp", "141", "WESP"},
            {"rohc", "142", "ROHC"},
            {"ethernet", "143", "Ethernet"},    };

    /**
     * The protocol number for {@code name} as xtables_parse_protocol does: a number 0..255, a
     * chain-proto name, or a netbase name/alias; -1 if unknown. The caller lower-cases first, as
     * iptables does.
     */
    public static int parse(String name) {
        int n = Numbers.parseUnsigned(name, 0, 255);
        if (n >= 0) {
            return n;
        }
        for (String[] p : CHAIN_PROTOS) {
            if (p[0].equals(name)) {
                return Integer.parseInt(p[1]);
            }
        }
        for (String[] p : NETBASE) {
            for (int i = 0; i < p.length; i++) {
                if (i != 1 && p[i].equals(name)) {
                    return Integer.parseInt(p[1]);
                }
            }
        }
        return -1;
    }

    /**
     * iptables' proto_to_name: the chain-proto name first, then (unless {@code noLookup}) the
     * netbase name; null if the number has no name. Protocol 0 is "all".
     */
    public static String name(int proto, boolean noLookup) {
        String num = Integer.toString(proto);
        for (String[] p : CHAIN_PROTOS) {
            if (p[1].equals(num)) {
                return p[0];
            }
        }
        if (proto != 0 && !noLookup) {
            for (String[] p : NETBASE) {
                if (p[1].equals(num)) {
                    return p[0];
                }
            }
        }
        return null;
    }
}
