package io.stockade.defrag;

import io.stockade.packet.Checksum;
import io.stockade.packet.Ipv6ExtHeaders;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * IPv4/IPv6 fragment reassembly as netfilter's defrag does it before conntrack
 * (nf_defrag_ipv4 → ip_defrag, nf_defrag_ipv6 → nf_ct_frag6_gather), one instance per worker.
 *
 * <p>Contract: {@link #offer} takes a parsed packet. A packet that is not a fragment returns
 * {@link #PASS} without touching anything (no allocation on that path). A fragment is copied into
 * its queue, keyed like the kernel's {@code frag_v4_compare_key}/{@code frag_v6_compare_key}: source,
 * destination, identification, protocol (IPv4 only), and the defrag user (a per-direction
 * number the caller passes, IP_DEFRAG_CONNTRACK_IN/OUT + zone). It then returns {@link #HELD},
 * {@link #DROPPED} (with {@link #lastDrop}), or {@link #COMPLETE}: the reassembled datagram is in
 * {@link #out()} ({@link #outLength()} bytes from offset 0), IPv4 with offset 0/MF clear and a new
 * header checksum, IPv6 without its fragment header; {@link #maxFragSize()} is the largest
 * fragment's IP length (IPCB/IP6CB frag_max_size) for re-fragmentation on output.
 *
 * <p>Rules (inet_frag_queue_insert, ip_frag_queue, nf_ct_frag6_queue): a fragment lying inside an
 * already queued run is a duplicate and dropped alone; any other overlap drops the whole datagram
 * (RFC 5722; Linux does the same for IPv4 since 4.19); a last fragment ending before queued data,
 * data past a known end, an empty fragment, or a datagram over 65535 bytes drop the datagram;
 * an IPv4 non-last fragment's length is rounded down to 8 bytes, an IPv6 one must be a multiple
 * of 8. A queue expires {@link #IPV4_TIMEOUT_NANOS} (ipfrag_time) / {@link #IPV6_TIMEOUT_NANOS}
 * (nf_conntrack_frag6_timeout) after its first fragment, on packet time and silently (conntrack's
 * defrag users send no ICMP time exceeded). Bounded: {@link #MAX_QUEUES} queues and
 * {@link #HIGH_THRESH} bytes held (ipfrag_high_thresh); beyond, new fragments are dropped.
 *
 * <p>LINUX-DIFF: the queue count and {@link #MAX_RUNS} bounds are Stockade's (Linux is bounded by
 * memory only); timeouts are the kernel defaults, not read from sysctls.
 */
public final class Reassembler {
    public static final int PASS = 0;
    public static final int HELD = 1;
    public static final int COMPLETE = 2;
    public static final int DROPPED = 3;

    /** Why the last {@link #DROPPED} happened. */
    public static final int DROP_NONE = 0;
    public static final int DROP_OVERLAP = 1;
    public static final int DROP_DUPLICATE = 2;
    public static final int DROP_INVALID = 3;
    public static final int DROP_OVERSIZE = 4;
    public static final int DROP_NO_MEMORY = 5;

    public static final long IPV4_TIMEOUT_NANOS = 30_000_000_000L;
    public static final long IPV6_TIMEOUT_NANOS = 60_000_000_000L;
    public static final int MAX_QUEUES = 64;
    public static final int HIGH_THRESH = 4 * 1024 * 1024;
    /** Runs per queue; a datagram needing more is dropped as if out of memory. */
    public static final int MAX_RUNS = 64;
    private static final int MAX_DATA = 65535;
    private static final int MAX_HEADER = 65535;

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    private final Queue[] queues = new Queue[MAX_QUEUES];
    private int held;
    private byte[] outBytes;
    private MemorySegment out;
    private int outLength;
    private int maxFragSize;
    private int outUnfragLength;
    private int outId;
    /** Reason of the last {@link #DROPPED}. */
    public int lastDrop;
    /** Counters: datagrams reassembled, and drops by DROP_* reason. */
    public long reassembled;
    public final long[] drops = new long[6];
    /** Queues that timed out incomplete. */
    public long timeouts;

    private static final class Queue {
        boolean used;
        int version;
        long srcHi, srcLo, dstHi, dstLo;
        int id, proto, user;
        long expires;
        /** Data bytes of the datagram (after the unfragmentable part), indexed by fragment offset. */
        byte[] data;
        /** Unfragmentable part of the first fragment (IPv4 header; IPv6 header + ext headers before frag). */
        byte[] header;
        int headerLength;
        /** Offset in header of the next-header byte that named the fragment header (IPv6). */
        int nhPos;
        int nextHeader;
        boolean firstIn, lastIn;
        int len;
        int meat;
        int maxSize;
        int maxDfSize;
        final int[] runStart = new int[MAX_RUNS];
        final int[] runEnd = new int[MAX_RUNS];
        int runs;
        int tailEnd;
        int tailRun;
        int memory;
    }

    /** The reassembled datagram after {@link #COMPLETE}, valid until the next call. */
    public MemorySegment out() {
        return out;
    }

    public int outLength() {
        return outLength;
    }

    public int maxFragSize() {
        return maxFragSize;
    }

    /** After {@link #COMPLETE}: the unfragmentable part's length (IPv4 header; IPv6 headers before the fragment header). */
    public int outUnfragLength() {
        return outUnfragLength;
    }

    /** After {@link #COMPLETE}: the datagram's identification. */
    public int outId() {
        return outId;
    }

    /** Queues currently holding fragments. */
    public int queued() {
        int n = 0;
        for (Queue q : queues) {
            if (q != null && q.used) {
                n++;
            }
        }
        return n;
    }

    /** Bytes held in queues (the frag_mem_limit analogue). */
    public int heldBytes() {
        return held;
    }

    /**
     * @param pd   a packet parsed without error
     * @param now  packet time, nanoseconds
     * @param user the defrag user (direction and zone); queues of different users never mix
     * @return {@link #PASS}, {@link #HELD}, {@link #COMPLETE} or {@link #DROPPED}
     */
    public int offer(PacketDescriptor pd, long now, int user) {
        if (!pd.isFragment) {
            return PASS;
        }
        lastDrop = DROP_NONE;
        expire(now);
        int v = pd.ipVersion;
        int fragHdr = -1;
        int dataStart;
        if (v == 4) {
            dataStart = (int) pd.base + pd.l3HeaderLength;
        } else {
            fragHdr = pd.ipv6ExtOffsets[Ipv6ExtHeaders.index(Ipv6ExtHeaders.FRAGMENT)];
            if (fragHdr < 0) {
                return PASS;
            }
            dataStart = fragHdr + 8;
        }
        int end = (int) pd.end();
        if (pd.truncated || end > pd.length) {
            return drop(DROP_INVALID);
        }
        int dataLen = end - dataStart;
        int offset = pd.fragOffset;
        int fragEnd = offset + dataLen;
        int proto = v == 4 ? pd.protocol : 0;
        Queue q = find(v, pd, proto, user, now);
        if (q == null) {
            return drop(DROP_NO_MEMORY);
        }
        if (!pd.moreFragments) {
            if (fragEnd < q.len || (q.lastIn && fragEnd != q.len)) {
                return kill(q, DROP_INVALID);
            }
            q.lastIn = true;
            q.len = fragEnd;
        } else {
            if ((fragEnd & 7) != 0) {
                if (v == 6) {
                    return kill(q, DROP_INVALID);
                }
                fragEnd &= ~7;
            }
            if (fragEnd > q.len) {
                if (q.lastIn) {
                    return kill(q, DROP_INVALID);
                }
                q.len = fragEnd;
            }
        }
        if (fragEnd == offset) {
            return kill(q, DROP_INVALID);
        }
        if (fragEnd > MAX_DATA) {
            return kill(q, DROP_OVERSIZE);
        }
        int ins = insert(q, offset, fragEnd);
        if (ins == DROP_DUPLICATE) {
            return drop(DROP_DUPLICATE);
        }
        if (ins != DROP_NONE) {
            return kill(q, ins);
        }
        int n = fragEnd - offset;
        if (held + n > HIGH_THRESH) {
            return kill(q, DROP_NO_MEMORY);
        }
        if (q.data == null) {
            q.data = new byte[MAX_DATA];
        }
        MemorySegment.copy(pd.data, U8, dataStart, q.data, 0 + offset, n);
        q.meat += n;
        q.memory += n;
        held += n;
        int ipLen = end - (int) pd.base;
        if (ipLen > q.maxSize) {
            q.maxSize = ipLen;
        }
        if (v == 4 && pd.dontFragment && ipLen > q.maxDfSize) {
            q.maxDfSize = ipLen;
        }
        if (offset == 0) {
            q.firstIn = true;
            int hl = (v == 4 ? dataStart : fragHdr) - (int) pd.base;
            if (q.header == null || q.header.length < hl) {
                q.header = new byte[Math.max(hl, 60)];
            }
            MemorySegment.copy(pd.data, U8, pd.base, q.header, 0, hl);
            q.headerLength = hl;
            if (v == 6) {
                q.nextHeader = pd.data.get(U8, fragHdr) & 0xff;
                q.nhPos = nextHeaderPos(pd, fragHdr);
            }
        }
        if (q.firstIn && q.lastIn && q.meat == q.len) {
            return reassemble(q);
        }
        return HELD;
    }

    /** Offset (from base) of the byte naming the fragment header: the IPv6 next header or the previous ext header's. */
    private static int nextHeaderPos(PacketDescriptor pd, int fragHdr) {
        int pos = 6;
        int nh = pd.data.get(U8, pd.base + 6) & 0xff;
        long off = pd.base + 40;
        for (int i = 0; i < 16 && off < fragHdr; i++) {
            pos = (int) (off - pd.base);
            int len = pd.data.get(U8, off + 1) & 0xff;
            off += nh == 51 ? (len + 2) * 4L : (len + 1) * 8L;
            nh = pd.data.get(U8, pd.base + pos) & 0xff;
        }
        return pos;
    }

    /** inet_frag_queue_insert: DROP_NONE inserted, DROP_DUPLICATE inside a run, DROP_OVERLAP otherwise. */
    private static int insert(Queue q, int offset, int end) {
        if (q.runs == 0 || q.tailEnd <= offset) {
            if (q.runs > 0 && q.tailEnd == offset) {
                q.runEnd[q.tailRun] = end;
            } else {
                if (q.runs == MAX_RUNS) {
                    return DROP_NO_MEMORY;
                }
                q.runStart[q.runs] = offset;
                q.runEnd[q.runs] = end;
                q.tailRun = q.runs++;
            }
            q.tailEnd = end;
            return DROP_NONE;
        }
        for (int i = 0; i < q.runs; i++) {
            int s = q.runStart[i];
            int e = q.runEnd[i];
            if (end <= s || offset >= e) {
                continue;
            }
            return offset >= s && end <= e ? DROP_DUPLICATE : DROP_OVERLAP;
        }
        if (q.runs == MAX_RUNS) {
            return DROP_NO_MEMORY;
        }
        q.runStart[q.runs] = offset;
        q.runEnd[q.runs] = end;
        q.runs++;
        return DROP_NONE;
    }

    private int reassemble(Queue q) {
        int total = q.headerLength + q.len;
        if (total > MAX_HEADER) {
            return kill(q, DROP_OVERSIZE);
        }
        if (outBytes == null) {
            outBytes = new byte[MAX_HEADER + 1];
            out = MemorySegment.ofArray(outBytes);
        }
        System.arraycopy(q.header, 0, outBytes, 0, q.headerLength);
        System.arraycopy(q.data, 0, outBytes, q.headerLength, q.len);
        if (q.version == 4) {
            outBytes[2] = (byte) (total >>> 8);
            outBytes[3] = (byte) total;
            // ip_frag_reasm: DF set when the largest fragment carried it (max_df_size == max_size).
            outBytes[6] = (byte) (q.maxDfSize == q.maxSize ? 0x40 : 0);
            outBytes[7] = 0;
            outBytes[10] = 0;
            outBytes[11] = 0;
            int sum = Checksum.finish(Checksum.sum(out, 0, q.headerLength, 0));
            outBytes[10] = (byte) (sum >>> 8);
            outBytes[11] = (byte) sum;
        } else {
            outBytes[q.nhPos] = (byte) q.nextHeader;
            int payload = total - 40;
            outBytes[4] = (byte) (payload >>> 8);
            outBytes[5] = (byte) payload;
        }
        outLength = total;
        maxFragSize = Math.max(q.maxSize, q.maxDfSize);
        outUnfragLength = q.headerLength;
        outId = q.id;
        release(q);
        reassembled++;
        return COMPLETE;
    }

    private Queue find(int v, PacketDescriptor pd, int proto, int user, long now) {
        Queue free = null;
        for (Queue q : queues) {
            if (q == null) {
                continue;
            }
            if (!q.used) {
                if (free == null) {
                    free = q;
                }
                continue;
            }
            if (q.version == v && q.id == pd.ipId && q.proto == proto && q.user == user
                    && q.srcHi == pd.srcHi && q.srcLo == pd.srcLo && q.dstHi == pd.dstHi && q.dstLo == pd.dstLo) {
                return q;
            }
        }
        if (free == null) {
            for (int i = 0; i < queues.length; i++) {
                if (queues[i] == null) {
                    free = queues[i] = new Queue();
                    break;
                }
            }
            if (free == null) {
                return null;
            }
        }
        Queue q = free;
        q.used = true;
        q.version = v;
        q.srcHi = pd.srcHi;
        q.srcLo = pd.srcLo;
        q.dstHi = pd.dstHi;
        q.dstLo = pd.dstLo;
        q.id = pd.ipId;
        q.proto = proto;
        q.user = user;
        q.expires = now + (v == 4 ? IPV4_TIMEOUT_NANOS : IPV6_TIMEOUT_NANOS);
        q.firstIn = q.lastIn = false;
        q.len = q.meat = q.maxSize = q.maxDfSize = q.runs = q.tailEnd = q.tailRun = q.memory = 0;
        q.headerLength = 0;
        return q;
    }

    /** Frees queues whose timer ran out by {@code now} (ip_expire / nf_ct_frag6_expire, no ICMP). */
    public void expire(long now) {
        for (Queue q : queues) {
            if (q != null && q.used && now - q.expires >= 0) {
                release(q);
                timeouts++;
            }
        }
    }

    private int kill(Queue q, int reason) {
        release(q);
        return drop(reason);
    }

    private int drop(int reason) {
        lastDrop = reason;
        drops[reason]++;
        return DROPPED;
    }

    private void release(Queue q) {
        held -= q.memory;
        q.memory = 0;
        q.used = false;
    }
}
