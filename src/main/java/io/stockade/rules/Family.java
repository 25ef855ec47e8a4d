package io.stockade.rules;

/** Address family of a ruleset: what {@code iptables} (IPv4) or {@code ip6tables} (IPv6) manages. */
public enum Family {
    IPV4("iptables", 4, 32),
    IPV6("ip6tables", 6, 128);

    /** The command name users type for this family ({@code iptables} / {@code ip6tables}). */
    public final String command;
    /** IP version number. */
    public final int version;
    /** Address width in bits. */
    public final int addressBits;

    Family(String command, int version, int addressBits) {
        this.command = command;
        this.version = version;
        this.addressBits = addressBits;
    }
}
