package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.lang.foreign.ValueLayout;

/**
 * {@code -m string --algo bm|kmp [--from N] [--to N] [!] --string TEXT|--hex-string HEX [--icase]}
 * (libxt_string revision 1 / xt_string): the pattern (at most 128 bytes) anywhere in the packet
 * bytes from the IP header on, wholly inside {@code [from, to)}. Both algorithms find the same
 * matches on a linear packet, so one search serves them. The pattern is kept as a Latin-1 string
 * (one char per byte).
 */
public final class StringMatch extends XtOptMatch {
    static final int O_FROM = 0;
    static final int O_TO = 1;
    static final int O_ALGO = 2;
    static final int O_STRING = 3;
    static final int O_HEX = 4;
    static final int O_ICASE = 5;
    static final int MAX_PATTERN = 128;

    public StringMatch() {
        super("string",
                entry("from", O_FROM, Type.UINT16, 0),
                entry("to", O_TO, Type.UINT16, 0),
                entry("algo", O_ALGO, Type.STRING, MAND),
                entry("string", O_STRING, Type.STRING, INVERT),
                entry("hex-string", O_HEX, Type.STRING, INVERT),
                entry("icase", O_ICASE, Type.NONE, 0));
    }

    static String parseHex(String s) throws ParameterProblem {
        if (s.isEmpty()) {
            throw new ParameterProblem("STRING must contain at least one char");
        }
        StringBuilder p = new StringBuilder();
        int i = 0;
        int n = s.length();
        boolean hex = false;
        while (i < n) {
            boolean literal = false;
            char c = s.charAt(i);
            if (c == '\\' && !hex) {
                literal = true;
            } else if (c == '\\') {
                throw new ParameterProblem("Cannot include literals in hex data");
            } else if (c == '|') {
                if (hex) {
                    hex = false;
                } else {
                    hex = true;
                    while (i + 1 < n && s.charAt(i + 1) == ' ') {
                        i++;
                    }
                }
                if (i + 1 >= n) {
                    break;
                }
                i++;
            }
            if (literal) {
                if (i + 1 >= n) {
                    throw new ParameterProblem("Bad literal placement at end of string");
                }
                p.append(s.charAt(i + 1));
                i += 2;
            } else if (hex) {
                if (i + 1 >= n) {
                    throw new ParameterProblem("Odd number of hex digits");
                }
                if (i + 2 >= n) {
                    throw new ParameterProblem("Invalid hex block");
                }
                int h = Character.digit(s.charAt(i), 16);
                int l = Character.digit(s.charAt(i + 1), 16);
                if (h < 0) {
                    throw new ParameterProblem("Invalid hex char '" + s.charAt(i) + "'");
                }
                if (l < 0) {
                    throw new ParameterProblem("Invalid hex char '" + s.charAt(i + 1) + "'");
                }
                p.append((char) (h * 16 + l));
                i += s.charAt(i + 2) == ' ' ? 3 : 2;
            } else {
                p.append(s.charAt(i));
                i++;
            }
            if (p.length() > MAX_PATTERN + 1) {
                throw new ParameterProblem("STRING too long \"" + s + "\"");
            }
        }
        if (p.length() > MAX_PATTERN) {
            throw new ParameterProblem("STRING too long \"" + s + "\"");
        }
        return p.toString();
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int from;
            private int to = 0xffff;
            private String algo;
            private String pattern;
            private boolean inv;
            private boolean icase;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_FROM -> from = (int) cb.value;
                    case O_TO -> to = (int) cb.value;
                    case O_ALGO -> algo = cb.arg;
                    case O_STRING -> {
                        byte[] b = cb.arg.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        if (b.length > MAX_PATTERN) {
                            throw new ParameterProblem("STRING too long \"" + cb.arg + "\"");
                        }
                        pattern = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
                        inv = cb.invert;
                    }
                    case O_HEX -> {
                        pattern = parseHex(cb.arg);
                        inv = cb.invert;
                    }
                    case O_ICASE -> icase = true;
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (pattern == null) {
                    throw new ParameterProblem("STRING match: You must specify `--string' or `--hex-string'");
                }
                return new Spec(algo, pattern, from, to, inv, icase);
            }
        };
    }

    /** The parsed match (struct xt_string_info revision 1); the pattern one char per byte. */
    public record Spec(String algo, String pattern, int from, int to, boolean invert, boolean icase)
            implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "string";
        }

        private boolean hexForm() {
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    return true;
                }
            }
            return false;
        }

        private void appendPattern(StringBuilder out) {
            if (hexForm()) {
                out.append("\"|");
                for (int i = 0; i < pattern.length(); i++) {
                    out.append(String.format("%02x", (int) pattern.charAt(i)));
                }
                out.append("|\"");
            } else {
                out.append('"');
                for (int i = 0; i < pattern.length(); i++) {
                    char c = pattern.charAt(i);
                    if (c == '"' || c == '\\') {
                        out.append('\\');
                    }
                    out.append(c);
                }
                out.append('"');
            }
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " ! " : " ").append(hexForm() ? "--hex-string " : "--string ");
            appendPattern(out);
            out.append(" --algo ").append(algo);
            if (from != 0) {
                out.append(" --from ").append(from);
            }
            if (to != 0xffff) {
                out.append(" --to ").append(to);
            }
            if (icase) {
                out.append(" --icase");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("STRING match ").append(invert ? "!" : "").append(' ');
            appendPattern(out);
            out.append(" ALGO name ").append(algo);
            if (from != 0) {
                out.append(" FROM ").append(from);
            }
            if (to != 0xffff) {
                out.append(" TO ").append(to);
            }
            if (icase) {
                out.append(" ICASE");
            }
        }

        /** string_mt_check: from &gt; to is EINVAL; an unknown algorithm is ENOENT. */
        @Override
        public String check(CheckEnv env) {
            if (from > to) {
                return Xt.EINVAL;
            }
            if (!algo.equals("bm") && !algo.equals("kmp") && !algo.equals("fsm")) {
                return "No chain/target/match by that name.";
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            PacketDescriptor pd = skb.pd;
            long base = pd.base;
            int len = (int) (pd.length - base);
            int end = Math.min(to, len);
            int plen = pattern.length();
            boolean found = false;
            for (int i = from; i + plen <= end && !found; i++) {
                int k = 0;
                while (k < plen) {
                    int b = pd.data.get(ValueLayout.JAVA_BYTE, base + i + k) & 0xff;
                    int c = pattern.charAt(k);
                    if (b != c && !(icase && lower(b) == lower(c))) {
                        break;
                    }
                    k++;
                }
                found = k == plen;
            }
            return found != invert;
        }

        private static int lower(int c) {
            return c >= 'A' && c <= 'Z' ? c + 32 : c;
        }
    }
}
