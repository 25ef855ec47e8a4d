package io.stockade.syntax;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line as a POSIX shell would, without expansions: blanks separate words;
 * {@code '…'} is literal; {@code "…"} is literal except {@code \" \\ \$ \`} and a
 * backslash-newline; outside quotes a backslash quotes the next character; {@code #} at the start
 * of a word starts a comment. Returns null for an unterminated quote.
 */
public final class ShellWords {
    private ShellWords() {
    }

    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    return null;
                }
                w.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                inWord = true;
                boolean closed = false;
                while (i < n) {
                    char d = line.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        w.append(line.charAt(i + 1));
                        i += 2;
                        continue;
                    }
                    w.append(d);
                    i++;
                }
                if (!closed) {
                    return null;
                }
            } else if (c == '\\') {
                if (i + 1 < n) {
                    w.append(line.charAt(i + 1));
                }
                inWord = true;
                i += 2;
            } else {
                w.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }
}
