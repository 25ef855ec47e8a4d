package io.stockade.ext.match;

/**
 * The save and {@code -L} forms of a port range, shared by tcp, udp, dccp and sctp (libxt_tcp's
 * and libxt_udp's {@code print_ports}, the same code in libxt_dccp and libxt_sctp): save
 * {@code " [!] --sport A[:B]"}, list {@code " spt:[!]A"} / {@code " spts:[!]A:B"}.
 */
final class PortText {
    private PortText() {
    }

    /** Appends " --NAME [!]A[:B]" as iptables-save prints a tcp/udp port range (nothing if full and not inverted). */
    static void save(StringBuilder out, String opt, int lo, int hi, boolean inverted) {
        if (lo == 0 && hi == 0xffff && !inverted) {
            return;
        }
        Fmt.saveRangeAlways(out, opt, lo, hi, inverted);
    }

    /** Appends " spt:X" / " spts:A:B" as xt print_ports does (nothing if full and not inverted). */
    static void print(StringBuilder out, String name, int lo, int hi, boolean inverted, String proto,
            boolean numeric) {
        if (lo == 0 && hi == 0xffff && !inverted) {
            return;
        }
        out.append(' ').append(name);
        if (lo == hi) {
            out.append(':').append(inverted ? "!" : "");
            Xt.appendPort(out, lo, proto, numeric);
        } else {
            out.append("s:").append(inverted ? "!" : "");
            Xt.appendPort(out, lo, proto, numeric);
            out.append(':');
            Xt.appendPort(out, hi, proto, numeric);
        }
    }
}
