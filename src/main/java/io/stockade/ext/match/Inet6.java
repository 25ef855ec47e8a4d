package io.stockade.ext.match;

/**
 * IPv6 text forms as glibc's {@code inet_pton}/{@code inet_ntop} produce and accept them, for the
 * address lists of the IPv6 header matches (rt, srh). Addresses are two longs (high, low).
 */
final class Inet6 {
    private Inet6() {
    }

    /** {@code inet_pton(AF_INET6)}: {hi, lo}, or null if the text is not an IPv6 address. */
    static long[] parse(String s) {
        int[] w = new int[8];
        int n = 0;
        int gap = -1;
        int i = 0;
        int len = s.length();
        if (len == 0) {
            return null;
        }
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == len) {
                return new long[] {0, 0};
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < len) {
            int j = i;
            while (j < len && Character.digit(s.charAt(j), 16) >= 0) {
                j++;
            }
            if (j < len && s.charAt(j) == '.') {
                long v4 = parseV4(s.substring(i));
                if (v4 < 0 || n > 6) {
                    return null;
                }
                w[n++] = (int) (v4 >>> 16);
                w[n++] = (int) (v4 & 0xffff);
                i = len;
                break;
            }
            if (j == i || j - i > 4 || n == 8) {
                return null;
            }
            w[n++] = Integer.parseInt(s, i, j, 16);
            if (j == len) {
                i = j;
                break;
            }
            if (s.charAt(j) != ':') {
                return null;
            }
            if (j + 1 < len && s.charAt(j + 1) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = n;
                i = j + 2;
            } else {
                i = j + 1;
                if (i == len) {
                    return null;
                }
            }
        }
        int[] out = new int[8];
        if (gap >= 0) {
            if (n == 8) {
                return null;
            }
            System.arraycopy(w, 0, out, 0, gap);
            System.arraycopy(w, gap, out, 8 - (n - gap), n - gap);
        } else {
            if (n != 8) {
                return null;
            }
            out = w;
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | out[k];
            lo = (lo << 16) | out[k + 4];
        }
        return new long[] {hi, lo};
    }

    private static long parseV4(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length != 4) {
            return -1;
        }
        long v = 0;
        for (String q : p) {
            if (q.isEmpty() || q.length() > 3 || !q.chars().allMatch(Character::isDigit)
                    || (q.length() > 1 && q.charAt(0) == '0')) {
                return -1;
            }
            int b = Integer.parseInt(q);
            if (b > 255) {
                return -1;
            }
            v = (v << 8) | b;
        }
        return v;
    }

    /** {@code inet_ntop(AF_INET6)} (glibc): longest zero run compressed, IPv4 tail when mapped. */
    static String format(long hi, long lo) {
        int[] w = new int[8];
        for (int k = 0; k < 4; k++) {
            w[k] = (int) (hi >>> (48 - 16 * k)) & 0xffff;
            w[k + 4] = (int) (lo >>> (48 - 16 * k)) & 0xffff;
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int k = 0; k < 8; k++) {
            if (w[k] == 0) {
                if (curBase < 0) {
                    curBase = k;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase >= 0) {
                if (bestBase < 0 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase >= 0 && bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            if (bestBase >= 0 && k >= bestBase && k < bestBase + bestLen) {
                if (k == bestBase) {
                    sb.append(':');
                }
                continue;
            }
            if (k != 0) {
                sb.append(':');
            }
            if (k == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                sb.append(w[6] >>> 8).append('.').append(w[6] & 0xff).append('.')
                        .append(w[7] >>> 8).append('.').append(w[7] & 0xff);
                break;
            }
            sb.append(Integer.toHexString(w[k]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }
}
