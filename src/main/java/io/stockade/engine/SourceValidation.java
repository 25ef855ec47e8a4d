package io.stockade.engine;

import io.stockade.packet.PacketDescriptor;

/**
 * fib_validate_source for IPv4 input: the reverse lookup (source as destination, the input
 * route's output device — or lo for local delivery — as input interface, the mark only with
 * {@code src_valid_mark}) must find a unicast route (or a local one with accept_local), through
 * the input interface when rp_filter is strict. Without rp_filter and with Linux's default policy
 * rules only the own-address-as-source martian is checked (the kernel's fast path).
 *
 * <p>A pure decision over the host model and the packet: no counters, no allocation.
 */
final class SourceValidation {
    private SourceValidation() {
    }

    /**
     * @param result the input route (-1 local delivery)
     * @return null when the source is valid, else why the host drops the packet
     */
    static EngineDrop check(HostModel host, Skb skb, int result) {
        PacketDescriptor pd = skb.pd;
        int rpf = host.rpFilter();
        if (rpf == 0) {
            if (host.acceptLocal()) {
                return null;
            }
            if (!host.customRules(4)) {
                return host.isLocalAddress(4, 0, pd.srcLo, "") ? EngineDrop.MARTIAN_SOURCE : null;
            }
        }
        String iif = result >= 0 ? host.device(result) : "lo";
        int mark = host.srcValidMark() ? skb.mark : 0;
        int r = host.lookupFlow(4, 0, pd.srcLo, 0, pd.dstLo, mark, pd.tos, iif, "", 0);
        int type = r < 0 ? 0 : host.type(r);
        if (r < 0 || type == AddressTypes.BLACKHOLE || type == AddressTypes.UNREACHABLE || type == AddressTypes.PROHIBIT) {
            return rpf != 0 ? EngineDrop.RP_FILTER : null; // last_resort
        }
        if (type != AddressTypes.UNICAST && !(type == AddressTypes.LOCAL && host.acceptLocal())) {
            return EngineDrop.MARTIAN_SOURCE;
        }
        if (host.device(r).equals(skb.inIface) || (type == AddressTypes.LOCAL && host.isLoopback(skb.inIface))) {
            return null;
        }
        if (rpf == 1 && host.hasAddress(4, skb.inIface)) {
            return EngineDrop.RP_FILTER;
        }
        if (rpf != 0 && !host.hasAddress(4, skb.inIface)) {
            return EngineDrop.RP_FILTER; // no_addr: last_resort
        }
        return null;
    }
}
