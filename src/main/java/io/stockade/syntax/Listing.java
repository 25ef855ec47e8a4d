package io.stockade.syntax;

import io.stockade.rules.Chain;
import io.stockade.rules.Family;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Table;

/**
 * {@code iptables -L} output as iptables 1.8.9 prints it: chain headers with policy counters or
 * reference counts, the fixed-width columns (with {@code -v}: counters with K/M/G/T suffixes
 * unless {@code -x}, in/out interfaces; with {@code --line-numbers}: "num"), then each match's
 * and the target's {@code print} text, each after one space.
 */
public final class Listing {
    private final boolean numeric;
    private final boolean verbose;
    private final boolean exact;
    private final boolean lineNumbers;
    private final HostResolver resolver;

    public Listing(boolean numeric, boolean verbose, boolean exact, boolean lineNumbers, HostResolver resolver) {
        this.numeric = numeric;
        this.verbose = verbose;
        this.exact = exact;
        this.lineNumbers = lineNumbers;
        this.resolver = resolver;
    }

    /** Number of rules in the table that jump or go to {@code chain}. */
    public static int references(Table t, String chain) {
        int n = 0;
        for (Chain c : Chains.ordered(t)) {
            for (Rule r : c.rules()) {
                if (r.target() instanceof RuleTarget.Jump j && j.chain().equals(chain)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Appends the header lines of one chain. */
    public void header(StringBuilder out, Table t, Chain c) {
        out.append("Chain ").append(c.name());
        if (c.builtin()) {
            out.append(" (policy ").append(c.policy().name());
            if (verbose) {
                out.append(' ');
                num(out, c.policyPackets(), true);
                out.append("packets, ");
                num(out, c.policyBytes(), true);
                out.append("bytes");
            }
            out.append(")\n");
        } else {
            out.append(" (").append(references(t, c.name())).append(" references)\n");
        }
        if (lineNumbers) {
            pad(out, "num", -4).append(' ');
        }
        if (verbose) {
            if (!exact) {
                pad(out, "pkts", 5).append(' ');
                pad(out, "bytes", 5).append(' ');
            } else {
                pad(out, "pkts", 8).append(' ');
                pad(out, "bytes", 10).append(' ');
            }
        }
        pad(out, "target", -9).append(' ');
        out.append(" prot ");
        out.append("opt");
        if (verbose) {
            out.append(' ');
            pad(out, "in", -6).append(' ');
            pad(out, "out", -6).append(' ');
        }
        out.append(' ');
        pad(out, "source", -19).append(' ');
        out.append(' ');
        pad(out, "destination", -19).append(' ');
        out.append('\n');
    }

    /** Appends one rule line (with its newline). */
    public void rule(StringBuilder out, Rule r, int lineNum) {
        IpHeaderFilter ip = r.ip();
        if (lineNumbers) {
            pad(out, Integer.toString(lineNum), -4).append(' ');
        }
        if (verbose) {
            num(out, r.packets(), false);
            num(out, r.bytes(), false);
        }
        pad(out, r.target().displayName(), -9).append(' ');
        out.append(ip.inverted(IpHeaderFilter.INV_PROTO) ? '!' : ' ');
        String pname = Protocols.name(ip.protocol(), numeric);
        if (numeric || pname == null) {
            pad(out, Integer.toString(ip.protocol()), -4).append(' ');
        } else {
            pad(out, pname, -4).append(' ');
        }
        if (ip.family() == Family.IPV4) {
            out.append(ip.inverted(IpHeaderFilter.INV_FRAG) ? '!' : '-');
            out.append(ip.fragment() ? 'f' : '-');
        } else {
            out.append("--");
        }
        out.append(' ');
        if (verbose) {
            String any = numeric ? "*" : "any";
            String in = (ip.inverted(IpHeaderFilter.INV_IN) ? "!" : "") + (ip.inIface().isEmpty() ? any : ip.inIface());
            String o = (ip.inverted(IpHeaderFilter.INV_OUT) ? "!" : "") + (ip.outIface().isEmpty() ? any : ip.outIface());
            out.append(' ');
            pad(out, in, -6).append(' ');
            pad(out, o, -6).append(' ');
        }
        out.append(ip.inverted(IpHeaderFilter.INV_SRC) ? '!' : ' ');
        pad(out, addr(ip.family(), ip.srcHi(), ip.srcLo(), ip.srcMaskHi(), ip.srcMaskLo()), -19).append(' ');
        out.append(ip.inverted(IpHeaderFilter.INV_DST) ? '!' : ' ');
        pad(out, addr(ip.family(), ip.dstHi(), ip.dstLo(), ip.dstMaskHi(), ip.dstMaskLo()), -19).append(' ');
        tail(out, r);
        out.append('\n');
    }

    /**
     * The one-line form {@code -v -A/-I/-D/-C} echo (iptables' FMT_PRINT_RULE: numeric, no
     * table layout), e.g. {@code ACCEPT  all opt -- in eth2 out eth3  10.0.0.1  -> 10.0.0.2  }.
     */
    public static void echo(StringBuilder out, Rule r) {
        IpHeaderFilter ip = r.ip();
        out.append(r.target().displayName()).append(' ');
        out.append(ip.inverted(IpHeaderFilter.INV_PROTO) ? '!' : ' ');
        String pname = Protocols.name(ip.protocol(), true);
        out.append(pname != null ? pname : Integer.toString(ip.protocol())).append(' ');
        out.append("opt ");
        if (ip.family() == Family.IPV4) {
            out.append(ip.inverted(IpHeaderFilter.INV_FRAG) ? '!' : '-').append(ip.fragment() ? 'f' : '-');
        } else {
            out.append("--");
        }
        out.append(' ');
        out.append("in ").append(ip.inverted(IpHeaderFilter.INV_IN) ? "!" : "")
                .append(ip.inIface().isEmpty() ? "*" : ip.inIface()).append(' ');
        out.append("out ").append(ip.inverted(IpHeaderFilter.INV_OUT) ? "!" : "")
                .append(ip.outIface().isEmpty() ? "*" : ip.outIface()).append(' ');
        Listing numeric = new Listing(true, true, false, false, HostResolver.STATIC);
        out.append(ip.inverted(IpHeaderFilter.INV_SRC) ? '!' : ' ')
                .append(numeric.addr(ip.family(), ip.srcHi(), ip.srcLo(), ip.srcMaskHi(), ip.srcMaskLo())).append(' ');
        out.append(ip.inverted(IpHeaderFilter.INV_DST) ? '!' : ' ').append("-> ")
                .append(numeric.addr(ip.family(), ip.dstHi(), ip.dstLo(), ip.dstMaskHi(), ip.dstMaskLo()));
        out.append("  ");
        numeric.tail(out, r);
        out.append('\n');
    }

    private void tail(StringBuilder out, Rule r) {
        if (r.target() instanceof RuleTarget.Jump j && j.isGoto()) {
            out.append("[goto] ");
        }
        for (MatchSpec m : r.matches()) {
            int mark = out.length();
            out.append(' ');
            m.print(out, numeric);
            if (out.length() == mark + 1) {
                out.setLength(mark);
            }
        }
        if (r.target() instanceof RuleTarget.Extension e) {
            int mark = out.length();
            out.append(' ');
            e.spec().print(out, numeric);
            if (out.length() == mark + 1) {
                out.setLength(mark);
            }
        }
    }

    private String addr(Family f, long hi, long lo, long mhi, long mlo) {
        if (f == Family.IPV4) {
            if (mlo == 0 && !numeric) {
                return "anywhere";
            }
            String a = null;
            if (!numeric) {
                a = resolver.reverse(Addresses.toBytes(f, 0, lo), f);
            }
            if (a == null) {
                a = Addresses.format4(lo);
            }
            int cidr = RuleFormat.cidr4(mlo);
            return a + (cidr < 0 ? "/" + Addresses.format4(mlo) : (cidr == 32 ? "" : "/" + cidr));
        }
        if (hi == 0 && lo == 0 && !numeric) {
            return "anywhere";
        }
        String a = null;
        if (!numeric) {
            a = resolver.reverse(Addresses.toBytes(f, hi, lo), f);
        }
        if (a == null) {
            a = Addresses.format6(hi, lo);
        }
        int l = RuleFormat.cidr6(mhi, mlo);
        return a + (l < 0 ? "/" + Addresses.format6(mhi, mlo) : (l == 128 ? "" : "/" + l));
    }

    /** xtables_print_num. */
    private void num(StringBuilder out, long n, boolean noTable) {
        if (exact) {
            String s = Long.toUnsignedString(n);
            (noTable ? out.append(s) : pad(out, s, 8)).append(' ');
            return;
        }
        if (Long.compareUnsigned(n, 99999) <= 0) {
            String s = Long.toUnsignedString(n);
            (noTable ? out.append(s) : pad(out, s, 5)).append(' ');
            return;
        }
        String[] suffix = {"K", "M", "G", "T"};
        long v = Long.divideUnsigned(n, 1) ;
        for (int i = 0; i < suffix.length; i++) {
            v = Long.divideUnsigned(v + 500, 1000);
            if (v <= 9999 || i == suffix.length - 1) {
                String s = Long.toUnsignedString(v);
                (noTable ? out.append(s) : pad(out, s, 4)).append(suffix[i]).append(' ');
                return;
            }
        }
    }

    /** printf("%Ns") for width > 0, "%-Ns" for width < 0. */
    static StringBuilder pad(StringBuilder out, String s, int width) {
        int w = Math.abs(width);
        int fill = w - s.length();
        if (width > 0) {
            for (int i = 0; i < fill; i++) {
                out.append(' ');
            }
            out.append(s);
        } else {
            out.append(s);
            for (int i = 0; i < fill; i++) {
                out.append(' ');
            }
        }
        return out;
    }
}
