package io.stockade.ext.match;

/** printf-style helpers for the save/print forms of the match modules (control plane only). */
final class Fmt {
    private Fmt() {
    }

    /** {@code printf("0x%02x", v)}. */
    static String hex2(int v) {
        String h = Integer.toHexString(v);
        return h.length() < 2 ? "0x0" + h : "0x" + h;
    }

    /** {@code printf("0x%x", v)} for an unsigned 32-bit value. */
    static String hex(long v) {
        return "0x" + Long.toHexString(v & 0xffffffffL);
    }

    /** {@code printf("%u", v)} for an unsigned 32-bit value held in a long. */
    static String u32(long v) {
        return Long.toString(v & 0xffffffffL);
    }

    /** The spi/id/segsleft range helpers: a full unsigned range without {@code !} is not printed. */
    static boolean skipRange(long min, long max, boolean inv) {
        return min == 0 && max == 0xffffffffL && !inv;
    }

    /** {@code [ !] --OPT MIN[:MAX]} unless {@link #skipRange}. */
    static void saveRange(StringBuilder out, String opt, long min, long max, boolean inv) {
        if (!skipRange(min, max, inv)) {
            saveRangeAlways(out, opt, min, max, inv);
        }
    }

    /** {@code [ !] --OPT MIN[:MAX]} whatever the range. */
    static void saveRangeAlways(StringBuilder out, String opt, long min, long max, boolean inv) {
        out.append(inv ? " !" : "").append(" --").append(opt).append(' ');
        appendRange(out, min, max);
    }

    /** {@code MIN[:MAX]} (unsigned 32-bit values). */
    static void appendRange(StringBuilder out, long min, long max) {
        out.append(u32(min));
        if (min != max) {
            out.append(':').append(u32(max));
        }
    }

    /** {@code NAME:[!]V} or {@code NAMEs:[!]MIN:MAX} unless {@link #skipRange} (no leading space). */
    static void printRange(StringBuilder out, String name, long min, long max, boolean inv) {
        if (!skipRange(min, max, inv)) {
            out.append(name);
            if (min == max) {
                out.append(':').append(inv ? "!" : "").append(u32(min));
            } else {
                out.append("s:").append(inv ? "!" : "").append(u32(min)).append(':').append(u32(max));
            }
        }
    }
}
