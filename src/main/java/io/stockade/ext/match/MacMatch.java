package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m mac [!] --mac-source XX:XX:XX:XX:XX:XX} (libxt_mac / xt_mac): the Ethernet source
 * address ({@code Skb.srcMac}); without a known link-layer header the match fails, inverted or
 * not. Only in PREROUTING, INPUT and FORWARD.
 */
public final class MacMatch extends XtOptMatch {
    public MacMatch() {
        super("mac", entry("mac-source", 0, Type.STRING, INVERT | MAND));
    }

    static long parseMac(String s) throws ParameterProblem {
        String[] p = s.split(":", -1);
        if (p.length != 6) {
            throw new ParameterProblem("Invalid MAC address specified.");
        }
        long v = 0;
        for (String b : p) {
            if (b.isEmpty() || b.length() > 2) {
                throw new ParameterProblem("Invalid MAC address specified.");
            }
            int x = 0;
            for (int i = 0; i < b.length(); i++) {
                int d = Character.digit(b.charAt(i), 16);
                if (d < 0) {
                    throw new ParameterProblem("Invalid MAC address specified.");
                }
                x = x * 16 + d;
            }
            v = (v << 8) | x;
        }
        return v;
    }

    static String formatMac(long mac) {
        StringBuilder sb = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            sb.append(String.format("%02x", (mac >>> (8 * i)) & 0xff)).append(i > 0 ? ":" : "");
        }
        return sb.toString();
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private long mac;
            private boolean inv;

            @Override
            void parse(Call cb) throws ParameterProblem {
                mac = parseMac(cb.arg);
                inv = cb.invert;
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(mac, inv);
            }
        };
    }

    /** The parsed match (struct xt_mac_info); the address in the low 48 bits. */
    public record Spec(long mac, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "mac";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " ! --mac-source " : " --mac-source ").append(formatMac(mac));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(invert ? "MAC ! " : "MAC ").append(formatMac(mac));
        }

        @Override
        public String check(CheckEnv env) {
            return env.onlyHooks(Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit()) ? null : Xt.EINVAL;
        }

        @Override
        public boolean matches(Skb skb) {
            if (skb.srcMac < 0) {
                return false;
            }
            return (skb.srcMac == mac) != invert;
        }
    }
}
