package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.syntax.Numbers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code -m connlabel [!] --label LABEL [--set]} (libxt_connlabel / xt_connlabel): conntrack label
 * bit LABEL (0..127, or a name from {@code /etc/xtables/connlabel.conf}) is set on the packet's
 * connection; with {@code --set} the bit is set when missing and the match succeeds. Without a
 * connection the result is the inversion. Bit b is bit (b mod 64) of {@code Conn.labelsLo} for
 * b &lt; 64, else of {@code Conn.labelsHi}.
 */
public final class ConnlabelMatch extends XtOptMatch {
    static final String CONF = "/etc/xtables/connlabel.conf";
    static final int OP_INVERT = 1;
    static final int OP_SET = 2;
    /** XT_CONNLABEL_MAXBIT. */
    static final int MAXBIT = 127;
    /** iptables' text for ERANGE from the kernel. */
    static final String ERANGE = "Numerical result out of range.";

    public ConnlabelMatch() {
        super("connlabel",
                new Entry("label", 0, Type.STRING, MAND | INVERT, 1, 0, 0, 0),
                entry("set", 1, Type.NONE, 0));
    }

    /** The bit of a label name in connlabel.conf ("BIT NAME" lines), or -1. */
    static int labelBit(String name) {
        try {
            for (String raw : Files.readAllLines(Path.of(CONF))) {
                String line = raw.strip();
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                String[] f = line.split("\\s+", 2);
                if (f.length == 2 && f[1].strip().equals(name)) {
                    long b = strictUint(f[0], 0, 0xffffffffL);
                    return b < 0 ? -1 : (int) b;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The name of a label bit, or null. */
    static String labelName(int bit) {
        try {
            for (String raw : Files.readAllLines(Path.of(CONF))) {
                String line = raw.strip();
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                String[] f = line.split("\\s+", 2);
                if (f.length == 2 && strictUint(f[0], 0, 0xffffffffL) == bit && !f[1].isBlank()) {
                    return f[1].strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int bit;
            private int options;

            @Override
            void parse(Call cb) throws ParameterProblem {
                if (cb.entry.id() == 0) {
                    // connlabel_value_parse: strtoul(…, 0), the whole string.
                    Numbers.Num n = Numbers.Num.parse(cb.arg, 0, 0);
                    long tmp = n != null && n.end == cb.arg.length() && !n.overflow ? n.value : -1;
                    if (tmp > Integer.MAX_VALUE) {
                        tmp = (int) tmp;
                    }
                    if (tmp < 0) {
                        tmp = labelBit(cb.arg);
                    }
                    if (tmp < 0) {
                        throw new ParameterProblem("label '" + cb.arg + "' not found or invalid value");
                    }
                    bit = (int) tmp;
                    if (cb.invert) {
                        options |= OP_INVERT;
                    }
                } else {
                    options |= OP_SET;
                }
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(bit, options);
            }
        };
    }

    /** The parsed match (xt_connlabel_mtinfo). */
    public record Spec(int bit, int options) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "connlabel";
        }

        @Override
        public void save(StringBuilder out) {
            String name = labelName(bit);
            out.append((options & OP_INVERT) != 0 ? " !" : "").append(" --label \"")
                    .append(name != null ? name : Integer.toUnsignedString(bit)).append('"');
            if ((options & OP_SET) != 0) {
                out.append(" --set");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            String name = numeric ? null : labelName(bit);
            out.append("connlabel").append((options & OP_INVERT) != 0 ? " !" : "");
            if (name == null) {
                out.append(' ').append(Integer.toUnsignedString(bit));
            } else {
                out.append(" '").append(name).append('\'');
            }
            if ((options & OP_SET) != 0) {
                out.append(" set");
            }
        }

        @Override
        public String check(CheckEnv env) {
            return Integer.compareUnsigned(bit, MAXBIT) > 0 ? ERANGE : null;
        }

        @Override
        public boolean matches(Skb skb) {
            boolean invert = (options & OP_INVERT) != 0;
            var ct = skb.conn;
            if (ct == null) {
                return invert;
            }
            long word = bit < 64 ? ct.labelsLo : ct.labelsHi;
            long b = 1L << (bit & 63);
            if ((word & b) != 0) {
                return !invert;
            }
            if ((options & OP_SET) != 0) {
                if (bit < 64) {
                    ct.labelsLo |= b;
                } else {
                    ct.labelsHi |= b;
                }
                return !invert;
            }
            return invert;
        }
    }
}
