package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m devgroup [!] --src-group G[/M] [!] --dst-group G[/M]} (libxt_devgroup / xt_devgroup):
 * the device group of the input / output interface, names from {@code /etc/iproute2/group}. The
 * kernel refuses {@code --src-group} where there is no input device (OUTPUT, POSTROUTING) and
 * {@code --dst-group} before routing (PREROUTING, INPUT).
 *
 * <p>LINUX-DIFF: Stockade's interfaces have no device group yet; every interface is in group 0
 * ("default"), which is also Linux's default.
 */
public final class DevgroupMatch extends XtOptMatch {
    static final String GROUPS = "/etc/iproute2/group";
    static final int MATCH_SRC = 0x1;
    static final int INVERT_SRC = 0x2;
    static final int MATCH_DST = 0x4;
    static final int INVERT_DST = 0x8;

    public DevgroupMatch() {
        super("devgroup",
                entry("src-group", 0, Type.STRING, INVERT),
                entry("dst-group", 1, Type.STRING, INVERT));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long srcGroup;
            private long srcMask;
            private long dstGroup;
            private long dstMask;
            private int flags;

            @Override
            void parse(Call cb) throws ParameterProblem {
                long[] vm = ValMask.parse("devgroup", cb.entry.name(), cb.arg, ValMask.Lmap.load(GROUPS));
                if (cb.entry.id() == 0) {
                    srcGroup = vm[0];
                    srcMask = vm[1];
                    flags |= MATCH_SRC | (cb.invert ? INVERT_SRC : 0);
                } else {
                    dstGroup = vm[0];
                    dstMask = vm[1];
                    flags |= MATCH_DST | (cb.invert ? INVERT_DST : 0);
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (xflags == 0) {
                    throw new ParameterProblem(
                            "devgroup match: You must specify either '--src-group' or '--dst-group'");
                }
                return new Spec(flags, srcGroup, srcMask, dstGroup, dstMask);
            }
        };
    }

    /** The parsed match (xt_devgroup_info). */
    public record Spec(int flags, long srcGroup, long srcMask, long dstGroup, long dstMask)
            implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "devgroup";
        }

        private void show(StringBuilder out, String pfx, ValMask.Lmap lmap) {
            if ((flags & MATCH_SRC) != 0) {
                out.append((flags & INVERT_SRC) != 0 ? " !" : "").append(' ').append(pfx).append("src-group");
                ValMask.print(out, srcGroup, srcMask, lmap);
            }
            if ((flags & MATCH_DST) != 0) {
                out.append((flags & INVERT_DST) != 0 ? " !" : "").append(' ').append(pfx).append("dst-group");
                ValMask.print(out, dstGroup, dstMask, lmap);
            }
        }

        @Override
        public void save(StringBuilder out) {
            show(out, "--", ValMask.Lmap.load(GROUPS));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            show(sb, "", numeric ? null : ValMask.Lmap.load(GROUPS));
            out.append(sb, 1, sb.length());
        }

        @Override
        public String check(CheckEnv env) {
            if ((flags & MATCH_SRC) != 0 && !env.onlyHooks(
                    Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit())) {
                return EINVAL;
            }
            if ((flags & MATCH_DST) != 0 && !env.onlyHooks(
                    Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit())) {
                return EINVAL;
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            long group = 0;
            if ((flags & MATCH_SRC) != 0
                    && ((((srcGroup ^ group) & srcMask) != 0) ^ ((flags & INVERT_SRC) != 0))) {
                return false;
            }
            return (flags & MATCH_DST) == 0
                    || !((((dstGroup ^ group) & dstMask) != 0) ^ ((flags & INVERT_DST) != 0));
        }
    }
}
