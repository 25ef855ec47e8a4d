package io.stockade.ext.match;

import io.stockade.engine.AddressTypes;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;

/**
 * {@code -m rpfilter [--loose] [--validmark] [--accept-local] [--invert]} (libxt_rpfilter /
 * xt_rpfilter): reverse-path check of the source address through the host's routes
 * ({@code Skb.addressTypes}): the best route back to the source must be unicast (or local with
 * {@code --accept-local}) and leave through the input interface (any interface with
 * {@code --loose}). Loopback packets and 0.0.0.0 to broadcast/local multicast pass. Only in
 * PREROUTING of raw and mangle.
 */
public final class RpfilterMatch extends XtOptMatch {
    static final int LOOSE = 1;
    static final int VALID_MARK = 2;
    static final int ACCEPT_LOCAL = 4;
    static final int INVERT_FLAG = 8;
    static final String[] NAMES = {"loose", "validmark", "accept-local", "invert"};

    public RpfilterMatch() {
        super("rpfilter", entry("loose", 0, Type.NONE, 0), entry("validmark", 1, Type.NONE, 0),
                entry("accept-local", 2, Type.NONE, 0), entry("invert", 3, Type.NONE, 0));
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

    /** The parsed match (struct xt_rpfilter_info). */
    public record Spec(int flags) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "rpfilter";
        }

        @Override
        public void save(StringBuilder out) {
            for (int i = 0; i < NAMES.length; i++) {
                if ((flags & (1 << i)) != 0) {
                    out.append(" --").append(NAMES[i]);
                }
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("rpfilter");
            for (int i = 0; i < NAMES.length; i++) {
                if ((flags & (1 << i)) != 0) {
                    out.append(' ').append(NAMES[i]);
                }
            }
        }

        @Override
        public String check(CheckEnv env) {
            if (env.table() != TableKind.RAW && env.table() != TableKind.MANGLE) {
                return Xt.EINVAL;
            }
            return env.onlyHooks(Hook.PREROUTING.bit()) ? null : Xt.EINVAL;
        }

        @Override
        // LINUX-DIFF: --validmark does not steer the lookup (the host model has no mark-based rules).
        public boolean matches(Skb skb) {
            boolean invert = (flags & INVERT_FLAG) != 0;
            PacketDescriptor pd = skb.pd;
            if (skb.pktType == 5 || "lo".equals(skb.inIface)) {
                return !invert;
            }
            if (pd.ipVersion == 4 && pd.srcLo == 0) {
                long d = pd.dstLo;
                if (d == 0xffffffffL || (d & 0xffffff00L) == 0xe0000000L) {
                    return !invert;
                }
            }
            AddressTypes at = skb.addressTypes;
            int type = at.routeType(pd.ipVersion, pd.srcHi, pd.srcLo);
            boolean ok;
            if (type == 0) {
                ok = false;
            } else if (type != AddressTypes.UNICAST
                    && (type != AddressTypes.LOCAL || (flags & ACCEPT_LOCAL) == 0)) {
                ok = false;
            } else {
                ok = (flags & LOOSE) != 0 || skb.inIface.equals(at.routeDevice(pd.ipVersion, pd.srcHi, pd.srcLo));
            }
            return ok != invert;
        }
    }
}
