package io.stockade.ext.match;

import io.stockade.engine.AddressTypes;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m addrtype [!] --src-type TYPES [!] --dst-type TYPES [--limit-iface-in|--limit-iface-out]}
 * (libxt_addrtype revision 1 / xt_addrtype): the route type of the source/destination address as
 * the host model reports it ({@code Skb.addressTypes}), optionally only on the input/output
 * interface. Types: UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE,
 * PROHIBIT, THROW, NAT, XRESOLVE.
 */
public final class AddrtypeMatch extends XtOptMatch {
    static final int O_SRC = 0;
    static final int O_DST = 1;
    static final int O_IN = 2;
    static final int O_OUT = 3;
    static final String[] TYPES = {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE",
        "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"};
    /** XT_ADDRTYPE_INVERT_SOURCE, _INVERT_DEST, _LIMIT_IFACE_IN, _LIMIT_IFACE_OUT. */
    static final int INV_SRC = 1;
    static final int INV_DST = 2;
    static final int LIMIT_IN = 4;
    static final int LIMIT_OUT = 8;

    public AddrtypeMatch() {
        super("addrtype",
                entry("src-type", O_SRC, Type.STRING, INVERT),
                entry("dst-type", O_DST, Type.STRING, INVERT),
                new Entry("limit-iface-in", O_IN, Type.NONE, 0, 0, 0, 1 << O_OUT, 0),
                new Entry("limit-iface-out", O_OUT, Type.NONE, 0, 0, 0, 1 << O_IN, 0));
    }

    static int parseTypes(String arg) throws ParameterProblem {
        int mask = 0;
        for (String t : arg.split(",", -1)) {
            int bit = -1;
            for (int i = 0; i < TYPES.length; i++) {
                if (TYPES[i].equalsIgnoreCase(t)) {
                    bit = 1 << i;
                }
            }
            if (bit < 0) {
                throw new ParameterProblem("addrtype: bad type \"" + t + "\"");
            }
            mask |= bit;
        }
        return mask;
    }

    static void appendTypes(StringBuilder out, int mask) {
        boolean first = true;
        for (int i = 0; i < TYPES.length; i++) {
            if ((mask & (1 << i)) != 0) {
                out.append(first ? "" : ",").append(TYPES[i]);
                first = false;
            }
        }
    }

    @Override
    protected State newState(ParseEnv env) {
        Family fam = env.family();
        return new State() {
            private int src;
            private int dst;
            private int flags;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_SRC -> {
                        src = parseTypes(cb.arg);
                        flags |= cb.invert ? INV_SRC : 0;
                    }
                    case O_DST -> {
                        dst = parseTypes(cb.arg);
                        flags |= cb.invert ? INV_DST : 0;
                    }
                    case O_IN -> flags |= LIMIT_IN;
                    case O_OUT -> flags |= LIMIT_OUT;
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if ((xflags & ((1 << O_SRC) | (1 << O_DST))) == 0) {
                    throw new ParameterProblem("addrtype: you must specify --src-type or --dst-type");
                }
                return new Spec(fam, src, dst, flags);
            }
        };
    }

    /** The parsed match (struct xt_addrtype_info_v1); type masks are {@code 1 << RTN_*}. */
    public record Spec(Family family, int source, int dest, int flags) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "addrtype";
        }

        @Override
        public void save(StringBuilder out) {
            if (source != 0) {
                out.append((flags & INV_SRC) != 0 ? " ! --src-type " : " --src-type ");
                appendTypes(out, source);
            }
            if (dest != 0) {
                out.append((flags & INV_DST) != 0 ? " ! --dst-type " : " --dst-type ");
                appendTypes(out, dest);
            }
            if ((flags & LIMIT_IN) != 0) {
                out.append(" --limit-iface-in");
            }
            if ((flags & LIMIT_OUT) != 0) {
                out.append(" --limit-iface-out");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("ADDRTYPE match");
            if (source != 0) {
                out.append(" src-type ").append((flags & INV_SRC) != 0 ? "!" : "");
                appendTypes(out, source);
            }
            if (dest != 0) {
                out.append(" dst-type ").append((flags & INV_DST) != 0 ? "!" : "");
                appendTypes(out, dest);
            }
            if ((flags & LIMIT_IN) != 0) {
                out.append(" limit-in");
            }
            if ((flags & LIMIT_OUT) != 0) {
                out.append(" limit-out");
            }
        }

        /** addrtype_mt_checkentry_v1. */
        @Override
        public String check(CheckEnv env) {
            if ((flags & LIMIT_IN) != 0 && (flags & LIMIT_OUT) != 0) {
                return Xt.EINVAL;
            }
            if ((flags & LIMIT_IN) != 0 && (env.hookMask() & (Hook.OUTPUT.bit() | Hook.POSTROUTING.bit())) != 0) {
                return Xt.EINVAL;
            }
            if ((flags & LIMIT_OUT) != 0 && (env.hookMask() & (Hook.PREROUTING.bit() | Hook.INPUT.bit())) != 0) {
                return Xt.EINVAL;
            }
            if (family == Family.IPV6) {
                int both = source | dest;
                if ((both & AddressTypes.BLACKHOLE) != 0 || both >= AddressTypes.PROHIBIT
                        || (both & AddressTypes.BROADCAST) != 0) {
                    return Xt.EINVAL;
                }
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            String dev = (flags & LIMIT_IN) != 0 ? skb.inIface : (flags & LIMIT_OUT) != 0 ? skb.outIface : "";
            PacketDescriptor pd = skb.pd;
            AddressTypes at = skb.addressTypes;
            if (source != 0) {
                boolean m = (at.typeMask(pd.ipVersion, pd.srcHi, pd.srcLo, dev) & source) != 0;
                if (m == ((flags & INV_SRC) != 0)) {
                    return false;
                }
            }
            if (dest != 0) {
                boolean m = (at.typeMask(pd.ipVersion, pd.dstHi, pd.dstLo, dev) & dest) != 0;
                if (m == ((flags & INV_DST) != 0)) {
                    return false;
                }
            }
            return true;
        }
    }
}
