package io.stockade.syntax;

/** C-style number parsing as libxtables' xtables_strtoui (strtoul with base 0: decimal, 0x hex, 0 octal). */
public final class Numbers {
    private Numbers() {
    }

    /**
     * Parses {@code s} fully as an unsigned number in C base-0 notation within [min, max];
     * returns -1 if it is not such a number (max must be below Long.MAX_VALUE).
     */
    public static long parseUnsigned(String s, long min, long max) {
        if (s == null || s.isEmpty()) {
            return -1;
        }
        int i = 0;
        // strtoul skips leading whitespace and accepts a sign; xtables rejects '-' in practice
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '+') {
            i++;
        }
        int radix = 10;
        if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
            radix = 16;
            i += 2;
        } else if (s.startsWith("0", i) && s.length() > i + 1) {
            radix = 8;
            i += 1;
        }
        if (i >= s.length()) {
            return radix == 16 ? -1 : (radix == 8 ? 0 : -1);
        }
        long v = 0;
        for (; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), radix);
            if (d < 0) {
                return -1;
            }
            v = v * radix + d;
            if (v > max) {
                return -1;
            }
        }
        return v < min ? -1 : v;
    }

    /** int overload of {@link #parseUnsigned(String, long, long)}. */
    public static int parseUnsigned(String s, int min, int max) {
        return (int) parseUnsigned(s, (long) min, (long) max);
    }

    /** sscanf("%llu"): leading decimal digits (after optional whitespace/+); -1 if none. */
    public static long scanUnsignedLong(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '+') {
            i++;
        }
        int start = i;
        long v = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = v * 10 + (s.charAt(i) - '0');
            i++;
        }
        return i == start ? -1 : v;
    }
}
