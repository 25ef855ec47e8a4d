package io.stockade.syntax;

/**
 * C-style number parsing as libxtables' xtables_strtoui (strtoul with base 0: decimal, 0x hex,
 * 0 octal): the one implementation, used by the command parser and the extension modules.
 */
public final class Numbers {
    private Numbers() {
    }

    /**
     * Parses {@code s} fully as an unsigned number in C base-0 notation within [min, max];
     * returns -1 if it is not such a number (max must be below Long.MAX_VALUE).
     */
    public static long parseUnsigned(String s, long min, long max) {
        Num n = s == null ? null : Num.parse(s, 0, 0);
        if (n == null || n.end != s.length() || n.overflow
                || Long.compareUnsigned(n.value, min) < 0 || Long.compareUnsigned(n.value, max) > 0) {
            return -1;
        }
        return n.value;
    }

    /**
     * C's {@code strtoumax} as libxtables uses it: leading white space, optional {@code +}, base
     * 0 = {@code 0x} hex / leading-0 octal / decimal; a leading {@code -} is refused (as
     * {@code xtables_strtoul_base} does). {@link #end} is the index after the digits.
     */
    public static final class Num {
        public long value;
        public int end;
        public boolean overflow;

        /** Parses at {@code pos}; null if no digits (C: end == start). */
        public static Num parse(String s, int pos, int base) {
            int p = pos;
            while (p < s.length() && isSpace(s.charAt(p))) {
                p++;
            }
            if (p < s.length() && s.charAt(p) == '-') {
                return null;
            }
            if (p < s.length() && s.charAt(p) == '+') {
                p++;
            }
            int b = base;
            if ((b == 0 || b == 16) && p + 1 < s.length() && s.charAt(p) == '0'
                    && (s.charAt(p + 1) == 'x' || s.charAt(p + 1) == 'X')
                    && p + 2 < s.length() && Character.digit(s.charAt(p + 2), 16) >= 0) {
                b = 16;
                p += 2;
            } else if (b == 0) {
                b = p < s.length() && s.charAt(p) == '0' ? 8 : 10;
            }
            Num n = new Num();
            int start = p;
            long v = 0;
            while (p < s.length()) {
                int d = Character.digit(s.charAt(p), b);
                if (d < 0 || s.charAt(p) > 'z') {
                    break;
                }
                if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, b)) > 0) {
                    n.overflow = true;
                }
                v = v * b + d;
                p++;
            }
            if (p == start) {
                return null;
            }
            n.value = v;
            n.end = p;
            return n;
        }

        public boolean inRange(long min, long max) {
            return !overflow && Long.compareUnsigned(value, min) >= 0
                    && (max == 0 || Long.compareUnsigned(value, max) <= 0);
        }

        private static boolean isSpace(char c) {
            return c == ' ' || (c >= '\t' && c <= '\r');
        }
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
