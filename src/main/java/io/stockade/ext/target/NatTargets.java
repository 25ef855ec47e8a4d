package io.stockade.ext.target;

import io.stockade.engine.Skb;
import io.stockade.nat.NatActions;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;

/** The checks SNAT, DNAT, MASQUERADE, REDIRECT and NETMAP share (xt_nat / nf_nat checkentry). */
final class NatTargets {
    private NatTargets() {
    }

    /**
     * Ports need {@code -p tcp|udp|sctp|dccp|icmp} (iptables checks this while parsing, when the
     * command parser tells the protocol; else {@link #checkPorts} does it at checkentry).
     */
    static void parsePorts(ParseEnv env, NatRange r) throws ParameterProblem {
        if (r.hasPorts()) {
            requirePortProtocol(env);
        }
    }

    /**
     * MASQUERADE/REDIRECT {@code --to-ports}: the protocol is checked before the ports are parsed
     * (libxt_MASQUERADE/libxt_REDIRECT look at the rule's protocol first).
     */
    static void requirePortProtocol(ParseEnv env) throws ParameterProblem {
        if (env.protocol() >= 0 && (env.protocolInverted() || !NatRange.portProtocol(env.protocol()))) {
            throw new ParameterProblem(NatRange.NEED_PORTS);
        }
    }

    static String checkPorts(CheckEnv env, NatRange r) {
        IpHeaderFilter ip = env.ip();
        if (r != null && r.hasPorts() && (ip.inverted(IpHeaderFilter.INV_PROTO) || !NatRange.portProtocol(ip.protocol()))) {
            return NatRange.NEED_PORTS;
        }
        return null;
    }

    /**
     * Appends the NAT range flags in iptables' order (random, random-fully, persistent), each as
     * {@code lead + name}: {@code " --"} for save, {@code " "} for the -L text.
     */
    static void appendFlags(StringBuilder out, String lead, boolean random, boolean randomFully, boolean persistent) {
        if (random) {
            out.append(lead).append("random");
        }
        if (randomFully) {
            out.append(lead).append("random-fully");
        }
        if (persistent) {
            out.append(lead).append("persistent");
        }
    }

    /** xt_snat/xt_dnat_target_v2: nf_nat_setup_info with the rule's range and flags. */
    static int setup(Skb skb, boolean source, NatRange r, boolean random, boolean persistent, boolean randomFully) {
        return NatActions.snatDnat(skb, source,
                NatActions.flags(r.hasAddress(), r.hasPorts(), r.basePort(), random, persistent, randomFully),
                r.minHi(), r.minLo(), r.maxHi(), r.maxLo(), r.minPort(), r.maxPort(), r.basePort());
    }

    /** The table must be nat and every hook among {@code hooks}; else EINVAL. */
    static String checkTable(CheckEnv env, int hooks) {
        return env.table() != TableKind.NAT || !env.onlyHooks(hooks) ? TargetArgs.EINVAL : null;
    }
}
