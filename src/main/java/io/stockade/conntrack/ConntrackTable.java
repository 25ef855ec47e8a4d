package io.stockade.conntrack;

import io.stockade.packet.Wire;
import io.stockade.engine.ConnTracker;
import io.stockade.engine.Skb;
import io.stockade.packet.DropReason;
import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Hook;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection-tracking table of one network namespace: {@code nf_conntrack_in} ({@link #in})
 * and {@code nf_confirm} ({@link #confirm}) over an open-addressing tuple index.
 *
 * <p>{@link #in} (priority −200 in PREROUTING and OUTPUT) finds the entry for the packet's tuple
 * or creates an unconfirmed one, runs the protocol tracker, and sets {@code skb.conn},
 * {@code skb.ctinfo} and {@code skb.ctStateBits} (see {@link Conn} for the values), or leaves
 * {@code conn == null} with {@link Conn#STATE_INVALID} where the kernel finds the packet invalid.
 * When the kernel would return NF_DROP (table full and nothing to early-drop, a helper rejecting
 * a command) it sets {@code skb.ctDrop}. {@link #confirm} (end of INPUT / POSTROUTING) runs the
 * entry's helper and inserts a new entry; an entry whose first packet never reaches confirm is
 * forgotten. Expiry is lazy, on packet time ({@code skb.timeNanos}): a lookup that hits an
 * expired entry removes it, and every call reaps a few slots incrementally.
 *
 * <p>Single-threaded (one packet path). Per packet: no allocation for existing entries; a new
 * entry allocates one {@link Conn}.
 */
public final class ConntrackTable implements ConnTracker {
    static final long SEC = 1_000_000_000L;
    private static final int GC_STEP = 8;
    /** Tuples examined for an early-drop victim (about NF_CT_EVICTION_RANGE buckets' worth). */
    private static final int EVICTION_TUPLES = 16;

    public final ConntrackConfig cfg;
    public final CtStats stats = new CtStats();
    private final TupleIndex index = new TupleIndex(1024);
    private final ArrayList<Expectation> expectations = new ArrayList<>();
    private final FtpHelper ftp = new FtpHelper();
    /** nf_nat_bysource: source-NAT-bound entries by original source (zone, protocol, address, port). */
    private final java.util.HashMap<Long, ArrayList<Conn>> bySource = new java.util.HashMap<>();
    private int count;
    private long nextId = 1;
    /** An entry whose first packet was INVALID (it never left this class): the next new entry reuses it. */
    private Conn spare;
    private int gcCursor;
    private long lastNow;

    // The tuple under construction / lookup (no allocation per packet).
    int kVer, kProto, kZone, kSp, kDp;
    long kSrcHi, kSrcLo, kDstHi, kDstLo;

    public ConntrackTable() {
        this(new ConntrackConfig());
    }

    public ConntrackTable(ConntrackConfig cfg) {
        this.cfg = cfg;
    }

    /** Confirmed entries, including expired ones not yet reaped (the kernel's nf_conntrack_count). */
    public int count() {
        return count;
    }

    /** Time of the latest packet seen, the clock for listings. */
    public long now() {
        return lastNow;
    }

    // ------------------------------------------------------------------ nf_conntrack_in

    @Override
    public void in(Skb skb) {
        PacketDescriptor pd = skb.pd;
        long now = skb.timeNanos;
        if (now > lastNow) {
            lastNow = now;
        }
        gcStep(now);
        Conn tmpl = null;
        if (skb.conn != null) {
            if (!skb.conn.isTemplate()) {
                return; // already tracked (e.g. looped back)
            }
            tmpl = skb.conn;
            skb.conn = null;
        } else if (skb.ctinfo == Conn.IP_CT_UNTRACKED) {
            skb.ctStateBits = Conn.STATE_UNTRACKED;
            return;
        }
        // The CT target's template: Skb.ctZone/ctHelper (or a template Conn in skb.conn).
        int zone = tmpl == null ? skb.ctZone : tmpl.zone;
        String tmplHelper = tmpl == null ? skb.ctHelper : tmpl.helper;
        if (pd.dropReason != DropReason.NONE) {
            invalid(skb, CtStats.BAD_PACKET);
            return;
        }
        // get_l4proto: later fragments carry no transport header.
        // Netfilter's defrag (nf_defrag_ipv4/6) reassembles before this hook; a fragment only
        // reaches here when defrag is bypassed (no packet decoder), as with nf_defrag unloaded.
        if (pd.fragOffset != 0) {
            invalid(skb, CtStats.FRAGMENT);
            return;
        }
        if (pd.l4Offset < 0) {
            invalid(skb, CtStats.NO_L4);
            return;
        }
        int proto = pd.protocol;
        boolean pre = skb.hook == Hook.PREROUTING;
        if (proto == 1 || proto == 58) {
            int r = IcmpTracker.error(this, skb, zone, pre);
            if (r == IcmpTracker.INVALID) {
                invalid(skb, -1);
                return;
            }
            if (r == IcmpTracker.DONE) {
                return;
            }
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            if (!tupleFromPacket(pd, zone)) {
                invalid(skb, CtStats.TRUNCATED);
                return;
            }
            Conn ct = lookup(now);
            int dir = index.foundDir;
            boolean fresh = ct == null;
            if (ct == null) {
                ct = create(skb, tmplHelper, now);
                if (ct == null) {
                    return; // invalid or dropped, skb already marked
                }
                if (tmpl != null && tmpl.synproxy) {
                    // nf_ct_add_synproxy: the template's seqadj and synproxy extensions.
                    ct.hasSeqadj = true;
                    ct.synproxy = true;
                }
                dir = Conn.DIR_ORIGINAL;
            } else {
                stats.inc(CtStats.FOUND);
            }
            int ctinfo;
            if (dir == Conn.DIR_REPLY) {
                ctinfo = Conn.IP_CT_ESTABLISHED_REPLY;
            } else if ((ct.status & Conn.IPS_SEEN_REPLY) != 0) {
                ctinfo = Conn.IP_CT_ESTABLISHED;
            } else if ((ct.status & Conn.IPS_EXPECTED) != 0) {
                ctinfo = Conn.IP_CT_RELATED;
            } else {
                ctinfo = Conn.IP_CT_NEW;
            }
            int res = handlePacket(ct, pd, ctinfo, pre, now);
            if (res == TcpTracker.REPEAT) {
                continue;
            }
            if (res != TcpTracker.ACCEPT) {
                if (fresh && res == TcpTracker.INVALID) {
                    spare = ct; // e.g. a SYN-ACK without a SYN (SYNPROXY's answers): no allocation per packet
                }
                invalid(skb, -1);
                if (res == TcpTracker.DROP) {
                    drop(skb);
                }
                return;
            }
            if (ctinfo == Conn.IP_CT_ESTABLISHED_REPLY) {
                ct.status |= Conn.IPS_SEEN_REPLY;
            }
            skb.conn = ct;
            skb.ctinfo = ctinfo;
            skb.ctStateBits = Conn.stateBit(ctinfo);
            return;
        }
        invalid(skb, -1);
    }

    private int handlePacket(Conn ct, PacketDescriptor pd, int ctinfo, boolean pre, long now) {
        switch (ct.protocol) {
            case 6:
                return TcpTracker.packet(this, ct, pd, ctinfo, pre, now);
            case 17:
            case 136:
                return UdpTracker.packet(this, ct, pd, ctinfo, pre, now);
            case 1:
            case 58:
                return IcmpTracker.packet(this, ct, pd, ctinfo, now);
            case 47:
                // LINUX-DIFF: GRE version 1 (PPTP) call-id keys are not read; the tuple's keys are 0.
                // nf_conntrack_proto_gre: 30 s, 180 s and ASSURED once both directions were seen.
                if ((ct.status & Conn.IPS_SEEN_REPLY) != 0) {
                    refresh(ct, ctinfo, pd, cfg.greTimeoutStream, now);
                    ct.status |= Conn.IPS_ASSURED;
                } else {
                    refresh(ct, ctinfo, pd, cfg.greTimeout, now);
                }
                return TcpTracker.ACCEPT;
            case 132:
                return SctpTracker.packet(this, ct, pd, ctinfo, pre, now);
            default:
                // Generic tracker (600 s, no ports in the tuple), also for DCCP: Linux 6.16 removed
                // nf_conntrack_proto_dccp, so this kernel tracks DCCP as an unknown protocol.
                refresh(ct, ctinfo, pd, cfg.genericTimeout, now);
                return TcpTracker.ACCEPT;
        }
    }

    void invalid(Skb skb, int reason) {
        if (reason >= 0) {
            stats.inc(reason);
        }
        stats.inc(CtStats.INVALID);
        skb.conn = null;
        skb.ctinfo = 0;
        skb.ctStateBits = Conn.STATE_INVALID;
    }

    private void drop(Skb skb) {
        stats.inc(CtStats.DROP);
        skb.ctDrop = true;
    }

    /** Absolute offset just past the IP packet in {@code pd.data} (base + IP total length). */
    static int ipEnd(PacketDescriptor pd) {
        return (int) (pd.base + pd.ipTotalLength);
    }

    /**
     * Whether protocol {@code proto} has ports in its tuple (TCP, UDP, SCTP, UDP-Lite). DCCP has
     * none since Linux 6.16 removed its tracker: its flows are generic, ports 0 (conntrack -L
     * still prints {@code sport=0 dport=0} for them).
     */
    static boolean hasPorts(int proto) {
        return proto == 6 || proto == 17 || proto == 132 || proto == 136;
    }

    /** nf_ct_get_tuple: fill the key from the packet; false when the transport header is short. */
    private boolean tupleFromPacket(PacketDescriptor pd, int zone) {
        kVer = pd.ipVersion;
        kProto = pd.protocol;
        kZone = zone;
        kSrcHi = pd.srcHi;
        kSrcLo = pd.srcLo;
        kDstHi = pd.dstHi;
        kDstLo = pd.dstLo;
        int l4 = pd.l4Offset;
        if (hasPorts(kProto)) {
            if (l4 + 8 > pd.length) {
                return false;
            }
            kSp = Wire.u16(pd.data, l4);
            kDp = Wire.u16(pd.data, l4 + 2);
        } else if (kProto == 1 || kProto == 58) {
            if (l4 + 8 > pd.length) {
                return false;
            }
            kSp = Wire.u16(pd.data, l4 + 4);
            kDp = Wire.u8(pd.data, l4) << 8 | Wire.u8(pd.data, l4 + 1);
        } else {
            kSp = 0;
            kDp = 0;
        }
        return true;
    }

    /** __nf_conntrack_find_get for the key: a live confirmed entry or null (expired ones are reaped). */
    Conn lookup(long now) {
        Conn ct = index.find(kVer, kProto, kZone, kSrcHi, kSrcLo, kDstHi, kDstLo, kSp, kDp);
        if (ct != null && ct.expiresNanos - now <= 0) {
            kill(ct);
            return null;
        }
        return ct;
    }

    /** Direction of the last successful {@link #lookup}. */
    int lookupDir() {
        return index.foundDir;
    }

    /** init_conntrack: a new unconfirmed entry for the key, or null (skb marked invalid / dropped). */
    private Conn create(Skb skb, String tmplHelper, long now) {
        int rSp = kDp;
        int rDp = kSp;
        if (kProto == 1 || kProto == 58) {
            int inv = IcmpTracker.invertType(kProto, kDp >>> 8);
            if (inv < 0) {
                invalid(skb, CtStats.ICMP_CANT_INVERT);
                return null;
            }
            rSp = kSp;
            rDp = inv << 8 | (kDp & 0xff);
        }
        if (cfg.max > 0 && count >= cfg.max && !earlyDrop(now)) {
            stats.inc(CtStats.TABLE_FULL);
            invalid(skb, -1);
            drop(skb);
            return null;
        }
        Conn ct = spare;
        if (ct == null) {
            ct = new Conn();
        } else {
            spare = null;
            ct.clear();
        }
        ct.table = this;
        ct.id = nextId++;
        ct.ipVersion = kVer;
        ct.protocol = kProto;
        ct.zone = kZone;
        ct.origSrcHi = kSrcHi;
        ct.origSrcLo = kSrcLo;
        ct.origDstHi = kDstHi;
        ct.origDstLo = kDstLo;
        ct.origSrcPort = kSp;
        ct.origDstPort = kDp;
        ct.replySrcHi = kDstHi;
        ct.replySrcLo = kDstLo;
        ct.replyDstHi = kSrcHi;
        ct.replyDstLo = kSrcLo;
        ct.replySrcPort = rSp;
        ct.replyDstPort = rDp;
        ct.expiresNanos = now;
        stats.inc(CtStats.NEW);
        Expectation exp = expectations.isEmpty() ? null : findExpectation(now);
        if (exp != null) {
            ct.status |= Conn.IPS_EXPECTED;
            ct.master = exp.master;
            ct.helper = exp.helper;
            ct.mark = exp.master.mark;
            ct.secmark = exp.master.secmark;
        } else if (tmplHelper != null) {
            ct.helper = tmplHelper;
        } else if (cfg.autoAssignHelpers && kProto == 6 && rSp == 21) {
            ct.helper = FtpHelper.NAME;
        }
        return ct;
    }

    /**
     * early_drop: evict one confirmed, not ASSURED entry among the tuples nearest the new tuple's
     * slot. The kernel scans NF_CT_EVICTION_RANGE (8) hash buckets, which at the default sizing
     * (nf_conntrack_max = buckets, two tuples per entry) hold about 16 tuples.
     */
    // LINUX-DIFF: the kernel kills every unassured entry of the first bucket that has one, and its
    // buckets are jhash-randomised; we examine the 16 tuples nearest the new tuple and kill one.
    private boolean earlyDrop(long now) {
        int slot = index.home(TupleIndex.hash(kVer, kProto, kZone, kSrcHi, kSrcLo, kDstHi, kDstLo, kSp, kDp));
        int cap = index.capacity();
        int mask = cap - 1;
        int seen = 0;
        for (int n = 0; n < cap && seen < EVICTION_TUPLES; n++) {
            int i = (slot + n) & mask;
            Conn c = index.slotConn(i);
            if (c == null) {
                continue;
            }
            seen++;
            if (c.expiresNanos - now <= 0) {
                kill(c);
                return true;
            }
            if ((c.status & Conn.IPS_ASSURED) == 0 || c.protocol == 132 && SctpTracker.canEarlyDrop(c.l4State)) {
                kill(c);
                stats.inc(CtStats.EARLY_DROP);
                return true;
            }
        }
        return false;
    }

    @Override
    public void setClosing(Skb skb) {
        Conn ct = skb.conn;
        if (ct == null || ct.protocol != 6 || !ct.isConfirmed()) {
            return;
        }
        int old = ct.l4State;
        ct.l4State = TcpTracker.CLOSE;
        if (old == TcpTracker.CLOSE || (ct.status & Conn.IPS_FIXED_TIMEOUT) != 0) {
            return;
        }
        ct.expiresNanos = skb.timeNanos + cfg.tcpTimeout(TcpTracker.CLOSE) * SEC;
    }

    /** nf_ct_refresh_acct: count the packet and set the timeout (seconds from now). */
    void refresh(Conn ct, int ctinfo, PacketDescriptor pd, int timeoutSec, long now) {
        account(ct, ctinfo, pd);
        if ((ct.status & Conn.IPS_FIXED_TIMEOUT) != 0) {
            return;
        }
        ct.expiresNanos = now + timeoutSec * SEC;
    }

    void account(Conn ct, int ctinfo, PacketDescriptor pd) {
        int d = ctinfo >= Conn.IP_CT_IS_REPLY ? 1 : 0;
        ct.packets[d]++;
        ct.bytes[d] += pd.ipTotalLength;
    }

    private static long sourceKey(int ver, int proto, int zone, long srcHi, long srcLo, int sport) {
        return TupleIndex.hash(ver, proto, zone, srcHi, srcLo, 0, 0, sport, 0) & 0xffffffffL;
    }

    /** Registers a source-NAT-bound entry (nf_nat_setup_info adds it to the bysource hash). */
    public void addBySource(Conn ct) {
        long k = sourceKey(ct.ipVersion, ct.protocol, ct.zone, ct.origSrcHi, ct.origSrcLo, ct.origSrcPort);
        bySource.computeIfAbsent(k, x -> new ArrayList<>(2)).add(ct);
    }

    /**
     * Live source-NAT-bound entries whose original source is this address and port (and zone,
     * protocol), as {@code find_appropriate_src} walks them. Entries that died are pruned here.
     */
    public List<Conn> bySource(int ver, int proto, int zone, long srcHi, long srcLo, int sport) {
        ArrayList<Conn> l = bySource.get(sourceKey(ver, proto, zone, srcHi, srcLo, sport));
        if (l == null) {
            return List.of();
        }
        l.removeIf(c -> (c.status & Conn.IPS_DYING) != 0 || (c.isConfirmed() && c.expiresNanos - lastNow <= 0));
        ArrayList<Conn> out = new ArrayList<>(l.size());
        for (Conn c : l) {
            if (c.ipVersion == ver && c.protocol == proto && c.zone == zone && c.origSrcHi == srcHi
                    && c.origSrcLo == srcLo && c.origSrcPort == sport) {
                out.add(c);
            }
        }
        return out;
    }

    /** nf_ct_kill: remove a confirmed entry (and its expectations); marks an unconfirmed one dying. */
    void kill(Conn ct) {
        if ((ct.status & Conn.IPS_DYING) != 0) {
            return;
        }
        ct.status |= Conn.IPS_DYING;
        if ((ct.status & Conn.IPS_SRC_NAT_DONE) != 0 && !bySource.isEmpty()) {
            long k = sourceKey(ct.ipVersion, ct.protocol, ct.zone, ct.origSrcHi, ct.origSrcLo, ct.origSrcPort);
            ArrayList<Conn> l = bySource.get(k);
            if (l != null) {
                l.remove(ct);
                if (l.isEmpty()) {
                    bySource.remove(k);
                }
            }
        }
        if (ct.isConfirmed()) {
            index.remove(ct, 0);
            index.remove(ct, 1);
            count--;
            if (!expectations.isEmpty()) {
                removeExpectations(ct);
            }
        }
    }

    private void gcStep(long now) {
        if (count == 0) {
            return;
        }
        int mask = index.capacity() - 1;
        for (int n = 0; n < GC_STEP; n++) {
            int i = gcCursor & mask;
            Conn c = index.slotConn(i);
            if (c != null && c.expiresNanos - now <= 0) {
                kill(c); // the slot may now hold a shifted entry: look at it again next step
            } else {
                gcCursor++;
            }
        }
    }

    /** Removes every expired entry at {@code now}. */
    public void reap(long now) {
        if (now > lastNow) {
            lastNow = now;
        }
        for (int i = 0; i < index.capacity(); ) {
            Conn c = index.slotConn(i);
            if (c != null && c.expiresNanos - now <= 0) {
                kill(c);
            } else {
                i++;
            }
        }
        for (int i = expectations.size() - 1; i >= 0; i--) {
            if (expectations.get(i).expiresNanos - now <= 0) {
                expectations.remove(i);
            }
        }
    }

    // ------------------------------------------------------------------ confirm

    @Override
    public void confirm(Skb skb) {
        Conn ct = skb.conn;
        if (ct == null || ct.isTemplate()) {
            return;
        }
        if (ct.helper != null && skb.ctinfo != Conn.IP_CT_RELATED_REPLY) {
            if (FtpHelper.NAME.equals(ct.helper) && !ftp.help(this, ct, skb.ctinfo, skb.pd, skb.timeNanos)) {
                stats.inc(CtStats.HELPER_DROP);
                drop(skb);
                return;
            }
        }
        if (ct.isConfirmed()) {
            return;
        }
        // __nf_conntrack_confirm: REJECT attaches the original's entry to its RST/ICMP reply
        // (nf_ct_attach, reply direction); only the packet that created the entry confirms it.
        if (skb.ctinfo >= Conn.IP_CT_IS_REPLY) {
            return;
        }
        if ((ct.status & Conn.IPS_DYING) != 0) {
            drop(skb);
            return;
        }
        // __nf_conntrack_confirm: a tuple already in the table (e.g. a NAT mapping that found no
        // free tuple) makes the insert fail and the packet is dropped.
        if (index.find(ct.ipVersion, ct.protocol, ct.zone, ct.origSrcHi, ct.origSrcLo, ct.origDstHi, ct.origDstLo,
                ct.origSrcPort, ct.origDstPort) != null
                || index.find(ct.ipVersion, ct.protocol, ct.zone, ct.replySrcHi, ct.replySrcLo, ct.replyDstHi,
                        ct.replyDstLo, ct.replySrcPort, ct.replyDstPort) != null) {
            stats.inc(CtStats.INSERT_FAILED);
            kill(ct);
            drop(skb);
            return;
        }
        ct.status |= Conn.IPS_CONFIRMED;
        index.insert(ct, 0);
        index.insert(ct, 1);
        count++;
        stats.inc(CtStats.INSERT);
    }

    // ------------------------------------------------------------------ expectations

    /** Registers an expectation (nf_ct_expect_related) with the helper's per-master limit. */
    boolean expect(Expectation e, int maxPerMaster) {
        int mine = 0;
        int oldest = -1;
        for (int i = 0; i < expectations.size(); i++) {
            Expectation x = expectations.get(i);
            if (x.sameTuple(e)) {
                expectations.remove(i);
                i--;
                continue;
            }
            if (x.master == e.master) {
                mine++;
                if (oldest < 0) {
                    oldest = i;
                }
            }
        }
        if (maxPerMaster > 0 && mine >= maxPerMaster && oldest >= 0) {
            expectations.remove(oldest);
        }
        if (expectations.size() >= cfg.expectMax) {
            return false;
        }
        expectations.add(e);
        stats.inc(CtStats.EXPECT_NEW);
        return true;
    }

    private Expectation findExpectation(long now) {
        for (int i = 0; i < expectations.size(); i++) {
            Expectation e = expectations.get(i);
            if (e.expiresNanos - now <= 0 || (e.master.status & Conn.IPS_DYING) != 0) {
                expectations.remove(i);
                i--;
                continue;
            }
            if (e.matches(kVer, kProto, kZone, kSrcHi, kSrcLo, kDstHi, kDstLo, kSp, kDp)) {
                expectations.remove(i);
                return e;
            }
        }
        return null;
    }

    private void removeExpectations(Conn master) {
        for (int i = expectations.size() - 1; i >= 0; i--) {
            if (expectations.get(i).master == master) {
                expectations.remove(i);
            }
        }
    }

    /** Pending expectations (a copy), for listings and tests. */
    public List<Expectation> expectations() {
        return List.copyOf(expectations);
    }

    // ------------------------------------------------------------------ control plane

    /** Live entries at {@code now} in creation order (a copy). */
    // LINUX-DIFF: the kernel dumps in hash-bucket order.
    public List<Conn> entries(long now) {
        ArrayList<Conn> out = new ArrayList<>();
        for (int i = 0; i < index.capacity(); i++) {
            Conn c = index.slotConn(i);
            if (c != null && index.slotDir(i) == 0 && c.expiresNanos - now > 0) {
                out.add(c);
            }
        }
        out.sort((a, b) -> Long.compare(a.id, b.id));
        return out;
    }

    /**
     * nf_conntrack_tuple_taken: whether the tuple is in use by an entry other than {@code ignored}
     * (NAT's unique-tuple search asks this about the reply tuple it would create).
     */
    public boolean tupleTaken(Conn ignored, int ipVersion, int proto, int zone, long srcHi, long srcLo, long dstHi,
            long dstLo, int sport, int dport) {
        Conn c = index.find(ipVersion, proto, zone, srcHi, srcLo, dstHi, dstLo, sport, dport);
        if (c == null || c == ignored) {
            return false;
        }
        if (c.expiresNanos - lastNow <= 0) {
            kill(c);
            return false;
        }
        return true;
    }

    /**
     * The kernel's reference count as {@code conntrack -L} shows it: the table's own reference plus
     * one per live connection whose master this entry is (control plane only).
     */
    public int useCount(Conn ct, long now) {
        int use = 1;
        for (int i = 0; i < index.capacity(); i++) {
            Conn c = index.slotConn(i);
            if (c != null && index.slotDir(i) == 0 && c.master == ct && c.expiresNanos - now > 0) {
                use++;
            }
        }
        return use;
    }

    /** {@code conntrack -F}: removes every entry and expectation; returns how many entries went. */
    public int flush() {
        int n = count;
        for (int i = 0; i < index.capacity(); i++) {
            Conn c = index.slotConn(i);
            if (c != null) {
                c.status |= Conn.IPS_DYING;
            }
        }
        index.clear();
        expectations.clear();
        bySource.clear();
        count = 0;
        return n;
    }

    /** Looks up a tuple in the table (tests, the conntrack command); null if absent or expired. */
    public Conn find(int ipVersion, int proto, int zone, long srcHi, long srcLo, long dstHi, long dstLo,
            int sport, int dport) {
        Conn c = index.find(ipVersion, proto, zone, srcHi, srcLo, dstHi, dstLo, sport, dport);
        return c != null && c.expiresNanos - lastNow > 0 ? c : null;
    }

    /** Removes one entry ({@code conntrack -D}). */
    public void delete(Conn ct) {
        kill(ct);
    }
}
