package io.stockade.cli;

import io.stockade.engine.Netfilter;
import io.stockade.engine.PathResult;
import io.stockade.engine.Skb;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketParser;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns captured frames into {@link Skb}s and runs them through a {@link Netfilter}: decodes the
 * link layer (Ethernet, SLL, SLL2, raw IP…), copies the IP packet into a reused writable buffer
 * (the host rewrites TTLs), parses it, sets the input interface, MAC header, source MAC and
 * packet type, and sends it down the received path or — for packets the capture marks as
 * outbound — the locally generated path. One per driver; no allocation per packet.
 */
final class PacketFeeder {
    private static final int BUFFER = 1 << 18;
    final Skb skb = new Skb();
    final LinkLayer link = new LinkLayer();
    private final PacketParser parser = new PacketParser();
    private final MemorySegment buf = Arena.ofAuto().allocate(BUFFER, 8);
    private final Netfilter nf;
    /** The socket owner given to the next outbound packets (trace's {@code uid}/{@code gid}/{@code groups}), or null. */
    private io.stockade.packet.PacketText.Owner owner;
    private int[] ownerGroups = new int[0];

    /** Sets (or with null clears) the socket owner of the outbound packets that follow. */
    void owner(io.stockade.packet.PacketText.Owner o) {
        owner = o;
        ownerGroups = o == null ? new int[0] : o.groups();
    }

    /** Frames that carried no IPv4/IPv6 packet (ARP, …): not netfilter's (ip/ip6tables) business. */
    long nonIp;

    PacketFeeder(Netfilter nf) {
        this.nf = nf;
    }

    /**
     * Runs one frame.
     *
     * @param inIface   interface the frame was seen on
     * @param outbound  true for packets the host sent (OUTPUT path)
     * @return false if the frame carried no IP packet (then {@code res} is untouched)
     */
    boolean run(int linkType, MemorySegment data, long offset, int captured, int original, String inIface,
                boolean outbound, long timeNanos, PathResult res) {
        if (!link.decode(linkType, data, offset, captured)) {
            if (link.reason == io.stockade.packet.DropReason.NOT_IP) {
                nonIp++;
                return false;
            }
        }
        Skb s = skb;
        s.resetMeta();
        int hl = (int) (link.ipOffset - offset);
        int ipLen = Math.min(link.reason == io.stockade.packet.DropReason.NONE ? link.ipLength : captured, BUFFER);
        if (link.reason != io.stockade.packet.DropReason.NONE) {
            s.pd.reset();
            s.pd.dropReason = link.reason;
        } else {
            MemorySegment.copy(data, link.ipOffset, buf, 0, ipLen);
            int origIp = Math.max(ipLen, original - hl);
            parser.parse(s.pd, buf, 0, ipLen, origIp);
        }
        s.timeNanos = timeNanos;
        s.srcMac = link.srcMac;
        s.pktType = link.pktType;
        if (linkType == LinkLayer.LINKTYPE_ETHERNET && hl >= 14) {
            int n = Math.min(14, s.macHeader.length);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, s.macHeader, 0, n);
            s.macHeaderLength = n;
        }
        if (outbound) {
            s.inIface = "";
            if (owner != null) {
                s.uid = owner.uid();
                s.gid = owner.gid();
                int[] g = ownerGroups;
                s.groupCount = Math.min(g.length, s.groups.length);
                System.arraycopy(g, 0, s.groups, 0, s.groupCount);
            }
            nf.send(s, res);
        } else {
            s.inIface = inIface == null ? "" : inIface;
            nf.receive(s, res);
        }
        return true;
    }

    /**
     * The interface a captured packet was seen on: the pcapng interface name, else for Linux
     * cooked v2 (SLL2) captures the interface index looked up in the host model, else {@code fallback}.
     */
    String ingressName(io.stockade.io.CaptureReader r, io.stockade.host.Host host, String fallback) {
        String name = r.interfaceName();
        if (name != null) {
            return name;
        }
        if (r.linkType() == LinkLayer.LINKTYPE_LINUX_SLL2 && link.decode(r.linkType(), r.data(), r.offset(), r.capturedLength())) {
            var f = host.ifaceByIndex(link.ifIndex);
            if (f != null) {
                return f.name();
            }
        }
        return fallback;
    }
}
