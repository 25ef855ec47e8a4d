package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j REJECT [--reject-with TYPE]} for IPv4 (libipt_REJECT / ipt_REJECT) and IPv6
 * (libip6t_REJECT / ip6t_REJECT). The argument is matched case-insensitively as a prefix of a
 * type's name or alias, first in the kernel's enum order (so {@code icmp-net} means
 * {@code icmp-net-unreachable}); save and {@code -L} use the canonical name. Checkentry: table
 * filter, hooks INPUT/FORWARD/OUTPUT, {@code tcp-reset} only with {@code -p tcp} (not inverted).
 * Per packet: builds the kernel's reply (see {@link RejectV4}, {@link RejectV6}), hands it to
 * {@link Emitter#emitPacket}, and returns DROP.
 */
public final class RejectTarget implements TargetExtension {
    private static final int O_WITH = 0;
    private static final List<Option> OPTIONS = List.of(Option.value("reject-with", O_WITH));

    /** A reject type: its canonical name, alias, and the ICMP/ICMPv6 code (-1 for tcp-reset). */
    public enum Type {
        // IPv4, in enum ipt_reject_with order (IPT_ICMP_ECHOREPLY, value 4, is no longer accepted).
        ICMP_NET_UNREACHABLE(Family.IPV4, "icmp-net-unreachable", "net-unreach", 0),
        ICMP_HOST_UNREACHABLE(Family.IPV4, "icmp-host-unreachable", "host-unreach", 1),
        ICMP_PROTO_UNREACHABLE(Family.IPV4, "icmp-proto-unreachable", "proto-unreach", 2),
        ICMP_PORT_UNREACHABLE(Family.IPV4, "icmp-port-unreachable", "port-unreach", 3),
        ICMP_NET_PROHIBITED(Family.IPV4, "icmp-net-prohibited", "net-prohib", 9),
        ICMP_HOST_PROHIBITED(Family.IPV4, "icmp-host-prohibited", "host-prohib", 10),
        TCP_RESET(Family.IPV4, "tcp-reset", "tcp-rst", -1),
        ICMP_ADMIN_PROHIBITED(Family.IPV4, "icmp-admin-prohibited", "admin-prohib", 13),
        // IPv6, in enum ip6t_reject_with order (NOT_NEIGHBOUR and ECHOREPLY have no names in 1.8).
        ICMP6_NO_ROUTE(Family.IPV6, "icmp6-no-route", "no-route", 0),
        ICMP6_ADM_PROHIBITED(Family.IPV6, "icmp6-adm-prohibited", "adm-prohibited", 1),
        ICMP6_ADDR_UNREACHABLE(Family.IPV6, "icmp6-addr-unreachable", "addr-unreach", 3),
        ICMP6_PORT_UNREACHABLE(Family.IPV6, "icmp6-port-unreachable", "port-unreach", 4),
        TCP6_RESET(Family.IPV6, "tcp-reset", "tcp-reset", -1),
        ICMP6_POLICY_FAIL(Family.IPV6, "icmp6-policy-fail", "policy-fail", 5),
        ICMP6_REJECT_ROUTE(Family.IPV6, "icmp6-reject-route", "reject-route", 6);

        public final Family family;
        public final String canonical;
        public final String alias;
        /** ICMP (type 3) or ICMPv6 (type 1) code; -1 for a TCP reset. */
        public final int code;

        Type(Family family, String canonical, String alias, int code) {
            this.family = family;
            this.canonical = canonical;
            this.alias = alias;
            this.code = code;
        }

        public boolean isReset() {
            return code < 0;
        }

        /** The type iptables picks for {@code arg}, or null ("unknown reject type"). */
        static Type lookup(Family family, String arg) {
            int n = arg.length();
            for (Type t : values()) {
                if (t.family == family && (t.canonical.regionMatches(true, 0, arg, 0, n) && t.canonical.length() >= n
                        || t.alias.regionMatches(true, 0, arg, 0, n) && t.alias.length() >= n)) {
                    return t;
                }
            }
            return null;
        }
    }

    @Override
    public String name() {
        return "REJECT";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        Family family = env.family();
        return new Parser() {
            private final OptionSet seen = new OptionSet("REJECT", OPTIONS);
            private Type type = family == Family.IPV4 ? Type.ICMP_PORT_UNREACHABLE : Type.ICMP6_PORT_UNREACHABLE;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                Type t = Type.lookup(family, arg);
                if (t == null) {
                    // libipt_REJECT also prints "--reject-with echo-reply no longer supported" to
                    // stderr first for IPv4 echo-reply; the error that follows is the same.
                    throw new ParameterProblem("unknown reject type \"" + arg + "\"");
                }
                type = t;
            }

            @Override
            public TargetSpec finish() {
                return new Spec(type);
            }
        };
    }

    /** The parsed target; also its per-packet action. */
    public record Spec(Type type) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "REJECT";
        }

        @Override
        public void save(StringBuilder out) {
            out.append(" --reject-with ").append(type.canonical);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("reject-with ").append(type.canonical);
        }

        @Override
        public String check(CheckEnv env) {
            if (env.table() != TableKind.FILTER
                    || !env.onlyHooks(Hook.INPUT.bit() | Hook.FORWARD.bit() | Hook.OUTPUT.bit())) {
                return TargetArgs.EINVAL;
            }
            if (type.isReset()) {
                IpHeaderFilter ip = env.ip();
                if (ip.protocol() != 6 || ip.inverted(IpHeaderFilter.INV_PROTO)) {
                    return TargetArgs.EINVAL;
                }
            }
            return null;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            if (skb.pd.ipVersion == 4) {
                if (type.isReset()) {
                    RejectV4.sendReset(skb, emitter);
                } else {
                    RejectV4.sendUnreach(skb, type.code, emitter);
                }
            } else if (skb.pd.ipVersion == 6) {
                if (type.isReset()) {
                    RejectV6.sendReset(skb, emitter);
                } else {
                    RejectV6.sendUnreach(skb, type.code, emitter);
                }
            }
            return Verdict.DROP;
        }
    }
}
