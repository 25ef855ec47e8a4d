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
 * ipt_rpfilter, ip6t_rpfilter): reverse-path check of the source address through the host's
 * policy-routed lookup ({@code Skb.addressTypes.lookupFlow}, input interface lo, the packet's
 * mark only with {@code --validmark}, so fwmark rules steer it). IPv4: the route back to the
 * source must be unicast (or local with {@code --accept-local}) and leave through the input
 * interface (any interface with {@code --loose}); 0.0.0.0 to broadcast/local multicast passes.
 * IPv6: :: passes; a link-local source is looked up on the input interface only; reject and
 * anycast routes fail; a local route passes only with {@code --accept-local}, whatever its
 * device. Loopback packets pass. Only in PREROUTING of raw and mangle.
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
        public boolean matches(Skb skb) {
            boolean invert = (flags & INVERT_FLAG) != 0;
            if (skb.pktType == 5 || "lo".equals(skb.inIface)) {
                return !invert; // rpfilter_is_loopback
            }
            return (skb.pd.ipVersion == 4 ? reverse4(skb) : reverse6(skb)) != invert;
        }

        /** ipt_rpfilter: rpfilter_mt and rpfilter_lookup_reverse. */
        private boolean reverse4(Skb skb) {
            PacketDescriptor pd = skb.pd;
            long d = pd.dstLo & 0xffffffffL;
            if (pd.srcLo == 0 && (d == 0xffffffffL || (d & 0xffffff00L) == 0xe0000000L)) {
                return true;
            }
            // flow: daddr = source, saddr = destination unless multicast/limited broadcast, iif lo.
            long saddr = (d >>> 28) == 0xe || d == 0xffffffffL ? 0 : d;
            int mark = (flags & VALID_MARK) != 0 ? skb.mark : 0;
            AddressTypes at = skb.addressTypes;
            int r = at.lookupFlow(4, 0, pd.srcLo, 0, saddr, mark, pd.tos, "lo", "", 0);
            if (r < 0) {
                return false;
            }
            int type = at.type(r);
            if (type != AddressTypes.UNICAST && (type != AddressTypes.LOCAL || (flags & ACCEPT_LOCAL) == 0)) {
                return false;
            }
            return (flags & LOOSE) != 0 || skb.inIface.equals(at.device(r));
        }

        /** ip6t_rpfilter: rpfilter_mt and rpfilter_lookup_reverse6. */
        private boolean reverse6(Skb skb) {
            PacketDescriptor pd = skb.pd;
            if (pd.srcHi == 0 && pd.srcLo == 0) {
                return true; // IPV6_ADDR_ANY: not routable, the forward path drops it
            }
            // saddr only when the destination is unicast (RT6_LOOKUP_F_HAS_SADDR).
            boolean dstUnicast = (pd.dstHi >>> 56) != 0xff && (pd.dstHi != 0 || pd.dstLo != 0);
            // A link-local source is looked up on the input interface only (RT6_LOOKUP_F_IFACE).
            String oif = (pd.srcHi >>> 54) == 0x3fa ? skb.inIface : "";
            int mark = (flags & VALID_MARK) != 0 ? skb.mark : 0;
            AddressTypes at = skb.addressTypes;
            int r = at.lookupFlow(6, pd.srcHi, pd.srcLo, dstUnicast ? pd.dstHi : 0, dstUnicast ? pd.dstLo : 0, mark,
                    pd.tos, "lo", oif, 0);
            if (r < 0) {
                return false; // ip6_null_entry
            }
            int type = at.type(r);
            if (type == AddressTypes.BLACKHOLE || type == AddressTypes.UNREACHABLE || type == AddressTypes.PROHIBIT
                    || type == AddressTypes.ANYCAST || type == AddressTypes.THROW) {
                return false; // RTF_REJECT | RTF_ANYCAST
            }
            if (type == AddressTypes.LOCAL) {
                return (flags & ACCEPT_LOCAL) != 0; // RTF_LOCAL: no device check
            }
            return (flags & LOOSE) != 0 || skb.inIface.equals(at.device(r));
        }
    }
}
