package io.stockade.engine;

import io.stockade.packet.PacketDescriptor;
import io.stockade.rules.Hook;

/**
 * A packet on its way through the hooks with the metadata the kernel keeps beside it (the
 * {@code sk_buff} fields netfilter reads): the parsed descriptor, the hook being traversed,
 * in/out interfaces, mark, the conntrack entry and its ctinfo, and the packet time. One per
 * worker, reused; not thread-safe. Matches and targets read and write it; it must never be
 * retained past the packet.
 */
public final class Skb {
    /** Parsed headers; the bytes live in {@code pd.data}. */
    public final PacketDescriptor pd = new PacketDescriptor();

    /** Hook being traversed. */
    public Hook hook;
    /** Input interface name, or "" (OUTPUT/POSTROUTING of local packets). */
    public String inIface = "";
    /** Output interface name, or "" before routing. */
    public String outIface = "";
    /** Packet mark (nfmark). */
    public int mark;
    /** Link-layer source MAC (6 bytes in the low 48 bits), -1 if unknown. */
    public long srcMac = -1;
    /** Link-layer packet type as seen on input: 0 host, 1 broadcast, 2 multicast, 3 other host. */
    public int pktType;
    /** Owning socket's uid/gid for locally generated packets (OUTPUT/POSTROUTING), -1 if none. */
    public int uid = -1;
    public int gid = -1;
    /**
     * The owning socket's supplementary groups ({@code file->f_cred->group_info}, read by owner
     * {@code --suppl-groups}): the first {@code groupCount} entries.
     */
    public final int[] groups = new int[64];
    public int groupCount;
    /** Packet timestamp in nanoseconds (capture time offline, clock time live). */
    public long timeNanos;

    /** The conntrack entry the packet belongs to, or null (untracked / not yet tracked). */
    public io.stockade.conntrack.Conn conn;
    /** ctinfo as the kernel defines it (IP_CT_ESTABLISHED = 0, RELATED = 1, NEW = 2, …, UNTRACKED = 7). */
    public int ctinfo;
    /** Conntrack state bits as the conntrack match sees them (see {@code ConntrackMatch}). */
    public int ctStateBits;
    /** Set by conntrack where the kernel returns NF_DROP (table full, helper refusal): drop the packet. */
    public boolean ctDrop;

    /** The host's address/route view for addrtype and rpfilter (set by the engine, never null). */
    public AddressTypes addressTypes = AddressTypes.NONE;
    /** Handle of the route the packet takes ({@code HostModel} route; set by the engine's routing step, -1 before). */
    public int route = -1;
    /** MTU of the route the packet takes (set by the engine's routing step; 0 before routing). */
    public int routeMtu;
    /** Largest received fragment's IP length when this packet was reassembled by defrag (IPCB frag_max_size), else 0. */
    public int fragMaxSize;
    /** IPCB opt.rr: offset of the record-route option ({@link Ipv4Options}), | 0x100 when rr_needaddr; 0 none. */
    public int ipOptRecordRoute;
    /** IPCB opt.ts: offset of the timestamp option, | 0x100 ts_needaddr, | 0x200 ts_needtime; 0 none. */
    public int ipOptTimestamp;
    /** IPCB opt.cipso: offset of the CIPSO option; 0 none. */
    public int ipOptCipso;
    /** IPCB opt.is_changed: the options were rewritten on receive, the header checksum is stale until ip_forward_options. */
    public boolean ipOptChanged;
    /** For a reassembled IPv6 packet: length of its unfragmentable part, and the fragment identification. */
    public int fragUnfragLength;
    public int fragId;

    /** Traffic-control priority ({@code skb->priority}), set by CLASSIFY. */
    public int priority;
    /** TRACE was hit: the engine prints trace lines for this packet's rule traversal. */
    public boolean trace;
    /** How trace lines show the packet (set with {@link #trace} by the TRACE target; none: no lines). */
    public PacketLogFormat traceFormat;
    /** Security mark ({@code skb->secmark}), set by SECMARK/CONNSECMARK. */
    public int secmark;
    /** Conntrack template from {@code -j CT} in raw: zone (0 = default), helper name or null. */
    public int ctZone;
    public String ctHelper;
    /** NFQUEUE {@code --queue-bypass}: accept instead of drop when no program listens on the queue. */
    public boolean queueBypass;

    /**
     * The link-layer header the packet arrived with (Ethernet: destination MAC, source MAC,
     * ethertype — 14 bytes), as LOG prints it after {@code MAC=}; {@code macHeaderLength} 0 when
     * there is none (locally generated packets, or a capture without link layer).
     */
    public final byte[] macHeader = new byte[32];
    public int macHeaderLength;

    /**
     * Per-worker scratch space for targets that build packets or text on the packet path
     * (REJECT replies, LOG lines): valid only during one target call, never retained.
     */
    public final byte[] scratchBytes = new byte[1536];
    public final java.lang.foreign.MemorySegment scratch = java.lang.foreign.MemorySegment.ofArray(scratchBytes);
    public final StringBuilder scratchText = new StringBuilder(1024);
    /** Scratch ints for a target's per-packet working state (SYNPROXY's options), valid during one call. */
    public final int[] scratchInts = new int[8];
    /** Scratch for one address (hi, lo) returned by host lookups. */
    public final long[] scratchAddr = new long[2];

    /** Resets metadata for the next packet (the descriptor is reset by its parser). */
    public void resetMeta() {
        hook = null;
        inIface = "";
        outIface = "";
        mark = 0;
        srcMac = -1;
        pktType = 0;
        uid = -1;
        gid = -1;
        groupCount = 0;
        timeNanos = 0;
        conn = null;
        ctinfo = 0;
        ctStateBits = 0;
        ctDrop = false;
        routeMtu = 0;
        route = -1;
        fragMaxSize = 0;
        ipOptRecordRoute = 0;
        ipOptTimestamp = 0;
        ipOptCipso = 0;
        ipOptChanged = false;
        fragUnfragLength = 0;
        fragId = 0;
        priority = 0;
        trace = false;
        secmark = 0;
        ctZone = 0;
        ctHelper = null;
        queueBypass = false;
        macHeaderLength = 0;
    }
}
