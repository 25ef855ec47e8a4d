package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m socket [--transparent] [--nowildcard] [--restore-skmark]} (libxt_socket revision 3 /
 * xt_socket): the packet belongs to a local socket. Valid from PREROUTING and INPUT only.
 *
 * <p>LINUX-DIFF: Stockade has no local socket table, so the match never matches (as for a packet
 * without a socket in Linux); {@code --restore-skmark} therefore never sets the mark.
 */
public final class SocketMatch extends XtOptMatch {
    static final int TRANSPARENT = 1;
    static final int NOWILDCARD = 2;
    static final int RESTORESKMARK = 4;

    public SocketMatch() {
        super("socket",
                entry("transparent", 0, Type.NONE, 0),
                entry("nowildcard", 1, Type.NONE, 0),
                entry("restore-skmark", 2, Type.NONE, 0));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int flags;

            @Override
            void parse(Call cb) {
                flags |= 1 << cb.entry.id();
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(flags);
            }
        };
    }

    /** The parsed match (xt_socket_mtinfo3 flags). */
    public record Spec(int flags) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "socket";
        }

        @Override
        public void save(StringBuilder out) {
            if ((flags & TRANSPARENT) != 0) {
                out.append(" --transparent");
            }
            if ((flags & NOWILDCARD) != 0) {
                out.append(" --nowildcard");
            }
            if ((flags & RESTORESKMARK) != 0) {
                out.append(" --restore-skmark");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("socket");
            save(out);
        }

        @Override
        public String check(CheckEnv env) {
            return env.onlyHooks(Hook.PREROUTING.bit() | Hook.INPUT.bit()) ? null : EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            return false;
        }
    }
}
