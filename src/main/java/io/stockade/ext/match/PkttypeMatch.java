package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;

/**
 * {@code -m pkttype [!] --pkt-type unicast|broadcast|multicast} (libxt_pkttype / xt_pkttype) on the
 * link-layer packet type ({@code Skb.pktType}); a loopback packet (type 5) counts as multicast when
 * its IPv4 destination is multicast or it is IPv6, else as broadcast, as in the kernel.
 */
public final class PkttypeMatch extends XtOptMatch {
    static final String[] NAMES = {"unicast", "broadcast", "multicast", "bcast", "mcast", "host"};
    static final int[] TYPES = {0, 1, 2, 1, 2, 0};
    static final int PACKET_LOOPBACK = 5;

    public PkttypeMatch() {
        super("pkttype", entry("pkt-type", 0, Type.STRING, INVERT | MAND));
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int type;
            private boolean inv;

            @Override
            void parse(Call cb) throws ParameterProblem {
                for (int i = 0; i < NAMES.length; i++) {
                    if (NAMES[i].equalsIgnoreCase(cb.arg)) {
                        type = TYPES[i];
                        inv = cb.invert;
                        return;
                    }
                }
                throw new ParameterProblem("Bad packet type '" + cb.arg + "'");
            }

            @Override
            MatchSpec finish(int xflags) {
                return new Spec(type, inv);
            }
        };
    }

    static String typeName(int t) {
        for (int i = 0; i < NAMES.length; i++) {
            if (TYPES[i] == t) {
                return NAMES[i];
            }
        }
        return Integer.toString(t);
    }

    /** The parsed match (struct xt_pkttype_info). */
    public record Spec(int type, boolean invert) implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "pkttype";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(invert ? " ! --pkt-type " : " --pkt-type ").append(typeName(type));
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append(invert ? "PKTTYPE != " : "PKTTYPE = ").append(typeName(type));
        }

        @Override
        public boolean matches(Skb skb) {
            int t = skb.pktType;
            if (t == PACKET_LOOPBACK) {
                boolean mc = skb.pd.ipVersion == 6 || (skb.pd.dstLo & 0xf0000000L) == 0xe0000000L;
                t = mc ? 2 : 1;
            }
            return (t == type) != invert;
        }
    }
}
