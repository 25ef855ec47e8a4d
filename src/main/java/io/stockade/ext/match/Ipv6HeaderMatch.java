package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * IPv6 {@code -m ipv6header [!] --header NAME[,NAME…] [--soft]} (libip6t_ipv6header /
 * ip6t_ipv6header): which extension headers the packet carries. Without {@code --soft} the set
 * must be exactly the given one; with it, the given headers must be present (or, inverted,
 * absent). Names: hop-by-hop/hop, dst, route, frag, auth, esp, none, prot/protocol, the numbers,
 * and the /etc/protocols names iptables resolves with getprotobyname (built in here).
 */
public final class Ipv6HeaderMatch extends XtOptMatch {
    private static final int O_HEADER = 0;
    private static final int O_SOFT = 1;
    static final int MASK_HOPOPTS = 128;
    static final int MASK_DSTOPTS = 64;
    static final int MASK_ROUTING = 32;
    static final int MASK_FRAGMENT = 16;
    static final int MASK_AH = 8;
    static final int MASK_ESP = 4;
    static final int MASK_NONE = 2;
    static final int MASK_PROTO = 1;

    /** chain_flags order: protocol number and mask bit. */
    private static final int[] FLAG_PROTO = {0, 60, 43, 44, 51, 50, 59, 255};
    private static final int[] FLAG_MASK = {
        MASK_HOPOPTS, MASK_DSTOPTS, MASK_ROUTING, MASK_FRAGMENT, MASK_AH, MASK_ESP, MASK_NONE, MASK_PROTO};
    /** Names printed for FLAG_PROTO (getprotobynumber on Debian, else chain_protos). */
    private static final String[] FLAG_NAME = {
        "hop-by-hop", "ipv6-opts", "ipv6-route", "ipv6-frag", "ah", "esp", "ipv6-nonxt", "protocol"};
    /** /etc/protocols names and aliases for the protocols that are valid here (getprotobyname). */
    private static final String[] ETC_NAMES = {
        "ip", "IP", "hopopt", "HOPOPT", "ipv6-route", "IPv6-Route", "ipv6-frag", "IPv6-Frag",
        "esp", "IPSEC-ESP", "ah", "IPSEC-AH", "ipv6-nonxt", "IPv6-NoNxt", "ipv6-opts", "IPv6-Opts"};
    private static final int[] ETC_PROTOS = {0, 0, 0, 0, 43, 43, 44, 44, 50, 50, 51, 51, 59, 59, 60, 60};
    /** chain_protos. */
    private static final String[] CHAIN_NAMES = {
        "hop-by-hop", "protocol", "hop", "dst", "route", "frag", "auth", "esp", "none", "prot",
        "0", "60", "43", "44", "51", "50", "59", "255"};
    private static final int[] CHAIN_PROTOS = {
        0, 255, 0, 60, 43, 44, 51, 50, 59, 255, 0, 60, 43, 44, 51, 50, 59, 255};

    public Ipv6HeaderMatch() {
        super("ipv6header",
                entry("header", O_HEADER, Type.STRING, MAND | INVERT),
                entry("soft", O_SOFT, Type.NONE, 0));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    static int nameToProto(String s) throws ParameterProblem {
        for (int i = 0; i < ETC_NAMES.length; i++) {
            if (ETC_NAMES[i].equals(s)) {
                return ETC_PROTOS[i];
            }
        }
        int other = OtherProtocols.number(s);
        if (other >= 0) {
            return other;
        }
        for (int i = 0; i < CHAIN_NAMES.length; i++) {
            if (CHAIN_NAMES[i].equals(s)) {
                return CHAIN_PROTOS[i];
            }
        }
        throw new ParameterProblem("unknown header `" + s + "' specified");
    }

    static int parseHeader(String s) throws ParameterProblem {
        int ret = 0;
        for (String tok : s.split(",")) {
            if (tok.isEmpty()) {
                continue;
            }
            int proto = nameToProto(tok);
            int flag = -1;
            for (int i = 0; i < FLAG_PROTO.length; i++) {
                if (FLAG_PROTO[i] == proto) {
                    flag = FLAG_MASK[i];
                    break;
                }
            }
            if (flag < 0) {
                throw new ParameterProblem("unknown header `" + proto + "' specified");
            }
            ret |= flag;
        }
        return ret;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int matchflags;
            private int invflags;
            private int modeflag;

            @Override
            void parse(Call cb) throws ParameterProblem {
                if (cb.entry.id() == O_HEADER) {
                    matchflags = parseHeader(cb.arg);
                    if (matchflags == 0) {
                        throw new ParameterProblem("ip6t_ipv6header: cannot parse header names");
                    }
                    if (cb.invert) {
                        invflags = 0xff;
                    }
                } else {
                    modeflag = 0xff;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(matchflags, invflags, modeflag);
            }
        };
    }

    /** The parsed match (ip6t_ipv6header_info). */
    public record Spec(int matchflags, int invflags, int modeflag) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "ipv6header";
        }

        private static void appendHeader(StringBuilder out, int flags) {
            boolean have = false;
            for (int i = 0; i < FLAG_MASK.length; i++) {
                if ((flags & FLAG_MASK[i]) != 0) {
                    out.append(have ? "," : "").append(FLAG_NAME[i]);
                    have = true;
                }
            }
            if (!have) {
                out.append("NONE");
            }
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invflags != 0 ? " !" : "").append(" --header ");
            appendHeader(out, matchflags);
            if (modeflag != 0) {
                out.append(" --soft");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("ipv6header");
            if (matchflags != 0 || invflags != 0) {
                out.append(" flags:").append(invflags != 0 ? "!" : "");
                if (numeric) {
                    String h = Integer.toHexString(matchflags).toUpperCase(java.util.Locale.ROOT);
                    out.append("0x").append(h.length() < 2 ? "0" + h : h);
                } else {
                    appendHeader(out, matchflags);
                }
            }
            if (modeflag != 0) {
                out.append(" soft");
            }
        }

        @Override
        public String check(CheckEnv env) {
            return modeflag == 0 && invflags != 0 && invflags != 0xff ? EINVAL : null;
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            int nexthdr = HeaderBytes.u8(pd, 6);
            int ptr = 40;
            int len = pd.length - ptr;
            int temp = 0;
            for (int guard = 0; guard < 256 && isChainHeader(nexthdr); guard++) {
                if (nexthdr == HeaderBytes.NEXTHDR_NONE) {
                    temp |= MASK_NONE;
                    break;
                }
                if (len < 2) {
                    return false;
                }
                if (nexthdr == HeaderBytes.NEXTHDR_ESP) {
                    temp |= MASK_ESP;
                    break;
                }
                int hpNext = HeaderBytes.u8(pd, ptr);
                int hpLen = HeaderBytes.u8(pd, ptr + 1);
                if (hpNext < 0 || hpLen < 0) {
                    return false;
                }
                int hdrlen;
                if (nexthdr == HeaderBytes.NEXTHDR_FRAGMENT) {
                    hdrlen = 8;
                } else if (nexthdr == HeaderBytes.NEXTHDR_AUTH) {
                    hdrlen = (hpLen + 2) << 2;
                } else {
                    hdrlen = (hpLen + 1) << 3;
                }
                temp |= switch (nexthdr) {
                    case HeaderBytes.NEXTHDR_HOP -> MASK_HOPOPTS;
                    case HeaderBytes.NEXTHDR_ROUTING -> MASK_ROUTING;
                    case HeaderBytes.NEXTHDR_FRAGMENT -> MASK_FRAGMENT;
                    case HeaderBytes.NEXTHDR_AUTH -> MASK_AH;
                    default -> MASK_DSTOPTS;
                };
                nexthdr = hpNext;
                len -= hdrlen;
                ptr += hdrlen;
                if (ptr > pd.length) {
                    break;
                }
            }
            if (nexthdr != HeaderBytes.NEXTHDR_NONE && nexthdr != HeaderBytes.NEXTHDR_ESP) {
                temp |= MASK_PROTO;
            }
            if (modeflag != 0) {
                return ((temp ^ matchflags ^ invflags) & matchflags) == 0;
            }
            return invflags != 0 ? temp != matchflags : temp == matchflags;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            return HeaderBytes.u8(skb.pd, 6) < 0;
        }

        /** ip6t_ext_hdr(): the headers this match walks (ESP included, unlike ipv6_ext_hdr). */
        private static boolean isChainHeader(int nh) {
            return nh == HeaderBytes.NEXTHDR_HOP || nh == HeaderBytes.NEXTHDR_ROUTING
                    || nh == HeaderBytes.NEXTHDR_FRAGMENT || nh == HeaderBytes.NEXTHDR_AUTH
                    || nh == HeaderBytes.NEXTHDR_ESP || nh == HeaderBytes.NEXTHDR_NONE
                    || nh == HeaderBytes.NEXTHDR_DEST;
        }
    }
}
