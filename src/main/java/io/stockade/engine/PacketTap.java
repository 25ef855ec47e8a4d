package io.stockade.engine;

/**
 * Where the offline drivers see packets leave the host model: transmitted on an interface
 * (forwarded, locally generated, or kernel-generated such as REJECT replies) or delivered to a
 * local socket. The packet bytes ({@code skb.pd.data}, {@code skb.pd.length} bytes from the IP
 * header) are only valid during the call.
 */
public interface PacketTap {
    /**
     * @param iface     the output interface, or {@code "local"} for local delivery
     * @param generated true for packets the host generated itself (REJECT replies)
     */
    void packetOut(Skb skb, String iface, boolean generated);

    PacketTap NONE = (skb, iface, generated) -> {
    };
}
