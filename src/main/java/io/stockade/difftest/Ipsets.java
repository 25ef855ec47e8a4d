package io.stockade.difftest;

/**
 * The ipsets every case may name ({@code -m set --match-set}, {@code -j SET}): fixed sets per
 * family, in {@code ipset save} form, over the same address pools as {@link RuleGenerator} and
 * {@link PacketGenerator}. The lab restores them in the gateway namespace (after destroying every
 * set) and Stockade's replay gets the same text ({@code --ipsets}), so both start each case alike.
 */
final class Ipsets {
    /** Sets of the IPv4 rules: hash:ip and hash:net. */
    static final String SET4 = "sdt4a";
    static final String NET4 = "sdt4n";
    /** Sets of the IPv6 rules. */
    static final String SET6 = "sdt6a";
    static final String NET6 = "sdt6n";

    static final String TEXT = """
            create sdt4a hash:ip family inet hashsize 1024 maxelem 65536
            add sdt4a 192.168.10.3
            add sdt4a 203.0.113.5
            create sdt4n hash:net family inet hashsize 1024 maxelem 65536
            add sdt4n 192.168.10.0/29
            create sdt6a hash:ip family inet6 hashsize 1024 maxelem 65536
            add sdt6a fd00:10::3
            add sdt6a 2001:db8:77::5
            create sdt6n hash:net family inet6 hashsize 1024 maxelem 65536
            add sdt6n fd00:10::/125
            """;

    private Ipsets() {
    }

    /** Whether a ruleset names the sets (then both sides must have them). */
    static boolean used(String rules) {
        return rules.contains("--match-set ") || rules.contains("--add-set ") || rules.contains("--del-set ");
    }
}
