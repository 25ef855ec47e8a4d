package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code -m policy --dir in|out --pol none|ipsec [--strict] [[!] --reqid N] [[!] --spi N]
 * [[!] --proto ah|esp|ipcomp] [[!] --mode transport|tunnel] [[!] --tunnel-src A[/M]]
 * [[!] --tunnel-dst A[/M]] [--next …]} (libxt_policy / xt_policy): the IPsec policy that was
 * applied on input (decapsulation) or will be applied on output. Up to 4 elements with
 * {@code --strict}. The kernel refuses {@code --dir out} in PREROUTING/INPUT and {@code --dir in}
 * in POSTROUTING/OUTPUT.
 *
 * <p>LINUX-DIFF: Stockade has no IPsec (no xfrm state or policies), so every packet is one that
 * Linux would see without IPsec: {@code --pol none} matches, {@code --pol ipsec} never does.
 */
public final class PolicyMatch extends XtOptMatch {
    private static final int O_DIR = 0;
    private static final int O_POL = 1;
    private static final int O_STRICT = 2;
    private static final int O_REQID = 3;
    private static final int O_SPI = 4;
    private static final int O_PROTO = 5;
    private static final int O_MODE = 6;
    private static final int O_TUNNELSRC = 7;
    private static final int O_TUNNELDST = 8;
    private static final int O_NEXT = 9;
    static final int MATCH_IN = 1;
    static final int MATCH_OUT = 2;
    static final int MATCH_NONE = 4;
    static final int MATCH_STRICT = 8;
    static final int MODE_TRANSPORT = 0;
    static final int MODE_TUNNEL = 1;
    static final int MAX_ELEM = 4;

    public PolicyMatch() {
        super("policy",
                entry("dir", O_DIR, Type.STRING, 0),
                entry("pol", O_POL, Type.STRING, 0),
                entry("strict", O_STRICT, Type.NONE, 0),
                entry("reqid", O_REQID, Type.UINT32, MULTI | INVERT),
                entry("spi", O_SPI, Type.UINT32, MULTI | INVERT),
                entry("tunnel-src", O_TUNNELSRC, Type.STRING, MULTI | INVERT),
                entry("tunnel-dst", O_TUNNELDST, Type.STRING, MULTI | INVERT),
                entry("proto", O_PROTO, Type.STRING, MULTI | INVERT),
                entry("mode", O_MODE, Type.STRING, MULTI | INVERT),
                new Entry("next", O_NEXT, Type.NONE, MULTI, 0, 0, 0, 1 << O_STRICT));
    }

    /**
     * One policy element (xt_policy_elem). {@code match}/{@code invert} are bit sets of the
     * {@code E_*} fields; addresses use the flat hi/lo layout.
     */
    public record Elem(int match, int invert, long reqid, long spi, int proto, int mode,
            long srcHi, long srcLo, long smaskHi, long smaskLo,
            long dstHi, long dstLo, long dmaskHi, long dmaskLo) {
    }

    static final int E_REQID = 1;
    static final int E_SPI = 2;
    static final int E_SADDR = 4;
    static final int E_DADDR = 8;
    static final int E_PROTO = 16;
    static final int E_MODE = 32;

    @Override
    protected State newState(ParseEnv env) {
        Family family = env.family();
        return new State() {
            private int flags;
            private final List<Elem> done = new ArrayList<>();
            private int match;
            private int invert;
            private long reqid;
            private long spi;
            private int proto;
            private int mode;
            private long[] src = new long[4];
            private long[] dst = new long[4];

            private void once(int bit, String opt) throws ParameterProblem {
                if ((match & bit) != 0) {
                    throw new ParameterProblem("policy match: double --" + opt + " option");
                }
            }

            @Override
            void parse(Call cb) throws ParameterProblem {
                int inv = 0;
                switch (cb.entry.id()) {
                    case O_DIR -> flags |= switch (cb.arg) {
                        case "in" -> MATCH_IN;
                        case "out" -> MATCH_OUT;
                        default -> throw new ParameterProblem("policy_match: invalid dir \"" + cb.arg + "\"");
                    };
                    case O_POL -> flags |= switch (cb.arg) {
                        case "none" -> MATCH_NONE;
                        case "ipsec" -> 0;
                        default -> throw new ParameterProblem("policy match: invalid policy \"" + cb.arg + "\"");
                    };
                    case O_STRICT -> flags |= MATCH_STRICT;
                    case O_REQID -> {
                        once(E_REQID, "reqid");
                        reqid = cb.value;
                        inv = E_REQID;
                    }
                    case O_SPI -> {
                        once(E_SPI, "spi");
                        spi = cb.value;
                        inv = E_SPI;
                    }
                    case O_TUNNELSRC -> {
                        once(E_SADDR, "tunnel-src");
                        src = Xt.addressWithMask(cb.arg, family, false);
                        inv = E_SADDR;
                    }
                    case O_TUNNELDST -> {
                        once(E_DADDR, "tunnel-dst");
                        dst = Xt.addressWithMask(cb.arg, family, false);
                        inv = E_DADDR;
                    }
                    case O_PROTO -> {
                        once(E_PROTO, "proto");
                        proto = Xt.protocol(cb.arg);
                        if (proto != 51 && proto != 50 && proto != 108) {
                            throw new ParameterProblem("policy match: protocol must be ah/esp/ipcomp");
                        }
                        inv = E_PROTO;
                    }
                    case O_MODE -> {
                        once(E_MODE, "mode");
                        mode = switch (cb.arg) {
                            case "transport" -> MODE_TRANSPORT;
                            case "tunnel" -> MODE_TUNNEL;
                            default -> throw new ParameterProblem("policy match: invalid mode \"" + cb.arg + "\"");
                        };
                        inv = E_MODE;
                    }
                    default -> {
                        done.add(current());
                        match = invert = 0;
                        reqid = spi = 0;
                        proto = mode = 0;
                        src = new long[4];
                        dst = new long[4];
                        if (done.size() == MAX_ELEM) {
                            throw new ParameterProblem("policy match: maximum policy depth reached");
                        }
                    }
                }
                if (inv != 0) {
                    match |= inv;
                    invert |= cb.invert ? inv : 0;
                }
            }

            private Elem current() {
                return new Elem(match, invert, reqid, spi, proto, mode, src[0], src[1], src[2], src[3],
                        dst[0], dst[1], dst[2], dst[3]);
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if ((flags & (MATCH_IN | MATCH_OUT)) == 0) {
                    throw new ParameterProblem("policy match: neither --dir in nor --dir out specified");
                }
                List<Elem> elems = new ArrayList<>(done);
                if ((flags & MATCH_NONE) != 0) {
                    if ((flags & MATCH_STRICT) != 0) {
                        throw new ParameterProblem("policy match: policy none but --strict given");
                    }
                    if (!done.isEmpty()) {
                        throw new ParameterProblem("policy match: policy none but policy given");
                    }
                } else {
                    elems.add(current());
                }
                for (int i = 0; i < elems.size(); i++) {
                    Elem e = elems.get(i);
                    if ((flags & MATCH_STRICT) != 0 && e.match() == 0) {
                        throw new ParameterProblem("policy match: empty policy element " + i
                                + ". --strict is in effect, but at least one of reqid, spi, tunnel-src,"
                                + " tunnel-dst, proto or mode is required.");
                    }
                    boolean tunnelInv = (e.invert() & E_MODE) != 0;
                    if ((e.match() & (E_SADDR | E_DADDR)) != 0
                            && ((e.mode() == MODE_TUNNEL && tunnelInv) || (e.mode() == MODE_TRANSPORT && !tunnelInv))) {
                        throw new ParameterProblem(
                                "policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode");
                    }
                }
                return new Spec(family, flags, List.copyOf(elems));
            }
        };
    }

    static String protoName(int p, boolean numeric) {
        if (!numeric) {
            switch (p) {
                case 50: return "esp";
                case 51: return "ah";
                case 108: return "ipcomp";
                default: break;
            }
        }
        return Integer.toString(p);
    }

    /** The parsed match (xt_policy_info). */
    public record Spec(Family family, int flags, List<Elem> elems) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "policy";
        }

        private void flagsText(StringBuilder out, String pfx) {
            out.append(' ').append(pfx).append((flags & MATCH_IN) != 0 ? "dir in" : "dir out");
            out.append(' ').append(pfx).append((flags & MATCH_NONE) != 0 ? "pol none" : "pol ipsec");
            if ((flags & MATCH_STRICT) != 0) {
                out.append(' ').append(pfx).append("strict");
            }
        }

        private void entry(StringBuilder out, String pfx, Elem e, boolean numeric) {
            if ((e.match() & E_REQID) != 0) {
                inv(out, e, E_REQID).append(' ').append(pfx).append("reqid ").append(e.reqid());
            }
            if ((e.match() & E_SPI) != 0) {
                inv(out, e, E_SPI).append(' ').append(pfx).append("spi ").append(Fmt.hex(e.spi()));
            }
            if ((e.match() & E_PROTO) != 0) {
                inv(out, e, E_PROTO).append(' ').append(pfx).append("proto ").append(protoName(e.proto(), numeric));
            }
            if ((e.match() & E_MODE) != 0) {
                inv(out, e, E_MODE).append(' ').append(pfx).append("mode ")
                        .append(e.mode() == MODE_TRANSPORT ? "transport" : e.mode() == MODE_TUNNEL ? "tunnel" : "???");
            }
            if ((e.match() & E_DADDR) != 0) {
                inv(out, e, E_DADDR).append(' ').append(pfx).append("tunnel-dst ")
                        .append(Xt.formatNet(family, e.dstHi(), e.dstLo(), e.dmaskHi(), e.dmaskLo()));
            }
            if ((e.match() & E_SADDR) != 0) {
                inv(out, e, E_SADDR).append(' ').append(pfx).append("tunnel-src ")
                        .append(Xt.formatNet(family, e.srcHi(), e.srcLo(), e.smaskHi(), e.smaskLo()));
            }
        }

        private static StringBuilder inv(StringBuilder out, Elem e, int bit) {
            return (e.invert() & bit) != 0 ? out.append(" !") : out;
        }

        @Override
        public void save(StringBuilder out) {
            flagsText(out, "--");
            for (int i = 0; i < elems.size(); i++) {
                entry(out, "--", elems.get(i), false);
                if (i + 1 < elems.size()) {
                    out.append(" --next");
                }
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("policy match");
            flagsText(out, "");
            for (int i = 0; i < elems.size(); i++) {
                if (elems.size() > 1) {
                    out.append(" [").append(i).append(']');
                }
                entry(out, "", elems.get(i), numeric);
            }
        }

        @Override
        public String check(CheckEnv env) {
            int inHooks = Hook.PREROUTING.bit() | Hook.INPUT.bit();
            int outHooks = Hook.POSTROUTING.bit() | Hook.OUTPUT.bit();
            if ((env.hookMask() & inHooks) != 0 && (flags & MATCH_OUT) != 0) {
                return EINVAL;
            }
            if ((env.hookMask() & outHooks) != 0 && (flags & MATCH_IN) != 0) {
                return EINVAL;
            }
            return elems.size() > MAX_ELEM ? EINVAL : null;
        }

        @Override
        public boolean matches(Skb skb) {
            // No sec_path / xfrm bundle exists: Linux's "no policy" result.
            return (flags & MATCH_NONE) != 0;
        }
    }
}
