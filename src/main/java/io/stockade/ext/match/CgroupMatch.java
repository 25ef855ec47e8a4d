package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m cgroup [!] --path PATH | [!] --cgroup CLASSID} (libxt_cgroup revision 2 / xt_cgroup):
 * the cgroup of the packet's local socket. Exactly one of the two is required (kernel check);
 * valid from INPUT, OUTPUT and POSTROUTING.
 *
 * <p>LINUX-DIFF: Stockade's packets carry no socket, so (as for socket-less packets in Linux) the
 * match is false whatever the inversion; the kernel's check that {@code --path} exists in the
 * cgroup2 hierarchy is not made.
 */
public final class CgroupMatch extends XtOptMatch {
    private static final int O_CLASSID = 0;
    private static final int O_PATH = 1;
    /** XT_CGROUP_PATH_MAX - 1. */
    static final int PATH_MAX = 4095;

    public CgroupMatch() {
        super("cgroup",
                entry("cgroup", O_CLASSID, Type.UINT32, INVERT),
                entry("path", O_PATH, Type.STRING, INVERT));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private String path;
            private boolean invPath;
            private boolean hasClassid;
            private long classid;
            private boolean invClassid;

            @Override
            void parse(Call cb) {
                if (cb.entry.id() == O_PATH) {
                    path = cb.arg.length() > PATH_MAX ? cb.arg.substring(0, PATH_MAX) : cb.arg;
                    invPath |= cb.invert;
                } else {
                    hasClassid = true;
                    classid = cb.value;
                    invClassid |= cb.invert;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(path, invPath, hasClassid, classid, invClassid);
            }
        };
    }

    /** The parsed match (xt_cgroup_info_v2); {@code path} null when not given. */
    public record Spec(String path, boolean invPath, boolean hasClassid, long classid, boolean invClassid)
            implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "cgroup";
        }

        @Override
        public void save(StringBuilder out) {
            if (path != null) {
                out.append(invPath ? " !" : "").append(" --path ");
                io.stockade.syntax.Quoting.appendSaveString(out, path);
            }
            if (hasClassid) {
                out.append(invClassid ? " !" : "").append(" --cgroup ").append(classid);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("cgroup");
            if (path != null) {
                out.append(' ').append(invPath ? "! " : "").append(path);
            }
            if (hasClassid) {
                out.append(' ').append(invClassid ? "! " : "").append(classid);
            }
        }

        @Override
        public String check(CheckEnv env) {
            if ((path == null) == !hasClassid) {
                return EINVAL;
            }
            return env.onlyHooks(Hook.INPUT.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit()) ? null : EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            return false;
        }
    }
}
