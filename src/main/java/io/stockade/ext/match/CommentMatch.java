package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.List;

/**
 * {@code -m comment --comment TEXT} (libxt_comment / xt_comment): always matches; the text (at most
 * 255 bytes) is kept for listings. iptables-save prints it double-quoted only when it needs quotes.
 * This is the reference shape for a module: extension (option table + parser) and spec (record
 * that saves, prints and matches) in one file.
 */
public final class CommentMatch implements MatchExtension {
    private static final int O_COMMENT = 0;
    private static final List<Option> OPTIONS = List.of(Option.value("comment", O_COMMENT));
    /** XT_MAX_COMMENT_LEN - 1: the kernel struct holds 256 bytes including the NUL. */
    static final int MAX_LENGTH = 255;

    @Override
    public String name() {
        return "comment";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private String text;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                if (text != null) {
                    throw new ParameterProblem("comment: \"--comment\" option may only be specified once");
                }
                if (arg.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH) {
                    throw new ParameterProblem("comment: argument too long (max " + MAX_LENGTH + ")");
                }
                text = arg;
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                if (text == null) {
                    throw new ParameterProblem("comment: option \"--comment\" must be specified\n");
                }
                return new Spec(text);
            }
        };
    }

    /** The parsed match. */
    public record Spec(String comment) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "comment";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --comment ");
            io.stockade.syntax.Quoting.appendSaveString(out, comment);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("/* ").append(comment).append(" */");
        }

        @Override
        public boolean matches(Skb skb) {
            return true;
        }
    }
}
