package io.stockade.engine;

import io.stockade.conntrack.Conn;
import io.stockade.conntrack.Seqadj;
import io.stockade.defrag.Fragmenter;
import io.stockade.defrag.Reassembler;
import io.stockade.nat.NatBinding;
import io.stockade.nat.NatRewrite;
import io.stockade.packet.Checksum;
import io.stockade.packet.DropReason;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.PacketRewrite;
import io.stockade.rules.Hook;
import io.stockade.rules.TableKind;
import java.lang.foreign.MemorySegment;

/**
 * A packet's way through the host, in Linux's order (net/ipv4/ip_input.c, ip_forward.c,
 * ip_output.c and their IPv6 twins), with the tables at their hook priorities:
 * <pre>
 * received:  PREROUTING  raw(−300) conntrack(−200) mangle(−150) nat(−100, first packet only)
 *            routing: local → INPUT  mangle filter security nat(100) confirm → delivered
 *                     else FORWARD (ip_forward=1; TTL/MTU checks, TTL−1) mangle filter security
 *                     → POSTROUTING
 * generated: routing (the output interface is known in OUTPUT, as in Linux), then
 *            OUTPUT  raw conntrack mangle [re-route if mangle changed addresses, mark or TOS]
 *                    nat [re-route if the destination changed] filter security → POSTROUTING
 * POSTROUTING: mangle nat(100) confirm → transmitted (to lo: received again on lo, then INPUT)
 * </pre>
 * With conntrack in use, fragments are reassembled first, at PREROUTING and OUTPUT priority −400
 * (nf_defrag_ipv4/ipv6, {@link Reassembler}): a fragment that does not complete its datagram is
 * held (outcome STOLEN, {@code PathResult.defragHeld}) and no table sees it; the completed datagram
 * traverses the tables once and, when transmitted, is cut again to the smaller of the route MTU
 * and the largest fragment received ({@link Fragmenter}), each piece reported to the tap.
 * The nat table is only consulted for a connection's first packet (ctinfo NEW or RELATED and no
 * binding yet for that direction — and never for untracked packets), as nf_nat_inet_fn does.
 * Packets the targets emit (REJECT replies) are treated as locally generated: after the current
 * packet they traverse routing, OUTPUT and POSTROUTING themselves, ICMP errors subject to the
 * kernel's ICMP rate limits; a TCP RST and an ICMP error carry the offending packet's conntrack
 * entry ({@code nf_ct_attach}, ctinfo RELATED in the other direction). The routing code's own
 * errors ({@link IcmpSend}: time exceeded and fragmentation needed / packet too big before the
 * FORWARD hook, destination unreachable for reject routes and missing routes, beyond scope for
 * a link-local IPv6 source) are sent the same way.
 *
 * <p>The ruleset is swapped atomically with one volatile write ({@link #swap}). One instance per
 * worker thread; {@link #receive} and {@link #send} allocate nothing.
 *
 * <p>LINUX-DIFF: ICMP redirects are never sent (IPv4 and IPv6); multicast is delivered locally
 * without group membership and never forwarded.
 *
 * <p>Routing decisions are the host's policy-routed lookups ({@link HostModel#lookupFlow}): input
 * with the packet's addresses, TOS, input interface and the mark PREROUTING left; output with
 * the packet's addresses and the socket's mark and uid ({@code skb.mark}/{@code uid} at
 * {@link #send}), input interface {@code lo}. As iptable_mangle's {@code ipt_mangle_out} (and
 * ip6table_mangle's), a packet whose source, destination, mark or TOS (IPv6: also hop limit and
 * flow label) mangle OUTPUT changed is routed again ({@code ip_route_me_harder}); so is one
 * whose destination nat OUTPUT changed.
 */
public final class Netfilter {
    private static final int IP_CT_RELATED = 1;
    private static final int IP_CT_NEW = 2;
    private static final int IP_CT_RELATED_REPLY = 4;
    private static final int IP_CT_UNTRACKED = 7;
    private static final int STATE_RELATED_BIT = 1 << 2;

    private volatile CompiledRuleset rules;
    private final HostModel host;
    private final ConnTracker conntrack;
    private final Emitter logs;
    private final PacketDecoder decoder;
    private final Evaluator ev = new Evaluator();
    private final IcmpRateLimiter icmp = new IcmpRateLimiter();
    private PacketTap tap = PacketTap.NONE;
    private TraceSink trace;

    /** Host-level drops by {@link EngineDrop} ordinal. */
    public final long[] engineDrops = new long[EngineDrop.values().length];
    /** Malformed input by {@link DropReason} ordinal. */
    public final long[] malformedDrops = new long[DropReason.values().length];

    private final PendingPackets pending = new PendingPackets();
    private final Skb gen = new Skb();
    private final Reassembler defrag = new Reassembler();
    private final Fragmenter fragmenter = new Fragmenter();
    private final PathResult genResult = new PathResult();
    private final Emitter emitter = new Emitter() {
        @Override
        public void emitPacket(int family, MemorySegment ipPacket, int length, Skb cause) {
            pending.add(ipPacket, length, cause);
        }

        @Override
        public void emitTracked(int family, MemorySegment ipPacket, int length, Conn conn, int ctinfo) {
            pending.addTracked(ipPacket, length, conn, ctinfo);
        }

        @Override
        public void resetSent(Skb cause) {
            conntrack.setClosing(cause);
        }

        @Override
        public void log(int level, CharSequence line) {
            logs.log(level, line);
        }
    };
    private boolean generatedNow;
    private final SynproxyStage synproxy;
    /** MTU of the output device of the last output route (routeOutput), for the raw socket's EMSGSIZE check. */
    private int outDeviceMtu;


    /**
     * @param rules     the compiled ruleset to start with
     * @param host      routing, addresses and sysctls
     * @param conntrack connection tracking ({@link ConnTracker#NONE} for none)
     * @param logs      where LOG lines go
     * @param decoder   the packet layer's parser, for generated packets (null: they are dropped)
     */
    public Netfilter(CompiledRuleset rules, HostModel host, ConnTracker conntrack, Emitter logs, PacketDecoder decoder) {
        this.rules = rules;
        this.host = host;
        this.conntrack = conntrack;
        this.logs = logs;
        this.decoder = decoder;
        this.synproxy = new SynproxyStage(this, decoder);
    }

    /** Publishes a new ruleset (one volatile write); packets in flight finish on the old one. */
    public void swap(CompiledRuleset next) {
        rules = next;
    }

    public CompiledRuleset ruleset() {
        return rules;
    }

    public HostModel host() {
        return host;
    }

    /** Where packets leaving the host are reported. */
    public void tap(PacketTap tap) {
        this.tap = tap == null ? PacketTap.NONE : tap;
    }

    /**
     * Reports TRACE'd packets in nf_tables' form to {@code nft} (null: ip_tables' log lines
     * through the log emitter, the default).
     */
    public void nftTrace(NftTrace nft) {
        ev.nftTrace = nft;
    }

    /** Installs (or with null removes) a trace sink. */
    public void trace(TraceSink sink) {
        this.trace = sink;
        ev.trace = sink;
    }

    /**
     * A packet received on {@code skb.inIface}. The descriptor must be parsed (a parse failure
     * in {@code pd.dropReason} is counted and dropped); {@code skb.timeNanos} set.
     */
    public void receive(Skb skb, PathResult res) {
        res.reset();
        pending.count = 0;
        generatedNow = false;
        input(skb, res);
        drain(skb, res);
        if (ev.nftTrace != null) {
            ev.nftTrace.packetDone();
        }
    }

    /** A packet generated by a local socket (OUTPUT path); {@code skb.uid/gid} may be set. */
    public void send(Skb skb, PathResult res) {
        res.reset();
        pending.count = 0;
        generatedNow = false;
        output(skb, res);
        drain(skb, res);
        if (ev.nftTrace != null) {
            ev.nftTrace.packetDone();
        }
    }

    // ---------------------------------------------------------------- paths

    private void input(Skb skb, PathResult res) {
        PacketDescriptor pd = skb.pd;
        skb.addressTypes = host;
        // ip_rcv_core(): a bad IPv4 header checksum is dropped before PREROUTING (IPSTATS_MIB_CSUMERRORS).
        if (pd.dropReason == DropReason.NONE && !Checksum.verifyIpv4Header(pd)) {
            pd.dropReason = DropReason.BAD_IP_CHECKSUM;
        }
        if (pd.dropReason != DropReason.NONE) {
            malformedDrops[pd.dropReason.ordinal()]++;
            res.malformed = pd.dropReason;
            res.outcome = PathResult.DROPPED;
            if (trace != null) {
                note("malformed: " + pd.dropReason.label);
            }
            return;
        }
        // ip_rcv_core / ip6_rcv_core: a frame for another host's MAC is dropped before PREROUTING.
        if (skb.pktType == LinkLayer.PACKET_OTHERHOST) {
            hostDrop(res, EngineDrop.OTHER_HOST);
            return;
        }
        skb.outIface = "";
        skb.hook = Hook.PREROUTING;
        if (!defrag(skb, res, DEFRAG_USER_IN)) {
            return;
        }
        CompiledRuleset rs = rules;
        int v = pd.ipVersion;
        if (!table(rs, v, TableKind.RAW, Hook.PREROUTING, skb, res) || !track(skb, res)
                || !table(rs, v, TableKind.MANGLE, Hook.PREROUTING, skb, res)
                || !nat(rs, v, Hook.PREROUTING, skb, res, false)) {
            return;
        }
        int route = routeInput(skb, res);
        // ip_rcv_options: options are compiled after the input route; a bad one is a parameter problem.
        int bad = route != -2 && v == 4 && pd.hasIpOptions ? Ipv4Options.receive(host, skb, route) : 0;
        if (route == -2 || bad != 0 && hostDrop(res, bad < 0 ? EngineDrop.SOURCE_ROUTE : EngineDrop.BAD_IP_OPTIONS) == -2) {
            if (bad > 0) {
                icmpError(skb, res, 12, 0, bad << 24);
            }
            return;
        }
        if (route == -1) {
            localIn(rs, v, skb, res);
            return;
        }
        forward(rs, v, skb, res, route);
    }

    private void localIn(CompiledRuleset rs, int v, Skb skb, PathResult res) {
        res.path = Hook.INPUT;
        note("routing: local delivery");
        skb.hook = Hook.INPUT;
        skb.outIface = "";
        if (!table(rs, v, TableKind.MANGLE, Hook.INPUT, skb, res)
                || !table(rs, v, TableKind.FILTER, Hook.INPUT, skb, res)
                || !table(rs, v, TableKind.SECURITY, Hook.INPUT, skb, res)
                || !nat(rs, v, Hook.INPUT, skb, res, true)
                || !synproxyHook(skb, res) || !confirm(skb, res)) {
            return;
        }
        res.outcome = PathResult.ACCEPTED;
        tap.packetOut(skb, "local", generatedNow);
    }

    private void forward(CompiledRuleset rs, int v, Skb skb, PathResult res, int route) {
        PacketDescriptor pd = skb.pd;
        res.path = Hook.FORWARD;
        String out = host.device(route);
        int mtu = host.mtu(route);
        skb.outIface = out;
        skb.routeMtu = mtu;
        skb.route = route;
        res.out = out;
        if (trace != null) {
            note("routing: forward via " + out + " (mtu " + mtu + ")");
        }
        // ip_forward / ip6_forward forward only PACKET_HOST: a unicast IP packet that came as a
        // link-layer broadcast or multicast is dropped silently, before the TTL check.
        if (skb.pktType != LinkLayer.PACKET_HOST) {
            hostDrop(res, EngineDrop.FORWARD_NOT_HOST);
            return;
        }
        // ip_forward / ip6_forward check the TTL before the FORWARD hook and answer with time exceeded.
        if (pd.ttl <= 1) {
            hostDrop(res, EngineDrop.TTL_EXCEEDED);
            icmpError(skb, res, v == 4 ? 11 : 3, 0, 0);
            return;
        }
        if (v == 6 && !forwardableSource6(skb, res)) {
            return;
        }
        if (v == 6) {
            // ip6_dst_mtu_maybe_forward: ip6_forward looks at the device's MTU, not the route's own
            // (unlocked) MTU metric; a packet over the latter crosses FORWARD and POSTROUTING and
            // is refused by ip6_fragment afterwards (see postrouting).
            // LINUX-DIFF: a locked route MTU ("mtu lock"), which ip6_forward honours, is not modelled.
            int dm = host.deviceMtu(route);
            mtu = dm > 0 ? dm : mtu;
            if (mtu < IcmpSend.IPV6_MIN_MTU) {
                mtu = IcmpSend.IPV6_MIN_MTU;
            }
        }
        int len = pd.ipTotalLength > 0 ? pd.ipTotalLength : pd.length;
        // ip_exceeds_mtu / ip6_pkt_too_big: a reassembled packet is too big when its largest fragment was.
        int fm = skb.fragMaxSize;
        if (mtu > 0 && (fm > 0 ? fm > mtu && (v == 6 || pd.dontFragment) : len > mtu && (v == 6 || pd.dontFragment))) {
            hostDrop(res, EngineDrop.FRAG_NEEDED);
            // ICMP fragmentation needed / ICMPv6 packet too big, with the next-hop MTU.
            icmpError(skb, res, v == 4 ? 3 : 2, v == 4 ? 4 : 0, mtu);
            return;
        }
        // ip_decrease_ttl / hop_limit--: the header is rewritten (checksum updated) unless the
        // packet is a read-only view, whose descriptor alone carries the new TTL.
        if (pd.data == null || pd.data.isReadOnly()) {
            pd.ttl--;
        } else {
            PacketRewrite.setTtl(pd, pd.ttl - 1);
        }
        skb.hook = Hook.FORWARD;
        if (!table(rs, v, TableKind.MANGLE, Hook.FORWARD, skb, res)
                || !table(rs, v, TableKind.FILTER, Hook.FORWARD, skb, res)
                || !table(rs, v, TableKind.SECURITY, Hook.FORWARD, skb, res)) {
            return;
        }
        Ipv4Options.forwarded(host, skb); // ip_forward_finish → ip_forward_options
        postrouting(rs, v, skb, res);
    }

    private void output(Skb skb, PathResult res) {
        PacketDescriptor pd = skb.pd;
        skb.addressTypes = host;
        res.path = Hook.OUTPUT;
        if (pd.dropReason != DropReason.NONE) {
            malformedDrops[pd.dropReason.ordinal()]++;
            res.malformed = pd.dropReason;
            res.outcome = PathResult.DROPPED;
            return;
        }
        int v = pd.ipVersion;
        skb.inIface = "";
        if (!routeOutput(skb, res, null)) {
            return;
        }
        int devMtu = outDeviceMtu;
        if (!generatedNow && skb.fragMaxSize == 0 && !host.isLoopback(skb.outIface) && !pd.isFragment
                && (skb.routeMtu > 0 && pd.ipTotalLength > skb.routeMtu && (v == 6 || pd.dontFragment)
                    || devMtu > 0 && pd.ipTotalLength > devMtu)) {
            // raw_send_hdrinc / rawv6_send_hdrinc: a DF (or IPv6) packet over the route MTU, or any
            // packet over the device MTU, is refused with EMSGSIZE at the socket; no hook sees it
            // and no ICMP error is sent. (A packet without DF between the two is fragmented.)
            hostDrop(res, EngineDrop.MESSAGE_TOO_LONG);
            return;
        }
        CompiledRuleset rs = rules;
        skb.hook = Hook.OUTPUT;
        if (!defrag(skb, res, DEFRAG_USER_OUT)) {
            return;
        }
        if (!table(rs, v, TableKind.RAW, Hook.OUTPUT, skb, res)) {
            return;
        }
        if (!track(skb, res)) {
            return;
        }
        long srcHi = pd.srcHi;
        long srcLo = pd.srcLo;
        long dstHi = pd.dstHi;
        long dstLo = pd.dstLo;
        int mark = skb.mark;
        int tos = pd.tos;
        int hopLimit = pd.ttl;
        int flowLabel = pd.flowLabel;
        if (!table(rs, v, TableKind.MANGLE, Hook.OUTPUT, skb, res)) {
            return;
        }
        // The OUTPUT hook's state->out is fixed when the hook starts: after a re-route the rest of
        // OUTPUT still matches -o against the first route's device; POSTROUTING sees the new one.
        String hookOut = skb.outIface;
        String routedOut = hookOut;
        // ipt_mangle_out / ip6t_mangle_out: reroute for any change that could affect the route.
        if (pd.srcHi != srcHi || pd.srcLo != srcLo || pd.dstHi != dstHi || pd.dstLo != dstLo || skb.mark != mark
                || pd.tos != tos || (v == 6 && (pd.ttl != hopLimit || pd.flowLabel != flowLabel))) {
            if (!routeOutput(skb, res, "mangle OUTPUT changed the packet, rerouted via ")) {
                return;
            }
            routedOut = skb.outIface;
            skb.outIface = hookOut;
        }
        dstHi = pd.dstHi;
        dstLo = pd.dstLo;
        if (!nat(rs, v, Hook.OUTPUT, skb, res, false)) {
            return;
        }
        if (pd.dstHi != dstHi || pd.dstLo != dstLo) {
            if (!routeOutput(skb, res, "nat: destination changed, rerouted via ")) {
                return;
            }
            routedOut = skb.outIface;
            skb.outIface = hookOut;
        }
        if (!table(rs, v, TableKind.FILTER, Hook.OUTPUT, skb, res)
                || !table(rs, v, TableKind.SECURITY, Hook.OUTPUT, skb, res)) {
            return;
        }
        skb.outIface = routedOut;
        postrouting(rs, v, skb, res);
    }

    /**
     * The output route of a locally generated packet (ip_route_output_key with the packet's
     * addresses, TOS, the skb's mark and owner, input interface lo) — first in OUTPUT, then again
     * as ip_route_me_harder when mangle OUTPUT changed what routing reads or nat OUTPUT moved the
     * destination ({@code rerouted} names which, for the trace; null the first time).
     *
     * @return false if dropped (no route, or an unreachable/prohibit/blackhole route or rule)
     */
    private boolean routeOutput(Skb skb, PathResult res, String rerouted) {
        PacketDescriptor pd = skb.pd;
        int r = host.lookupFlow(pd.ipVersion, pd.dstHi, pd.dstLo, pd.srcHi, pd.srcLo, skb.mark, pd.tos, "lo", "",
                skb.uid < 0 ? 0 : skb.uid);
        if (trace != null && host.customRules(pd.ipVersion)) {
            note("routing: policy rule " + host.decidingRule(pd.ipVersion, pd.dstHi, pd.dstLo, pd.srcHi, pd.srcLo, skb.mark,
                    pd.tos, "lo", "", skb.uid < 0 ? 0 : skb.uid) + " (mark 0x" + Integer.toHexString(skb.mark) + ")");
        }
        if (r < 0) {
            hostDrop(res, EngineDrop.NO_ROUTE);
            return false;
        }
        int type = host.type(r);
        if (type == AddressTypes.BLACKHOLE || type == AddressTypes.UNREACHABLE || type == AddressTypes.PROHIBIT) {
            hostDrop(res, EngineDrop.REJECT_ROUTE);
            return false;
        }
        String out = type == AddressTypes.LOCAL ? "lo" : host.device(r);
        skb.outIface = out;
        skb.routeMtu = host.mtu(r);
        skb.route = r;
        outDeviceMtu = type == AddressTypes.LOCAL ? 0 : host.deviceMtu(r);
        res.out = out;
        if (trace != null) {
            note(rerouted == null ? "routing: output via " + out : rerouted + out);
        }
        return true;
    }

    private void postrouting(CompiledRuleset rs, int v, Skb skb, PathResult res) {
        skb.hook = Hook.POSTROUTING;
        if (!table(rs, v, TableKind.MANGLE, Hook.POSTROUTING, skb, res)
                || !nat(rs, v, Hook.POSTROUTING, skb, res, true)
                || !synproxyHook(skb, res) || !confirm(skb, res)) {
            return;
        }
        res.outcome = PathResult.ACCEPTED;
        String out = skb.outIface;
        PacketDescriptor pd = skb.pd;
        int mtu = skb.routeMtu;
        if (skb.fragMaxSize == 0 && mtu > 0 && pd.ipTotalLength > mtu && pd.base == 0 && !host.isLoopback(out)) {
            // ip_fragment / ip6_fragment after POSTROUTING: an IPv4 packet without DF is cut; an
            // IPv6 one forwarded over a route MTU below its device's, or one a rule made grow,
            // gets packet too big / fragmentation needed to its sender.
            if (v == 6 || pd.dontFragment) {
                hostDrop(res, EngineDrop.FRAG_NEEDED);
                icmpError(skb, res, v == 4 ? 3 : 2, v == 4 ? 4 : 0, mtu);
                return;
            }
            refragment(skb, out);
        } else if (skb.fragMaxSize > 0 && !host.isLoopback(out)) {
            refragment(skb, out);
        } else {
            tap.packetOut(skb, out, generatedNow);
        }
        if (host.isLoopback(out)) {
            // loopback_xmit → netif_rx: received again on lo with its route and conntrack entry kept.
            if (trace != null) {
                note("looped back on " + out);
            }
            skb.inIface = out;
            skb.outIface = "";
            // The TRACE flag does not survive the loop: Linux 6.18 writes no trace line for the
            // packet received on lo (TraceKernelTest, ip_tables and nf_tables alike).
            skb.trace = false;
            // eth_type_trans on lo: a 14-byte Ethernet header of lo's all-zero address and the
            // ethertype, which LOG prints as MAC=00:…:00:08:00 (difftest seed 20261123 case 467).
            java.util.Arrays.fill(skb.macHeader, 0, 12, (byte) 0);
            skb.macHeader[12] = (byte) (skb.pd.ipVersion == 6 ? 0x86 : 0x08);
            skb.macHeader[13] = (byte) (skb.pd.ipVersion == 6 ? 0xdd : 0x00);
            skb.macHeaderLength = 14;
            Hook path = res.path;
            skb.hook = Hook.PREROUTING;
            if (!table(rs, v, TableKind.RAW, Hook.PREROUTING, skb, res)) {
                return;
            }
            if (!track(skb, res)
                    || !table(rs, v, TableKind.MANGLE, Hook.PREROUTING, skb, res)
                    || !nat(rs, v, Hook.PREROUTING, skb, res, false)) {
                return;
            }
            localIn(rs, v, skb, res);
            res.path = path;
        }
    }

    // ---------------------------------------------------------------- defrag

    private static final int DEFRAG_USER_IN = 1;
    private static final int DEFRAG_USER_OUT = 2;

    /**
     * nf_defrag_ipv4/ipv6 at priority −400, only with conntrack in use (the kernel defrags even
     * traffic raw then NOTRACKs, since defrag runs first). Not a fragment: nothing happens.
     * @return false when the packet was held or dropped
     */
    private boolean defrag(Skb skb, PathResult res, int user) {
        PacketDescriptor pd = skb.pd;
        if (!pd.isFragment || conntrack == ConnTracker.NONE || decoder == null || skb.conn != null) {
            return true;
        }
        int r = defrag.offer(pd, skb.timeNanos, user + (skb.ctZone << 2));
        if (r == Reassembler.PASS) {
            return true;
        }
        if (r == Reassembler.HELD) {
            res.outcome = PathResult.STOLEN;
            res.defragHeld = true;
            note("defrag: fragment held");
            return false;
        }
        if (r == Reassembler.DROPPED) {
            hostDrop(res, EngineDrop.REASM_FAILED);
            return false;
        }
        if (!decoder.decode(pd, defrag.out(), defrag.outLength())) {
            malformedDrops[pd.dropReason.ordinal()]++;
            res.malformed = pd.dropReason;
            res.outcome = PathResult.DROPPED;
            return false;
        }
        skb.fragMaxSize = defrag.maxFragSize();
        skb.fragUnfragLength = defrag.outUnfragLength();
        skb.fragId = defrag.outId();
        note("defrag: datagram reassembled");
        return true;
    }

    /**
     * ip_do_fragment / ip6_fragment for a reassembled packet (cut to the smaller of the route MTU
     * and its largest fragment) or an IPv4 packet without DF over the route MTU: each piece goes
     * to the tap, then the descriptor is restored.
     */
    private void refragment(Skb skb, String out) {
        PacketDescriptor pd = skb.pd;
        MemorySegment whole = pd.data;
        long base = pd.base;
        int len = pd.ipTotalLength;
        int fm = skb.fragMaxSize;
        int mtu = fm == 0 ? skb.routeMtu : skb.routeMtu > 0 ? Math.min(skb.routeMtu, fm) : fm;
        if (base != 0 || len <= mtu || decoder == null) {
            tap.packetOut(skb, out, generatedNow);
            return;
        }
        int n = fragmenter.start(whole, len, pd.ipVersion, mtu, skb.fragUnfragLength, skb.fragId);
        for (int i = 0; i < n; i++) {
            int fl = fragmenter.build(i);
            if (decoder.decode(pd, fragmenter.out(), fl)) {
                tap.packetOut(skb, out, generatedNow);
            }
        }
        decoder.decode(pd, whole, len);
    }

    // ---------------------------------------------------------------- routing

    /** @return -1 local delivery, -2 dropped, else the route to forward along */
    private int routeInput(Skb skb, PathResult res) {
        PacketDescriptor pd = skb.pd;
        if (host.isLoopback(skb.inIface)) {
            return -1;
        }
        int v = pd.ipVersion;
        if (v == 4) {
            long s = pd.srcLo & 0xffffffffL;
            long d = pd.dstLo & 0xffffffffL;
            if ((s >>> 28) == 0xe || s == 0xffffffffL) {
                return hostDrop(res, EngineDrop.MARTIAN_SOURCE);
            }
            if (d == 0xffffffffL || (s == 0 && d == 0)) {
                return (s >>> 24) != 0 ? validated(skb, res, -1) : -1;
            }
            if ((s >>> 24) == 0) {
                return hostDrop(res, EngineDrop.MARTIAN_SOURCE);
            }
            if ((d >>> 24) == 0) {
                return hostDrop(res, EngineDrop.MARTIAN_DESTINATION);
            }
            if (!host.routeLocalnet()) {
                if ((d >>> 24) == 127) {
                    return hostDrop(res, EngineDrop.MARTIAN_DESTINATION);
                }
                if ((s >>> 24) == 127) {
                    return hostDrop(res, EngineDrop.MARTIAN_SOURCE);
                }
            }
            if ((d >>> 28) == 0xe) {
                return -1;
            }
        } else if ((pd.dstHi >>> 56) == 0xff) {
            return -1;
        }
        // ip_route_input_slow / ip6_route_input: the flow carries the mark PREROUTING left.
        int r = host.lookupFlow(v, pd.dstHi, pd.dstLo, pd.srcHi, pd.srcLo, skb.mark, pd.tos, skb.inIface, "", 0);
        if (trace != null && host.customRules(v)) {
            note("routing: policy rule " + host.decidingRule(v, pd.dstHi, pd.dstLo, pd.srcHi, pd.srcLo, skb.mark, pd.tos,
                    skb.inIface, "", 0) + " (mark 0x" + Integer.toHexString(skb.mark) + ")");
        }
        boolean fwd = host.forwarding(v);
        if (r < 0) {
            if (v == 6) {
                // ip6_null_entry: ip6_pkt_discard answers no route, forwarding or not.
                hostDrop(res, EngineDrop.NO_ROUTE);
                icmpError(skb, res, 1, 0, 0);
                return -2;
            }
            if (!fwd) {
                return hostDrop(res, EngineDrop.NOT_FORWARDING);
            }
            hostDrop(res, EngineDrop.NO_ROUTE);
            routeError4(skb, res, 0);
            return -2;
        }
        int type = host.type(r);
        if (type == AddressTypes.LOCAL || type == AddressTypes.BROADCAST || type == AddressTypes.MULTICAST) {
            return v == 4 ? validated(skb, res, -1) : -1;
        }
        if (v == 6 && type != AddressTypes.UNICAST) {
            // ip6_rt_init_dst_reject: blackhole discards; prohibit answers administratively
            // prohibited; unreachable and throw answer no route — forwarding or not.
            hostDrop(res, EngineDrop.REJECT_ROUTE);
            if (type != AddressTypes.BLACKHOLE) {
                icmpError(skb, res, 1, type == AddressTypes.PROHIBIT ? 1 : 0, 0);
            }
            return -2;
        }
        if (!fwd) {
            return hostDrop(res, EngineDrop.NOT_FORWARDING);
        }
        if (type != AddressTypes.UNICAST) {
            hostDrop(res, EngineDrop.REJECT_ROUTE);
            // ip_error: unreachable → host unreachable, prohibit → communication prohibited,
            // throw (nothing found further) and an unreachable rule (ENETUNREACH) → net
            // unreachable; blackhole is silent.
            if (type != AddressTypes.BLACKHOLE) {
                routeError4(skb, res, type == AddressTypes.UNREACHABLE ? (host.ruleResult(r) ? 0 : 1)
                        : type == AddressTypes.PROHIBIT ? 13 : 0);
            }
            return -2;
        }
        return v == 4 ? validated(skb, res, r) : r;
    }

    /**
     * ip_error: the input route is a reject route (or there is none) and forwarding is on: one
     * destination unreachable, subject to the per-source token bucket of ip_rt_error_cost /
     * ip_rt_error_burst (shared with icmp_ratelimit's inet_peer), before icmp_send's own limits.
     */
    private void routeError4(Skb skb, PathResult res, int code) {
        if (!icmp.allowRouteError(skb.pd.srcLo, skb.timeNanos)) {
            engineDrops[EngineDrop.ICMP_RATELIMIT.ordinal()]++;
            note("ip_error: ICMP suppressed by the per-source limit (ip_rt_error_cost)");
            return;
        }
        icmpError(skb, res, 3, code, 0);
    }

    /** fib_validate_source ({@link SourceValidation}): {@code result} when the source is valid, else dropped (-2). */
    private int validated(Skb skb, PathResult res, int result) {
        EngineDrop why = SourceValidation.check(host, skb, result);
        return why == null ? result : hostDrop(res, why);
    }

    /**
     * ip6_forward's source check for packets not sent back out of their input interface: an
     * unspecified, multicast or loopback source is dropped; a link-local one is answered with
     * destination unreachable, beyond scope of source address. @return false if dropped
     */
    private boolean forwardableSource6(Skb skb, PathResult res) {
        PacketDescriptor pd = skb.pd;
        if (skb.outIface.equals(skb.inIface)) {
            return true;
        }
        long hi = pd.srcHi;
        long lo = pd.srcLo;
        if ((hi == 0 && (lo == 0 || lo == 1)) || (hi >>> 56) == 0xff) {
            hostDrop(res, EngineDrop.MARTIAN_SOURCE);
            return false;
        }
        if ((hi >>> 54) == 0x3fa) {
            hostDrop(res, EngineDrop.SOURCE_SCOPE);
            icmpError(skb, res, 1, 2, 0);
            return false;
        }
        return true;
    }

    /** icmp_send / icmpv6_send about the packet in {@code skb}: queued, sent after it (see {@link #drain}). */
    private void icmpError(Skb skb, PathResult res, int type, int code, int info) {
        boolean sent = skb.pd.ipVersion == 4
                ? IcmpSend.v4(skb, type, code, info, emitter)
                : IcmpSend.v6(skb, type, code, info, emitter);
        if (sent && trace != null) {
            note("host sends ICMP" + (skb.pd.ipVersion == 6 ? "v6" : "") + " type " + type + " code " + code);
        }
    }

    private int hostDrop(PathResult res, EngineDrop why) {
        engineDrops[why.ordinal()]++;
        res.engineDrop = why;
        res.outcome = PathResult.DROPPED;
        res.table = null;
        res.entry = -1;
        res.decidedAt = null;
        if (trace != null) {
            note("dropped by the host: " + why.label);
        }
        return -2;
    }

    // ---------------------------------------------------------------- tables

    /** @return false if conntrack dropped the packet */
    private boolean track(Skb skb, PathResult res) {
        if ((skb.conn == null && skb.ctinfo != IP_CT_UNTRACKED) || (skb.conn != null && skb.conn.isTemplate())) {
            conntrack.in(skb);
            if (skb.ctDrop) {
                hostDrop(res, EngineDrop.CONNTRACK);
                return false;
            }
        }
        if (res.ctStateBits == 0) {
            res.ctStateBits = skb.ctStateBits;
        }
        if (trace != null) {
            String state = PathResult.ctStateName(skb.ctStateBits);
            trace.note("conntrack: " + (state.isEmpty() ? "-" : state) + " (ctinfo " + skb.ctinfo
                    + (skb.conn == null ? ", no entry)" : ")"));
        }
        return true;
    }

    /**
     * nf_confirm: the helper, then the sequence translation of an entry with IPS_SEQ_ADJUST (not on
     * loopback, not for RELATED_REPLY ICMP), then nf_conntrack_confirm; @return false if dropped
     */
    private boolean confirm(Skb skb, PathResult res) {
        conntrack.confirm(skb);
        if (skb.ctDrop) {
            hostDrop(res, EngineDrop.CONNTRACK);
            return false;
        }
        Conn c = skb.conn;
        if (c != null && (c.status & Conn.IPS_SEQ_ADJUST) != 0 && skb.ctinfo != IP_CT_RELATED_REPLY
                && skb.pd.protocol == 6 && !loopbackPacket(skb)
                && !Seqadj.adjust(skb.pd, c, skb.ctinfo)) {
            hostDrop(res, EngineDrop.CONNTRACK);
            return false;
        }
        return true;
    }

    /**
     * nf_is_loopback_packet: a packet that was received (skb_iif set) on a loopback device — at
     * INPUT after looping back through lo. A locally generated packet leaving through lo is not one.
     */
    private boolean loopbackPacket(Skb skb) {
        return !skb.inIface.isEmpty() && host.isLoopback(skb.hook == Hook.INPUT ? skb.inIface : skb.outIface);
    }

    /** SYNPROXY's hook at priority NF_IP_PRI_CONNTRACK_CONFIRM − 1 ({@link SynproxyStage}); @return false if it took the packet */
    private boolean synproxyHook(Skb skb, PathResult res) {
        return synproxy.run(skb, res, loopbackPacket(skb));
    }

    /** A packet generated inside a hook goes out now: routing, OUTPUT, POSTROUTING. */
    void outputGenerated(Skb g, PathResult r) {
        boolean was = generatedNow;
        generatedNow = true;
        output(g, r);
        generatedNow = was;
    }

    /**
     * nf_nat_inet_fn: for a connection's first packet (NEW/RELATED) without a binding for this
     * hook's manip type, run the nat table, then bind it to itself if no rule did
     * (nf_nat_alloc_null_binding); then rewrite every packet of a bound connection
     * (nf_nat_packet). Untracked packets and conntrack templates pass untouched.
     */
    private boolean nat(CompiledRuleset rs, int v, Hook hook, Skb skb, PathResult res, boolean src) {
        Conn c = skb.conn;
        if (c == null || c.isTemplate()) {
            return true;
        }
        int ci = skb.ctinfo;
        // nf_nat_ipv4_fn/ipv6_fn: a RELATED ICMP error is only translated (NatRewrite), never bound.
        boolean icmpRelated = (ci == IP_CT_RELATED || ci == IP_CT_RELATED_REPLY)
                && (skb.pd.protocol == 1 || skb.pd.protocol == 58);
        if (!icmpRelated && (ci == IP_CT_NEW || ci == IP_CT_RELATED || ci == IP_CT_RELATED_REPLY)) {
            int manip = src ? NatBinding.MANIP_SRC : NatBinding.MANIP_DST;
            if (!NatBinding.initialized(c, manip)) {
                if (!table(rs, v, TableKind.NAT, hook, skb, res)) {
                    return false;
                }
                if (!NatBinding.initialized(c, manip) && !NatBinding.nullBinding(c, hook)) {
                    hostDrop(res, EngineDrop.NAT);
                    return false;
                }
            }
        }
        if (!NatRewrite.packet(skb)) {
            hostDrop(res, EngineDrop.NAT);
            return false;
        }
        return true;
    }

    /** @return true to continue (ACCEPT), false if the packet ended here */
    private boolean table(CompiledRuleset rs, int v, TableKind kind, Hook hook, Skb skb, PathResult res) {
        CompiledTable t = rs.table(v, kind);
        if (t.hookEntry[hook.ordinal()] < 0) {
            return true;
        }
        int verdict = ev.run(t, hook, skb, emitter);
        int code = Verdict.code(verdict);
        int e = ev.lastEntry;
        if (code != Verdict.ACCEPT || kind == TableKind.FILTER || res.table == null) {
            res.table = t;
            res.entry = e;
            res.decidedAt = hook;
        }
        switch (code) {
            case Verdict.ACCEPT -> {
                return true;
            }
            case Verdict.DROP -> res.outcome = t.rejects[e] ? PathResult.REJECTED : PathResult.DROPPED;
            case Verdict.QUEUE -> {
                if (skb.queueBypass) {
                    // NFQUEUE --queue-bypass with no listener: the packet goes on as if accepted.
                    skb.queueBypass = false;
                    return true;
                }
                res.outcome = PathResult.QUEUED;
                engineDrops[EngineDrop.QUEUE_NO_LISTENER.ordinal()]++;
            }
            default -> res.outcome = PathResult.STOLEN;
        }
        return false;
    }

    // ---------------------------------------------------------------- generated packets

    void queueTracked(MemorySegment packet, int length, Conn conn, int ctinfo) {
        pending.addTracked(packet, length, conn, ctinfo);
    }

    private void drain(Skb origin, PathResult res) {
        if (pending.count == 0 || decoder == null) {
            return;
        }
        long time = origin.timeNanos;
        for (int i = 0; i < pending.count; i++) {
            Skb g = gen;
            g.resetMeta();
            g.pd.reset();
            g.timeNanos = time;
            if (!decoder.decode(g.pd, pending.buf[i], pending.len[i])) {
                malformedDrops[g.pd.dropReason.ordinal()]++;
                continue;
            }
            if (!icmp.allowed(host, g.pd, time)) {
                engineDrops[EngineDrop.ICMP_RATELIMIT.ordinal()]++;
                note("generated ICMP error suppressed by the ICMP rate limit");
                continue;
            }
            if (pending.tracked[i]) {
                SynproxyStage.attach(g, pending.conn[i], pending.ctinfo[i]);
            } else if (pending.conn[i] != null && (g.pd.protocol == 6 || IcmpRateLimiter.isError(g.pd))) {
                // nf_ct_attach: REJECT's RST (nf_send_reset) and every ICMP error icmp_send builds
                // (icmp_glue_bits / icmpv6_getfrag) carry the offending packet's entry, RELATED in
                // the other direction, even when that entry was never confirmed.
                g.conn = pending.conn[i];
                g.ctinfo = pending.ctinfo[i] < 3 ? IP_CT_RELATED_REPLY : IP_CT_RELATED;
                g.ctStateBits = STATE_RELATED_BIT;
            }
            res.emitted++;
            note("generated packet → OUTPUT");
            generatedNow = true;
            output(g, genResult);
            generatedNow = false;
        }
        pending.count = 0;
    }

    void note(String text) {
        if (trace != null) {
            trace.note(text);
        }
    }
}
