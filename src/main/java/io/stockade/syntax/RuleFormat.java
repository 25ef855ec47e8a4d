package io.stockade.syntax;

import io.stockade.rules.Family;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;

/**
 * A rule in iptables-save / {@code -S} form, canonical option order as iptables 1.8.9 prints it:
 * {@code -s -d -i -o -p -f}, then {@code -m NAME opts} per match in rule order, then (with
 * {@code -v -S}) {@code -c P B}, then {@code -j NAME opts} or {@code -g CHAIN}.
 */
public final class RuleFormat {
    private RuleFormat() {
    }

    /** Appends {@code "-A CHAIN…"} (no newline). */
    public static void appendRule(StringBuilder out, String chain, Rule r, boolean withCounters) {
        out.append("-A ").append(chain);
        appendSpec(out, r, withCounters);
    }

    /** Appends the rule specification, each part with a leading space. */
    public static void appendSpec(StringBuilder out, Rule r, boolean withCounters) {
        IpHeaderFilter ip = r.ip();
        if (ip.family() == Family.IPV4) {
            saveAddr4(out, 's', ip.srcLo(), ip.srcMaskLo(), ip.inverted(IpHeaderFilter.INV_SRC));
            saveAddr4(out, 'd', ip.dstLo(), ip.dstMaskLo(), ip.inverted(IpHeaderFilter.INV_DST));
        } else {
            saveAddr6(out, 's', ip.srcHi(), ip.srcLo(), ip.srcMaskHi(), ip.srcMaskLo(), ip.inverted(IpHeaderFilter.INV_SRC));
            saveAddr6(out, 'd', ip.dstHi(), ip.dstLo(), ip.dstMaskHi(), ip.dstMaskLo(), ip.inverted(IpHeaderFilter.INV_DST));
        }
        saveIface(out, 'i', ip.inIface(), ip.inverted(IpHeaderFilter.INV_IN));
        saveIface(out, 'o', ip.outIface(), ip.inverted(IpHeaderFilter.INV_OUT));
        if (ip.protocol() > 0) {
            if (ip.inverted(IpHeaderFilter.INV_PROTO)) {
                out.append(" !");
            }
            String name = Protocols.name(ip.protocol(), false);
            out.append(" -p ").append(name != null ? name : Integer.toString(ip.protocol()));
        }
        if (ip.fragment()) {
            if (ip.inverted(IpHeaderFilter.INV_FRAG)) {
                out.append(" !");
            }
            out.append(" -f");
        }
        for (MatchSpec m : r.matches()) {
            out.append(" -m ").append(m.name());
            m.save(out);
        }
        if (withCounters) {
            out.append(" -c ").append(Long.toUnsignedString(r.packets())).append(' ')
                    .append(Long.toUnsignedString(r.bytes()));
        }
        appendTarget(out, r.target());
    }

    /** Appends {@code " -j NAME opts"} / {@code " -g CHAIN"}, nothing for a rule without target. */
    public static void appendTarget(StringBuilder out, RuleTarget t) {
        switch (t) {
            case RuleTarget.None n -> {
            }
            case RuleTarget.Standard s -> out.append(" -j ").append(s.kind().name());
            case RuleTarget.Jump j -> out.append(j.isGoto() ? " -g " : " -j ").append(j.chain());
            case RuleTarget.Extension e -> {
                out.append(" -j ").append(e.spec().name());
                e.spec().save(out);
            }
        }
    }

    private static void saveAddr4(StringBuilder out, char letter, long addr, long mask, boolean inv) {
        if (mask == 0 && !inv && addr == 0) {
            return;
        }
        if (inv) {
            out.append(" !");
        }
        out.append(" -").append(letter).append(' ').append(Addresses.format4(addr)).append('/');
        int cidr = cidr4(mask);
        out.append(cidr >= 0 ? Integer.toString(cidr) : Addresses.format4(mask));
    }

    private static void saveAddr6(StringBuilder out, char letter, long hi, long lo, long mhi, long mlo, boolean inv) {
        int l = cidr6(mhi, mlo);
        if (!inv && l == 0) {
            return;
        }
        if (inv) {
            out.append(" !");
        }
        out.append(" -").append(letter).append(' ').append(Addresses.format6(hi, lo)).append('/');
        out.append(l >= 0 ? Integer.toString(l) : Addresses.format6(mhi, mlo));
    }

    private static void saveIface(StringBuilder out, char letter, String iface, boolean inv) {
        if (iface.isEmpty() || (iface.equals("+") && !inv)) {
            return;
        }
        if (inv) {
            out.append(" !");
        }
        out.append(" -").append(letter).append(' ').append(iface);
    }

    /** Prefix length of a contiguous IPv4 mask (low 32 bits), else -1. */
    public static int cidr4(long mask) {
        int m = (int) mask;
        int n = Integer.bitCount(m);
        if (n == 0) {
            return 0;
        }
        return Integer.numberOfTrailingZeros(m) == 32 - n ? n : -1;
    }

    /** Prefix length of a contiguous IPv6 mask, else -1. */
    public static int cidr6(long hi, long lo) {
        int n = Long.bitCount(hi) + Long.bitCount(lo);
        long[] expect = Addresses.prefixMask6(n);
        return expect[0] == hi && expect[1] == lo ? n : -1;
    }
}
