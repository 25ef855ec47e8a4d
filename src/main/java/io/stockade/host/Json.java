package io.stockade.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for {@code ip -j} output: objects become {@code Map<String,Object>} (in
 * order), arrays {@code List<Object>}, numbers {@code Long} (or {@code Double} with a fraction
 * or exponent), plus {@code String}, {@code Boolean} and {@code null}. Errors name the byte
 * offset and what was expected. Also the matching writer ({@link #write}, {@link #quote}) that the
 * CLI's JSON output and the differential harness's driver protocol use.
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

    /** {@code o} as an object ({@link #parse}'s form), or an empty map when it is not one. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> obj(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** {@code o} as an array, or an empty list when it is not one. */
    @SuppressWarnings("unchecked")
    public static List<Object> arr(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** Writes a tree of Map, List, String, Number, Boolean and null as compact JSON. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("null");
            case CharSequence str -> quote(b, str);
            case Number n -> b.append(n);
            case Boolean t -> b.append(t);
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(first ? "" : ",");
                    first = false;
                    quote(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    b.append(k > 0 ? "," : "");
                    write(b, l.get(k));
                }
                b.append(']');
            }
            default -> throw new IllegalArgumentException("not JSON: " + v.getClass().getName());
        }
    }

    /** Appends {@code str} as a JSON string: quotes, backslash, and control characters escaped. */
    public static void quote(StringBuilder b, CharSequence str) {
        b.append('"');
        for (int k = 0; k < str.length(); k++) {
            char c = str.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
