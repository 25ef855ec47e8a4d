package io.stockade.syntax;

/** Quoting of option arguments in iptables-save output (libxtables' xtables_save_string). */
public final class Quoting {
    private Quoting() {
    }

    /**
     * Appends {@code value} as xtables_save_string does: bare if it is non-empty and only
     * letters, digits, {@code _} and {@code -}; else in double quotes with {@code "}, {@code \} and
     * {@code '} backslash-escaped.
     */
    public static void appendSaveString(StringBuilder out, String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_')) {
                plain = false;
            }
        }
        if (plain) {
            out.append(value);
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == '\'') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }
}
