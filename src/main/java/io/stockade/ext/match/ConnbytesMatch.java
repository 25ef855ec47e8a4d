package io.stockade.ext.match;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.syntax.Numbers;

/**
 * {@code -m connbytes [!] --connbytes FROM[:TO] --connbytes-mode packets|bytes|avgpkt
 * --connbytes-dir original|reply|both} (libxt_connbytes / xt_connbytes): the conntrack entry's
 * accounting counters ({@code Conn.packets/bytes}); no entry, no match. {@code !} swaps the bounds,
 * which the kernel reads as "outside", as iptables stores it.
 */
public final class ConnbytesMatch extends XtOptMatch {
    static final int O_CONNBYTES = 0;
    static final int O_DIR = 1;
    static final int O_MODE = 2;
    static final String[] MODES = {"packets", "bytes", "avgpkt"};
    static final String[] DIRS = {"original", "reply", "both"};

    public ConnbytesMatch() {
        super("connbytes",
                entry("connbytes", O_CONNBYTES, Type.STRING, INVERT | MAND),
                entry("connbytes-dir", O_DIR, Type.STRING, MAND),
                entry("connbytes-mode", O_MODE, Type.STRING, MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long from;
            private long to;
            private int dir;
            private int mode;

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_CONNBYTES -> {
                        int colon = cb.arg.indexOf(':');
                        String a = colon < 0 ? cb.arg : cb.arg.substring(0, colon);
                        String b = colon < 0 ? "" : cb.arg.substring(colon + 1);
                        from = a.isEmpty() ? 0 : num(a, cb.arg);
                        to = b.isEmpty() ? -1L : num(b, cb.arg);
                        if (Long.compareUnsigned(from, to) > 0) {
                            throw new ParameterProblem(Long.toUnsignedString(from) + " should be less than "
                                    + Long.toUnsignedString(to));
                        }
                        if (cb.invert) {
                            long t = from;
                            from = to;
                            to = t;
                        }
                    }
                    case O_DIR -> dir = pick(DIRS, cb.arg, "Unknown --connbytes-dir `" + cb.arg + "'");
                    case O_MODE -> mode = pick(MODES, cb.arg, "Unknown --connbytes-mode `" + cb.arg + "'");
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            private long num(String s, String whole) throws ParameterProblem {
                Numbers.Num n = Numbers.Num.parse(s, 0, 0);
                if (n == null || n.end != s.length() || n.overflow) {
                    throw new ParameterProblem("connbytes: bad value for option \"--connbytes\" near \"" + whole
                            + "\", or out of range (0-18446744073709551615).\n");
                }
                return n.value;
            }

            private int pick(String[] names, String arg, String err) throws ParameterProblem {
                for (int i = 0; i < names.length; i++) {
                    if (names[i].equals(arg)) {
                        return i;
                    }
                }
                throw new ParameterProblem(err);
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(from, to, mode, dir);
            }
        };
    }

    /**
     * The parsed match (struct xt_connbytes_info); {@code from}/{@code to} unsigned.
     *
     * @param mode 0 packets, 1 bytes, 2 avgpkt
     * @param dir  0 original, 1 reply, 2 both
     */
    public record Spec(long from, long to, int mode, int dir) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "connbytes";
        }

        private void dump(StringBuilder out, String p, String space) {
            boolean inv = Long.compareUnsigned(from, to) > 0;
            long lo = inv ? to : from;
            long hi = inv ? from : to;
            out.append(inv ? " !" : "").append(' ').append(p).append("connbytes ").append(Long.toUnsignedString(lo));
            if (hi != -1L) {
                out.append(':').append(Long.toUnsignedString(hi));
            }
            out.append(' ').append(p).append("connbytes").append(space).append("mode ").append(MODES[mode])
                    .append(' ').append(p).append("connbytes").append(space).append(p.isEmpty() ? "direction " : "dir ")
                    .append(DIRS[dir]);
        }

        @Override
        public void save(StringBuilder out) {
            dump(out, "--", "-");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            dump(sb, "", " ");
            out.append(sb, 1, sb.length());
        }

        @Override
        public boolean matches(Skb skb) {
            Conn ct = skb.conn;
            if (ct == null) {
                return false;
            }
            long what;
            long[] c = mode == 1 ? ct.bytes : ct.packets;
            if (mode == 2) {
                long bytes = dir == 0 ? ct.bytes[0] : dir == 1 ? ct.bytes[1] : ct.bytes[0] + ct.bytes[1];
                long pkts = dir == 0 ? ct.packets[0] : dir == 1 ? ct.packets[1] : ct.packets[0] + ct.packets[1];
                what = pkts != 0 ? Long.divideUnsigned(bytes, pkts) : 0;
            } else {
                what = dir == 0 ? c[0] : dir == 1 ? c[1] : c[0] + c[1];
            }
            if (Long.compareUnsigned(to, from) >= 0) {
                return Long.compareUnsigned(what, to) <= 0 && Long.compareUnsigned(what, from) >= 0;
            }
            return Long.compareUnsigned(what, to) < 0 || Long.compareUnsigned(what, from) > 0;
        }
    }
}
