package io.stockade.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for {@code ip -j} output: objects become {@code Map<String,Object>} (in
 * order), arrays {@code List<Object>}, numbers {@code Long} (or {@code Double} with a fraction
 * or exponent), plus {@code String}, {@code Boolean} and {@code null}. Errors name the byte
 * offset and what was expected.
 */
public final class Json {
    private final String s;
    private int p;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value (surrounding whitespace allowed). */
    public static Object parse(String text) {
        Json j = new Json(text);
        j.ws();
        Object v = j.value();
        j.ws();
        if (j.p != text.length()) {
            throw j.error("end of input");
        }
        return v;
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("JSON: at offset " + p + ": expected " + expected
                + (p < s.length() ? ", found '" + s.charAt(p) + "'" : ", found end of input"));
    }

    private void ws() {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
    }

    private Object value() {
        if (p >= s.length()) {
            throw error("a value");
        }
        char c = s.charAt(p);
        switch (c) {
            case '{' -> {
                return object();
            }
            case '[' -> {
                return array();
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                return literal("true", Boolean.TRUE);
            }
            case 'f' -> {
                return literal("false", Boolean.FALSE);
            }
            case 'n' -> {
                return literal("null", null);
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("a value");
            }
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, p)) {
            throw error("'" + word + "'");
        }
        p += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        p++;
        ws();
        if (p < s.length() && s.charAt(p) == '}') {
            p++;
            return m;
        }
        for (;;) {
            ws();
            if (p >= s.length() || s.charAt(p) != '"') {
                throw error("a string key");
            }
            String k = string();
            ws();
            if (p >= s.length() || s.charAt(p) != ':') {
                throw error("':'");
            }
            p++;
            ws();
            m.put(k, value());
            ws();
            if (p < s.length() && s.charAt(p) == ',') {
                p++;
            } else if (p < s.length() && s.charAt(p) == '}') {
                p++;
                return m;
            } else {
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        p++;
        ws();
        if (p < s.length() && s.charAt(p) == ']') {
            p++;
            return l;
        }
        for (;;) {
            ws();
            l.add(value());
            ws();
            if (p < s.length() && s.charAt(p) == ',') {
                p++;
            } else if (p < s.length() && s.charAt(p) == ']') {
                p++;
                return l;
            } else {
                throw error("',' or ']'");
            }
        }
    }

    private String string() {
        p++;
        StringBuilder b = new StringBuilder();
        while (p < s.length()) {
            char c = s.charAt(p++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                if (p >= s.length()) {
                    break;
                }
                char e = s.charAt(p++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (p + 4 > s.length()) {
                            throw error("four hex digits");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("four hex digits");
                        }
                        p += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
        throw error("'\"' closing the string");
    }

    private Object number() {
        int start = p;
        boolean real = false;
        if (s.charAt(p) == '-') {
            p++;
        }
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c >= '0' && c <= '9') {
                p++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || (c == '-' && real)) {
                real = true;
                p++;
            } else {
                break;
            }
        }
        String t = s.substring(start, p);
        try {
            return real ? (Object) Double.parseDouble(t) : (Object) Long.parseLong(t);
        } catch (NumberFormatException x) {
            p = start;
            throw error("a number");
        }
    }
}
