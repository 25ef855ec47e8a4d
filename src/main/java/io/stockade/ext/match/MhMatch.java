package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * IPv6 {@code -m mh [!] --mh-type TYPE[:TYPE]} (libip6t_mh / ip6t_mh): the Mobility Header type
 * (number or name such as {@code binding-update}/{@code bu}, unique prefixes accepted). The kernel
 * requires {@code -p mobility-header} (135); a header whose payload-proto is not 59 is hot-dropped.
 */
public final class MhMatch extends XtOptMatch {
    static final int IPPROTO_MH = 135;
    private static final String[] NAMES = {
        "binding-refresh-request", "brr", "home-test-init", "hoti", "careof-test-init", "coti",
        "home-test", "hot", "careof-test", "cot", "binding-update", "bu",
        "binding-acknowledgement", "ba", "binding-error", "be"};
    private static final int[] TYPES = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7};

    public MhMatch() {
        super("mh", entry("mh-type", 0, Type.STRING, INVERT));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    /** name_to_type: a prefix of a name (an exact name wins), else a number 0..255. */
    static int nameToType(String name) throws ParameterProblem {
        int match = -1;
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].regionMatches(true, 0, name, 0, name.length()) && name.length() <= NAMES[i].length()) {
                if (match < 0 || NAMES[i].length() == name.length()) {
                    match = i;
                }
            }
        }
        if (match >= 0) {
            return TYPES[match];
        }
        long n = strictUint(name, 0, 0xff);
        if (n < 0) {
            throw new ParameterProblem("Invalid MH type `" + name + "'");
        }
        return (int) n;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int min;
            private int max = 0xff;
            private boolean inv;

            @Override
            void parse(Call cb) throws ParameterProblem {
                int colon = cb.arg.indexOf(':');
                if (colon < 0) {
                    min = max = nameToType(cb.arg);
                } else {
                    String a = cb.arg.substring(0, colon);
                    String b = cb.arg.substring(colon + 1);
                    min = a.isEmpty() ? 0 : nameToType(a);
                    max = b.isEmpty() ? 0xff : nameToType(b);
                    if (min > max) {
                        throw new ParameterProblem("Invalid MH type range (min > max)");
                    }
                }
                inv |= cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(min, max, inv);
            }
        };
    }

    static String typeName(int type) {
        for (int i = 0; i < NAMES.length; i += 2) {
            if (TYPES[i] == type) {
                return NAMES[i];
            }
        }
        return null;
    }

    /** The parsed match (ip6t_mh). */
    public record Spec(int min, int max, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "mh";
        }

        private static String type(int t, boolean numeric) {
            String n = numeric ? null : typeName(t);
            return n != null ? n : Integer.toString(t);
        }

        @Override
        public void save(StringBuilder out) {
            if (min == 0 && max == 0xff && !invert) {
                return;
            }
            out.append(invert ? " !" : "").append(" --mh-type ").append(min);
            if (min != max) {
                out.append(':').append(max);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("mh");
            if (!(min == 0 && max == 0xff && !invert)) {
                out.append(' ').append(invert ? "!" : "").append(type(min, numeric));
                if (min != max) {
                    out.append(':').append(type(max, numeric));
                }
            }
        }

        @Override
        public String check(CheckEnv env) {
            return AhMatch.requireProto(env, IPPROTO_MH);
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            if (pd.fragOffset != 0 || pd.l4Offset < 0 || !HeaderBytes.has(pd, pd.l4Offset, 6)) {
                return false;
            }
            if (HeaderBytes.u8(pd, pd.l4Offset) != HeaderBytes.NEXTHDR_NONE) {
                return false;
            }
            int t = HeaderBytes.u8(pd, pd.l4Offset + 2);
            return (t >= min && t <= max) ^ invert;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            var pd = skb.pd;
            return pd.fragOffset == 0 && (pd.l4Offset < 0 || !HeaderBytes.has(pd, pd.l4Offset, 6)
                    || HeaderBytes.u8(pd, pd.l4Offset) != HeaderBytes.NEXTHDR_NONE);
        }
    }
}
