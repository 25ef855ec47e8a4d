package io.stockade.nat;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Skb;
import io.stockade.engine.Verdict;
import io.stockade.rules.Hook;

/**
 * The per-packet half of the NAT targets, as {@code xt_nat.c}, {@code nf_nat_masquerade.c},
 * {@code nf_nat_redirect.c} and {@code xt_NETMAP.c} do it: each turns the rule's range into the
 * range {@code nf_nat_setup_info} gets ({@link NatBinding#setup}) and answers ACCEPT, or DROP
 * where the kernel does (no address to masquerade to or redirect to, no tuple).
 *
 * <p>The engine runs the nat table only for a connection's first packet, so these run once per
 * connection; the per-packet rewrite is {@link NatRewrite}. They read host addresses through
 * {@link Skb#addressTypes} into {@link Skb#scratchAddr} (no allocation of their own).
 */
public final class NatActions {
    private NatActions() {
    }

    /** The NF_NAT_RANGE_* flags of a parsed range and its options. */
    public static int flags(boolean address, boolean ports, int basePort, boolean random, boolean persistent,
            boolean randomFully) {
        int f = 0;
        if (address) {
            f |= NatBinding.RANGE_MAP_IPS;
        }
        if (ports) {
            f |= NatBinding.RANGE_PROTO_SPECIFIED;
        }
        if (basePort != 0) {
            f |= NatBinding.RANGE_PROTO_OFFSET;
        }
        if (random) {
            f |= NatBinding.RANGE_PROTO_RANDOM;
        }
        if (persistent) {
            f |= NatBinding.RANGE_PERSISTENT;
        }
        if (randomFully) {
            f |= NatBinding.RANGE_PROTO_RANDOM_FULLY;
        }
        return f;
    }

    /** True for the ctinfo values nf_nat_setup_info is called with (NEW, RELATED, RELATED_REPLY). */
    private static boolean bindable(Skb skb) {
        Conn ct = skb.conn;
        return ct != null && !ct.isTemplate() && (skb.ctinfo == Conn.IP_CT_NEW || skb.ctinfo == Conn.IP_CT_RELATED
                || skb.ctinfo == Conn.IP_CT_RELATED_REPLY);
    }

    private static int setup(Skb skb, int manip, int flags, long minHi, long minLo, long maxHi, long maxLo,
            int minPort, int maxPort, int basePort) {
        if (!bindable(skb)) {
            // LINUX-DIFF: the kernel WARN_ONs and proceeds; a packet without a fresh entry is accepted untouched.
            return Verdict.ACCEPT;
        }
        return NatBinding.setup(skb.conn, manip, flags, minHi, minLo, maxHi, maxLo, minPort, maxPort, basePort)
                ? Verdict.ACCEPT : Verdict.DROP;
    }

    /** xt_snat_target_v2 / xt_dnat_target_v2. */
    public static int snatDnat(Skb skb, boolean source, int flags, long minHi, long minLo, long maxHi, long maxLo,
            int minPort, int maxPort, int basePort) {
        return setup(skb, source ? NatBinding.MANIP_SRC : NatBinding.MANIP_DST, flags, minHi, minLo, maxHi, maxLo,
                minPort, maxPort, basePort);
    }

    /**
     * nf_nat_masquerade_ipv4/ipv6: the source becomes the output interface's address for the
     * next hop ({@code inet_select_addr} / {@code ipv6_dev_get_saddr}); an entry whose original
     * source is 0.0.0.0 is left alone; no usable address drops the packet.
     */
    public static int masquerade(Skb skb, int flags, int minPort, int maxPort) {
        if (!bindable(skb)) {
            return Verdict.ACCEPT;
        }
        Conn ct = skb.conn;
        int v = skb.pd.ipVersion;
        if (v == 4 && ct.origSrcLo == 0) {
            return Verdict.ACCEPT;
        }
        long[] a = skb.scratchAddr;
        if (!skb.addressTypes.masqueradeSource(v, skb.outIface, skb.route, skb.pd.dstHi, skb.pd.dstLo, a)) {
            return Verdict.DROP;
        }
        return setup(skb, NatBinding.MANIP_SRC, flags | NatBinding.RANGE_MAP_IPS, a[0], a[1], a[0], a[1],
                minPort, maxPort, 0);
    }

    /**
     * nf_nat_redirect_ipv4/ipv6: OUTPUT redirects to 127.0.0.1 / ::1, PREROUTING to the input
     * interface's first (primary) address; none drops the packet.
     */
    public static int redirect(Skb skb, int flags, int minPort, int maxPort) {
        if (!bindable(skb)) {
            return Verdict.ACCEPT;
        }
        int v = skb.pd.ipVersion;
        long hi;
        long lo;
        if (skb.hook == Hook.OUTPUT) {
            hi = 0;
            lo = v == 4 ? 0x7f000001L : 1L;
        } else {
            long[] a = skb.scratchAddr;
            if (!skb.addressTypes.redirectDestination(v, skb.inIface, skb.pd.dstHi, skb.pd.dstLo, a)) {
                return Verdict.DROP;
            }
            hi = a[0];
            lo = a[1];
        }
        return setup(skb, NatBinding.MANIP_DST, flags | NatBinding.RANGE_MAP_IPS, hi, lo, hi, lo,
                minPort, maxPort, 0);
    }

    /**
     * netmap_tg4/tg6: keeps the host bits of the destination (PREROUTING, OUTPUT) or source
     * (POSTROUTING, INPUT) and replaces the prefix bits with the range's.
     */
    public static int netmap(Skb skb, int flags, long minHi, long minLo, long maxHi, long maxLo,
            int minPort, int maxPort) {
        if (!bindable(skb)) {
            return Verdict.ACCEPT;
        }
        int manip = NatBinding.manipOf(skb.hook);
        boolean v4 = skb.pd.ipVersion == 4;
        long maskHi = v4 ? 0 : ~(minHi ^ maxHi);
        long maskLo = v4 ? ~(minLo ^ maxLo) & 0xffffffffL : ~(minLo ^ maxLo);
        long hi = manip == NatBinding.MANIP_DST ? skb.pd.dstHi : skb.pd.srcHi;
        long lo = manip == NatBinding.MANIP_DST ? skb.pd.dstLo : skb.pd.srcLo;
        long nHi = (hi & ~maskHi) | (minHi & maskHi);
        long nLo = ((lo & ~maskLo) | (minLo & maskLo)) & (v4 ? 0xffffffffL : -1L);
        return setup(skb, manip, flags | NatBinding.RANGE_MAP_IPS, nHi, nLo, nHi, nLo, minPort, maxPort, 0);
    }
}
