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
 * {@code -m state [!] --state LIST} (libxt_state / xt_state): INVALID, NEW, RELATED, ESTABLISHED,
 * UNTRACKED from the packet's conntrack entry and ctinfo, computed as {@link ConntrackMatch#stateBits}.
 */
public final class StateMatch implements MatchExtension {
    private static final List<Option> OPTIONS = List.of(Option.invValue("state", 0));
    static final String[] NAMES = {"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED"};
    static final int[] BITS = {ConntrackMatch.ST_INVALID, ConntrackMatch.ST_NEW, ConntrackMatch.ST_RELATED,
        ConntrackMatch.ST_ESTABLISHED, ConntrackMatch.ST_UNTRACKED};

    @Override
    public String name() {
        return "state";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private int mask = -1;
            private boolean inv;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                if (mask >= 0) {
                    throw Xt.once("state", "state");
                }
                if (arg.endsWith(",")) {
                    int comma = arg.indexOf(',');
                    String before = arg.substring(0, comma);
                    ConntrackMatch.parseList(before.isEmpty() ? arg : before, NAMES, BITS, "state", null);
                    throw new ParameterProblem(
                            "\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED");
                }
                mask = ConntrackMatch.parseList(arg, NAMES, BITS, "state", null);
                inv = inverted;
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                if (mask < 0) {
                    throw Xt.required("state", "state");
                }
                return new Spec(mask, inv);
            }
        };
    }

    /** The parsed match: a mask of {@code ConntrackMatch.ST_*} bits. */
    public record Spec(int stateMask, boolean inverted) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "state";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(inverted ? " ! --state " : " --state ");
            ConntrackMatch.appendList(out, stateMask, NAMES, BITS, null);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(inverted ? "! state " : "state ");
            ConntrackMatch.appendList(out, stateMask, NAMES, BITS, null);
        }

        @Override
        public boolean matches(Skb skb) {
            return ((stateMask & ConntrackMatch.stateBits(skb)) != 0) != inverted;
        }
    }
}
