package io.stockade.conntrack;

import io.stockade.packet.Wire;
import io.stockade.packet.PacketDescriptor;

/**
 * UDP and UDP-Lite tracking ({@code nf_conntrack_proto_udp.c}): malformed length or a bad checksum
 * (PREROUTING, {@code nf_conntrack_checksum}) is INVALID; an unreplied flow lives
 * {@code udp_timeout} (30 s); once a reply was seen, a packet more than two seconds after the
 * entry was created extends it to {@code udp_timeout_stream} (120 s) and sets ASSURED. UDP-Lite
 * ({@code nf_conntrack_udplite_packet}) has no two-second delay: any packet once a reply was seen
 * extends it to the stream timeout and sets ASSURED.
 */
final class UdpTracker {
    private static final long STREAM_DELAY = 2 * ConntrackTable.SEC;

    private UdpTracker() {
    }

    static int packet(ConntrackTable t, Conn ct, PacketDescriptor pd, int ctinfo, boolean pre, long now) {
        if (!valid(t, pd, pre)) {
            return TcpTracker.INVALID;
        }
        int status = ct.status;
        if (!ct.isConfirmed()) {
            ct.udpStreamNanos = now + STREAM_DELAY;
        }
        ConntrackConfig cfg = t.cfg;
        if ((status & Conn.IPS_SEEN_REPLY) != 0) {
            int extra = cfg.udpTimeout;
            boolean stream = false;
            if (ct.protocol == 136 || now - ct.udpStreamNanos > 0) {
                extra = cfg.udpTimeoutStream;
                stream = (status & Conn.IPS_ASSURED) == 0;
            }
            t.refresh(ct, ctinfo, pd, extra, now);
            if (stream) {
                ct.status |= Conn.IPS_ASSURED;
            }
        } else {
            t.refresh(ct, ctinfo, pd, cfg.udpTimeout, now);
        }
        return TcpTracker.ACCEPT;
    }

    /** udp_error / udplite_error. */
    private static boolean valid(ConntrackTable t, PacketDescriptor pd, boolean pre) {
        int l4 = pd.l4Offset;
        int udplen = ConntrackTable.ipEnd(pd) - l4;
        int len = Wire.u16(pd.data, l4 + 4);
        int check = Wire.u16(pd.data, l4 + 6);
        if (pd.protocol == 136) {
            // UDP-Lite: the length field is the checksum coverage (0 = whole datagram).
            if (len == 0) {
                len = udplen;
            } else if (len < 8 || len > udplen) {
                t.stats.inc(CtStats.UDP_MALFORMED);
                return false;
            }
            if (check == 0) {
                t.stats.inc(CtStats.UDP_MALFORMED);
                return false;
            }
            // udplite_error hands IPPROTO_UDP (17), not 136, to nf_checksum_partial: a datagram whose
            // checksum is right by RFC 3828 (pseudo-header protocol 136) is INVALID to conntrack.
            if (pre && t.cfg.checksum && !L4Checksum.partialOk(pd, 17, len)) {
                t.stats.inc(CtStats.BAD_CHECKSUM);
                return false;
            }
            return true;
        }
        if (len > udplen || len < 8) {
            t.stats.inc(CtStats.UDP_MALFORMED);
            return false;
        }
        if (check == 0) {
            return true;
        }
        if (pre && t.cfg.checksum && !L4Checksum.ok(pd)) {
            t.stats.inc(CtStats.BAD_CHECKSUM);
            return false;
        }
        return true;
    }
}
