package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.syntax.Numbers;
import java.util.Arrays;

/**
 * IPv6 {@code -m hbh} and {@code -m dst} (libip6t_hbh, libip6t_dst / ip6t_hbh): the first
 * Hop-by-Hop resp. Destination Options header — {@code [!] --hbh-len}/{@code --dst-len} (total
 * header bytes) and {@code --hbh-opts}/{@code --dst-opts TYPE[:LEN],…} (up to 16, a strict list of
 * the leading options; LEN omitted = any length). One kernel module serves both names, so one file.
 */
public final class HbhDstMatch extends XtOptMatch {
    private static final int O_LEN = 0;
    private static final int O_OPTS = 1;
    static final int OPTSNR = 16;
    /** IP6T_OPTS_* flags. */
    static final int F_LEN = 0x01;
    static final int F_OPTS = 0x02;

    private final String prefix;
    private final int nexthdr;

    private HbhDstMatch(String name, int nexthdr) {
        super(name,
                entry(name + "-len", O_LEN, Type.UINT32, INVERT),
                entry(name + "-opts", O_OPTS, Type.STRING, 0));
        this.prefix = name;
        this.nexthdr = nexthdr;
    }

    /** {@code -m hbh}. */
    public static HbhDstMatch hbh() {
        return new HbhDstMatch("hbh", HeaderBytes.NEXTHDR_HOP);
    }

    /** {@code -m dst}. */
    public static HbhDstMatch dst() {
        return new HbhDstMatch("dst", HeaderBytes.NEXTHDR_DEST);
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV6;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long hdrlen;
            private boolean invLen;
            private int flags;
            private int[] opts = new int[0];

            @Override
            void parse(Call cb) throws ParameterProblem {
                if (cb.entry.id() == O_LEN) {
                    hdrlen = cb.value;
                    invLen |= cb.invert;
                    flags |= F_LEN;
                } else {
                    opts = parseOptions(cb.arg);
                    flags |= F_OPTS;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(prefix, nexthdr, hdrlen, invLen, flags, opts);
            }
        };
    }

    /** parse_options: TYPE[:LEN] items, each kept as (type << 8) | len, len 0xff = any. */
    private int[] parseOptions(String s) throws ParameterProblem {
        String[] parts = s.split(",", -1);
        int n = Math.min(parts.length, OPTSNR);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            String cp = parts[i];
            int colon = cp.indexOf(':');
            String range = null;
            if (colon >= 0) {
                if (i == OPTSNR - 1) {
                    throw new ParameterProblem("too many ports specified");
                }
                range = cp.substring(colon + 1);
                cp = cp.substring(0, colon);
            }
            out[i] = (int) (parseNum(cp, "opt") & 0xff) << 8;
            if (range != null) {
                if (out[i] == 0) {
                    throw new ParameterProblem(prefix.equals("hbh") ? "PAD0 has not got length"
                            : "PAD0 hasn't got length");
                }
                out[i] |= (int) (parseNum(range, "length") & 0xff);
            } else {
                out[i] |= 0xff;
            }
        }
        if (parts.length > OPTSNR) {
            throw new ParameterProblem("too many addresses specified");
        }
        return out;
    }

    /** parse_opts_num: C strtoul(…, 0), which also takes a leading '-' (negated modulo 2^64). */
    private long parseNum(String s, String what) throws ParameterProblem {
        int p = 0;
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        boolean neg = p < s.length() && s.charAt(p) == '-';
        Numbers.Num n = Numbers.Num.parse(s, neg ? p + 1 : 0, 0);
        if (n == null) {
            throw new ParameterProblem(prefix + ": no valid digits in " + what + " `" + s + "'");
        }
        if (n.overflow) {
            throw new ParameterProblem(what + " `" + s + "' specified too big: would overflow");
        }
        if (n.end != s.length()) {
            throw new ParameterProblem(prefix + ": error parsing " + what + " `" + s + "'");
        }
        return neg ? -n.value : n.value;
    }

    /**
     * The parsed match (ip6t_opts).
     *
     * @param opts options as (type << 8) | length, length 0xff = any
     */
    public record Spec(String name, int nexthdr, long hdrlen, boolean invLen, int flags, int[] opts)
            implements MatchSpec, Matcher {
        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.name.equals(name) && s.hdrlen == hdrlen
                    && s.invLen == invLen && s.flags == flags && Arrays.equals(s.opts, opts);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(opts) + Long.hashCode(hdrlen);
        }

        private void appendOpts(StringBuilder out) {
            for (int i = 0; i < opts.length; i++) {
                out.append(i == 0 ? ' ' : ',').append(opts[i] >>> 8);
                if ((opts[i] & 0xff) != 0xff) {
                    out.append(':').append(opts[i] & 0xff);
                }
            }
        }

        @Override
        public void save(StringBuilder out) {
            if ((flags & F_LEN) != 0) {
                out.append(invLen ? " !" : "").append(" --").append(name).append("-len ").append(hdrlen);
            }
            if ((flags & F_OPTS) != 0) {
                out.append(" --").append(name).append("-opts");
            }
            appendOpts(out);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(name);
            if ((flags & F_LEN) != 0) {
                out.append(" length:").append(invLen ? "!" : "").append(hdrlen);
            }
            if ((flags & F_OPTS) != 0) {
                out.append(" opts");
            }
            appendOpts(out);
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            int ptr = HeaderBytes.findIpv6(pd, nexthdr);
            if (ptr < 0 || !HeaderBytes.has(pd, ptr, 2)) {
                return false;
            }
            int len = (HeaderBytes.u8(pd, ptr + 1) + 1) << 3;
            if (pd.length - ptr < len) {
                return false;
            }
            boolean ret = (flags & F_LEN) == 0 || ((hdrlen == len) ^ invLen);
            if ((flags & F_OPTS) == 0) {
                return ret;
            }
            ptr += 2;
            len -= 2;
            int temp = 0;
            for (; temp < opts.length; temp++) {
                if (len < 1) {
                    break;
                }
                int tp = HeaderBytes.u8(pd, ptr);
                if (tp < 0) {
                    break;
                }
                if (tp != opts[temp] >>> 8) {
                    return false;
                }
                int optlen;
                if (tp != 0) {
                    if (len < 2) {
                        break;
                    }
                    int lp = HeaderBytes.u8(pd, ptr + 1);
                    if (lp < 0) {
                        break;
                    }
                    int specLen = opts[temp] & 0xff;
                    if (specLen != 0xff && specLen != lp) {
                        return false;
                    }
                    optlen = lp + 2;
                } else {
                    optlen = 1;
                }
                if ((ptr > pd.length - optlen || len < optlen) && temp < opts.length - 1) {
                    break;
                }
                ptr += optlen;
                len -= optlen;
            }
            return temp == opts.length && ret;
        }

        @Override
        public boolean hotdrop(Skb skb) {
            int ptr = HeaderBytes.findIpv6(skb.pd, nexthdr);
            return ptr == HeaderBytes.EBADMSG || (ptr >= 0 && !HeaderBytes.has(skb.pd, ptr, 2));
        }
    }
}
