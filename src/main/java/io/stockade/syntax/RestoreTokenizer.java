package io.stockade.syntax;

import java.util.List;

/**
 * Splits a restore rule line into arguments as iptables-restore's add_param_to_argv does:
 * blanks (space, tab, newline) separate; double quotes group (and may start mid-word); inside
 * quotes a backslash escapes the next character; outside quotes backslashes are literal; an
 * unterminated quote runs to the end of the line. One argument may hold at most 1023 bytes and a
 * line at most 255 arguments, as in iptables.
 */
public final class RestoreTokenizer {
    private RestoreTokenizer() {
    }

    static final int MAX_PARAM = 1024;
    static final int MAX_ARGC = 255;

    /** Appends the arguments of {@code line} to {@code out}. */
    public static void tokenize(String line, List<String> out, String program) throws CommandFailure {
        StringBuilder param = new StringBuilder();
        boolean quoteOpen = false;
        boolean escaped = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoteOpen) {
                if (escaped) {
                    add(param, c, program);
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    // a closing quote ends the argument, even an empty one
                    quoteOpen = false;
                    push(out, param, program);
                } else {
                    add(param, c, program);
                }
                continue;
            }
            if (c == '"') {
                quoteOpen = true;
            } else if (c == ' ' || c == '\t' || c == '\n') {
                if (param.length() > 0) {
                    push(out, param, program);
                }
            } else {
                add(param, c, program);
            }
        }
        if (param.length() > 0) {
            push(out, param, program);
        }
    }

    private static void add(StringBuilder param, char c, String program) throws CommandFailure {
        param.append(c);
        if (param.length() >= MAX_PARAM) {
            throw Messages.parameter(program, "Parameter too long!");
        }
    }

    private static void push(List<String> out, StringBuilder param, String program) throws CommandFailure {
        if (out.size() + 1 >= MAX_ARGC) {
            throw Messages.parameter(program, "Parser cannot handle more arguments");
        }
        out.add(param.toString());
        param.setLength(0);
    }
}
