package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParseEnv;

/**
 * IPv4 {@code -m osf [!] --genre NAME [--ttl 0..2] [--log 0..2]} (libxt_osf / xt_osf): passive OS
 * fingerprinting of TCP SYN packets against the fingerprints loaded with {@code nfnl_osf}. The
 * kernel requires {@code -p tcp} and PREROUTING, INPUT or FORWARD.
 *
 * <p>LINUX-DIFF: Stockade has no fingerprint database, so no SYN is ever recognised: the match is
 * true only for {@code ! --genre} on a TCP SYN (Linux's answer with an empty database); packets
 * that are not SYNs never match.
 */
public final class OsfMatch extends XtOptMatch {
    static final int GENRE = 1;
    static final int TTL = 2;
    static final int LOG = 4;
    static final int INVERT_F = 8;
    /** MAXGENRELEN - 1. */
    static final int GENRE_MAX = 31;

    public OsfMatch() {
        super("osf",
                entry("genre", 0, Type.STRING, MAND | INVERT),
                entry("ttl", 1, Type.UINT32, 0, 0, 2),
                entry("log", 2, Type.UINT32, 0, 0, 2));
    }

    @Override
    public boolean supports(Family family) {
        return family == Family.IPV4;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private String genre = "";
            private int flags;
            private long ttl;
            private long loglevel;

            @Override
            void parse(Call cb) {
                switch (cb.entry.id()) {
                    case 0 -> {
                        genre = cb.arg.length() > GENRE_MAX ? cb.arg.substring(0, GENRE_MAX) : cb.arg;
                        flags |= cb.invert ? INVERT_F : 0;
                    }
                    case 1 -> {
                        ttl = cb.value;
                        flags |= TTL;
                    }
                    default -> {
                        loglevel = cb.value;
                        flags |= LOG;
                    }
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(genre, flags, ttl, loglevel);
            }
        };
    }

    /** The parsed match (xt_osf_info). */
    public record Spec(String genre, int flags, long ttl, long loglevel) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "osf";
        }

        @Override
        public void save(StringBuilder out) {
            out.append((flags & INVERT_F) != 0 ? " !" : "").append(" --genre ").append(genre);
            if ((flags & TTL) != 0) {
                out.append(" --ttl ").append(ttl);
            }
            if ((flags & LOG) != 0) {
                out.append(" --log ").append(loglevel);
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("OS fingerprint match ").append((flags & INVERT_F) != 0 ? "! " : "").append(genre);
        }

        @Override
        public String check(CheckEnv env) {
            if (AhMatch.requireProto(env, 6) != null) {
                return EINVAL;
            }
            return env.onlyHooks(Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit()) ? null : EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            var pd = skb.pd;
            int flagsByte = HeaderBytes.u8(pd, pd.l4Offset + 13);
            boolean syn = pd.l4Offset >= 0 && flagsByte >= 0 && (flagsByte & 0x02) != 0;
            return syn && (flags & INVERT_F) != 0;
        }
    }
}
