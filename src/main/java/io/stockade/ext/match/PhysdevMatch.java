package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m physdev [!] --physdev-in IF [!] --physdev-out IF [!] --physdev-is-in [!]
 * --physdev-is-out [!] --physdev-is-bridged} (libxt_physdev / xt_physdev): the bridge ports of a
 * bridged packet. The kernel refuses {@code --physdev-out}/{@code --physdev-is-out} from OUTPUT
 * unless {@code --physdev-is-bridged} is given (not inverted).
 *
 * <p>LINUX-DIFF: Stockade does not model bridges, so every packet is one without bridge
 * information: an option matches only when it is inverted (Linux's rule for such packets).
 */
public final class PhysdevMatch extends XtOptMatch {
    static final int OP_IN = 0x01;
    static final int OP_OUT = 0x02;
    static final int OP_BRIDGED = 0x04;
    static final int OP_ISIN = 0x08;
    static final int OP_ISOUT = 0x10;
    /** IFNAMSIZ. */
    static final int IFNAMSIZ = 16;

    public PhysdevMatch() {
        super("physdev",
                entry("physdev-in", 0, Type.STRING, INVERT),
                entry("physdev-out", 1, Type.STRING, INVERT),
                entry("physdev-is-in", 2, Type.NONE, INVERT),
                entry("physdev-is-out", 3, Type.NONE, INVERT),
                entry("physdev-is-bridged", 4, Type.NONE, INVERT));
    }

    static String iface(String arg) throws ParameterProblem {
        if (arg.length() + 1 > IFNAMSIZ) {
            throw new ParameterProblem("interface name `" + arg + "' must be shorter than IFNAMSIZ ("
                    + (IFNAMSIZ - 1) + ")");
        }
        return arg;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int bitmask;
            private int invert;
            private String in = "";
            private String out = "";

            @Override
            void parse(Call cb) throws ParameterProblem {
                int bit = switch (cb.entry.id()) {
                    case 0 -> {
                        in = iface(cb.arg);
                        yield OP_IN;
                    }
                    case 1 -> {
                        out = iface(cb.arg);
                        yield OP_OUT;
                    }
                    case 2 -> OP_ISIN;
                    case 3 -> OP_ISOUT;
                    default -> OP_BRIDGED;
                };
                bitmask |= bit;
                invert |= cb.invert ? bit : 0;
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (xflags == 0) {
                    throw new ParameterProblem("PHYSDEV: no physdev option specified");
                }
                return new Spec(bitmask, invert, in, out);
            }
        };
    }

    /** The parsed match (xt_physdev_info). */
    public record Spec(int bitmask, int invert, String physIn, String physOut) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "physdev";
        }

        @Override
        public void save(StringBuilder out) {
            if ((bitmask & OP_ISIN) != 0) {
                out.append((invert & OP_ISIN) != 0 ? " !" : "").append(" --physdev-is-in");
            }
            if ((bitmask & OP_IN) != 0) {
                out.append((invert & OP_IN) != 0 ? " !" : "").append(" --physdev-in ").append(physIn);
            }
            if ((bitmask & OP_ISOUT) != 0) {
                out.append((invert & OP_ISOUT) != 0 ? " !" : "").append(" --physdev-is-out");
            }
            if ((bitmask & OP_OUT) != 0) {
                out.append((invert & OP_OUT) != 0 ? " !" : "").append(" --physdev-out ").append(physOut);
            }
            if ((bitmask & OP_BRIDGED) != 0) {
                out.append((invert & OP_BRIDGED) != 0 ? " !" : "").append(" --physdev-is-bridged");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("PHYSDEV match");
            save(out);
        }

        @Override
        public String check(CheckEnv env) {
            if ((bitmask & (OP_OUT | OP_ISOUT)) != 0
                    && ((bitmask & OP_BRIDGED) == 0 || (invert & OP_BRIDGED) != 0)
                    && (env.hookMask() & Hook.OUTPUT.bit()) != 0) {
                return EINVAL;
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            // No bridge information: every used option must be inverted.
            return (bitmask & ~invert) == 0;
        }
    }
}
