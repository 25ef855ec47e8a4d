package io.stockade.conntrack;

import io.stockade.packet.Crc32c;
import io.stockade.packet.PacketDescriptor;
import io.stockade.packet.Wire;
import java.lang.foreign.MemorySegment;

/**
 * SCTP connection tracking ({@code nf_conntrack_proto_sctp.c}, Linux 6.x): the association state
 * machine driven by each chunk of a packet in its direction (CLOSED, COOKIE_WAIT, COOKIE_ECHOED,
 * ESTABLISHED, SHUTDOWN_SENT/RECD/ACK_SENT, HEARTBEAT_SENT), the verification tags of both
 * directions learnt from INIT/INIT_ACK (and HEARTBEAT/SHUTDOWN_ACK for out-of-the-blue packets),
 * and the per-state timeouts of {@link ConntrackConfig}. INVALID (the entry is not touched
 * further): a bad CRC32c in PREROUTING with {@code nf_conntrack_checksum}, no chunk, a zero-length
 * chunk, COOKIE_ECHO/COOKIE_ACK not first or INIT/INIT_ACK/SHUTDOWN_COMPLETE not alone, a new
 * flow starting with ABORT/SHUTDOWN_COMPLETE/COOKIE_ACK or an unknown chunk, a wrong
 * verification tag (with the RFC 4960 8.5.1 exceptions), a transition the table forbids. ASSURED
 * once ESTABLISHED. {@code Conn.l4State} holds the state index ({@link #NAMES}).
 *
 * <p>Per packet: no allocation (the chunk-type bitmap is a long; CRC32c is table-driven).
 */
final class SctpTracker {
    static final int NONE = 0;
    static final int CLOSED = 1;
    static final int COOKIE_WAIT = 2;
    static final int COOKIE_ECHOED = 3;
    static final int ESTABLISHED = 4;
    static final int SHUTDOWN_SENT = 5;
    static final int SHUTDOWN_RECD = 6;
    static final int SHUTDOWN_ACK_SENT = 7;
    static final int HEARTBEAT_SENT = 8;
    /** SCTP_CONNTRACK_MAX: the table's "invalid" entry. */
    private static final int IV = 9;

    /** sctp_conntrack_names, as /proc and {@code conntrack -L} print them. */
    static final String[] NAMES = {"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
        "SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT"};

    // Chunk types (RFC 4960).
    static final int DATA = 0;
    static final int INIT = 1;
    static final int INIT_ACK = 2;
    static final int HEARTBEAT = 4;
    static final int HEARTBEAT_ACK = 5;
    static final int ABORT = 6;
    static final int SHUTDOWN = 7;
    static final int SHUTDOWN_ACK = 8;
    static final int ERROR = 9;
    static final int COOKIE_ECHO = 10;
    static final int COOKIE_ACK = 11;
    static final int SHUTDOWN_COMPLETE = 14;
    /** SCTP_CHUNK_FLAG_T. */
    private static final int FLAG_T = 1;
    /** SCTP_FLAG_HEARTBEAT_VTAG_FAILED in {@code Conn.sctpFlags}. */
    private static final int HEARTBEAT_VTAG_FAILED = 1;

    private static final int N = NONE;
    private static final int CL = CLOSED;
    private static final int CW = COOKIE_WAIT;
    private static final int CE = COOKIE_ECHOED;
    private static final int ES = ESTABLISHED;
    private static final int SS = SHUTDOWN_SENT;
    private static final int SR = SHUTDOWN_RECD;
    private static final int SA = SHUTDOWN_ACK_SENT;
    private static final int HS = HEARTBEAT_SENT;

    /**
     * sctp_conntracks[dir][chunk row][state]: rows init, init_ack, abort, shutdown, shutdown_ack,
     * error, cookie_echo, cookie_ack, shutdown_comp, heartbeat, heartbeat_ack; columns NONE..HS.
     */
    private static final byte[][][] TRANSITIONS = {
        {
            {CL, CL, CW, CE, ES, CL, CL, SA, CW},
            {CL, CL, CW, CE, ES, SS, SR, SA, CL},
            {CL, CL, CL, CL, CL, CL, CL, CL, CL},
            {CL, CL, CW, CE, SS, SS, SR, SA, CL},
            {SA, CL, CW, CE, ES, SA, SA, SA, SA},
            {CL, CL, CW, CE, ES, SS, SR, SA, CL},
            {CL, CL, CE, CE, ES, SS, SR, SA, CL},
            {CL, CL, CW, ES, ES, SS, SR, SA, CL},
            {CL, CL, CW, CE, ES, SS, SR, CL, CL},
            {HS, CL, CW, CE, ES, SS, SR, SA, HS},
            {CL, CL, CW, CE, ES, SS, SR, SA, HS},
        },
        {
            {IV, CL, CW, CE, ES, SS, SR, SA, IV},
            {IV, CW, CW, CE, ES, SS, SR, SA, IV},
            {IV, CL, CL, CL, CL, CL, CL, CL, IV},
            {IV, CL, CW, CE, SR, SS, SR, SA, IV},
            {IV, CL, CW, CE, ES, SA, SA, SA, IV},
            {IV, CL, CW, CL, ES, SS, SR, SA, IV},
            {IV, CL, CE, CE, ES, SS, SR, SA, IV},
            {IV, CL, CW, ES, ES, SS, SR, SA, IV},
            {IV, CL, CW, CE, ES, SS, SR, CL, IV},
            {IV, CL, CW, CE, ES, SS, SR, SA, HS},
            {IV, CL, CW, CE, ES, SS, SR, SA, ES},
        },
    };

    private SctpTracker() {
    }

    /** sctp_new_state: the state after chunk {@code type} in {@code dir}; unknown chunks keep the state. */
    static int newState(int dir, int state, int type) {
        int row = switch (type) {
            case INIT -> 0;
            case INIT_ACK -> 1;
            case ABORT -> 2;
            case SHUTDOWN -> 3;
            case SHUTDOWN_ACK -> 4;
            case ERROR -> 5;
            case COOKIE_ECHO -> 6;
            case COOKIE_ACK -> 7;
            case SHUTDOWN_COMPLETE -> 8;
            case HEARTBEAT -> 9;
            case HEARTBEAT_ACK -> 10;
            default -> -1;
        };
        return row < 0 ? state : TRANSITIONS[dir][row][state];
    }

    /** sctp_can_early_drop: the shutdown states may be evicted even when ASSURED. */
    static boolean canEarlyDrop(int state) {
        return state == SHUTDOWN_SENT || state == SHUTDOWN_RECD || state == SHUTDOWN_ACK_SENT;
    }

    /** Timeout in seconds of a state (NONE uses CLOSED's, as the kernel's timeouts[0]). */
    static int timeout(ConntrackConfig cfg, int state) {
        return switch (state) {
            case COOKIE_WAIT -> cfg.sctpTimeoutCookieWait;
            case COOKIE_ECHOED -> cfg.sctpTimeoutCookieEchoed;
            case ESTABLISHED -> cfg.sctpTimeoutEstablished;
            case SHUTDOWN_SENT -> cfg.sctpTimeoutShutdownSent;
            case SHUTDOWN_RECD -> cfg.sctpTimeoutShutdownRecd;
            case SHUTDOWN_ACK_SENT -> cfg.sctpTimeoutShutdownAckSent;
            case HEARTBEAT_SENT -> cfg.sctpTimeoutHeartbeatSent;
            default -> cfg.sctpTimeoutClosed;
        };
    }

    private static boolean has(long map, int type) {
        return type < 64 && (map & (1L << type)) != 0;
    }

    /** nf_conntrack_sctp_packet. */
    static int packet(ConntrackTable t, Conn ct, PacketDescriptor pd, int ctinfo, boolean pre, long now) {
        int dir = ctinfo >= Conn.IP_CT_IS_REPLY ? 1 : 0;
        MemorySegment s = pd.data;
        int l4 = pd.l4Offset;
        // LINUX-DIFF: chunks past the end of a truncated capture (snaplen) cannot be read; the
        // kernel always has the whole packet.
        int end = Math.min(ConntrackTable.ipEnd(pd), pd.length);
        // sctp_error
        if (l4 + 12 > end) {
            t.stats.inc(CtStats.TRUNCATED);
            return TcpTracker.INVALID;
        }
        if (pre && t.cfg.checksum && ConntrackTable.ipEnd(pd) <= pd.length
                && Crc32c.sctp(s, l4, end) != Crc32c.field(s, l4)) {
            t.stats.inc(CtStats.BAD_CHECKSUM);
            return TcpTracker.INVALID;
        }
        int vtag = Wire.i32(s, l4 + 4);
        // do_basic_checks
        long map = 0;
        int count = 0;
        boolean flag = false;
        for (int off = l4 + 12; off + 4 <= end; off += (Wire.u16(s, off + 2) + 3) & ~3, count++) {
            int type = Wire.u8(s, off);
            int len = Wire.u16(s, off + 2);
            if (type == INIT || type == INIT_ACK || type == SHUTDOWN_COMPLETE) {
                flag = true;
            }
            if (((type == COOKIE_ACK || type == COOKIE_ECHO || flag) && count != 0) || len == 0) {
                t.stats.inc(CtStats.SCTP_CHUNKS);
                return TcpTracker.INVALID;
            }
            if (type < 64) {
                map |= 1L << type;
            }
        }
        if (count == 0) {
            t.stats.inc(CtStats.SCTP_CHUNKS);
            return TcpTracker.INVALID;
        }
        if (!ct.isConfirmed()) {
            // out-of-the-blue packets with these chunks are discarded (RFC 4960 8.4)
            if (has(map, ABORT) || has(map, SHUTDOWN_COMPLETE) || has(map, COOKIE_ACK)) {
                t.stats.inc(CtStats.SCTP_STATE);
                return TcpTracker.INVALID;
            }
            if (!newConnection(ct, s, l4, end, vtag)) {
                t.stats.inc(CtStats.SCTP_STATE);
                return TcpTracker.INVALID;
            }
        }
        // verification tag (RFC 4960 8.5)
        if (!has(map, INIT) && !has(map, SHUTDOWN_COMPLETE) && !has(map, COOKIE_ECHO) && !has(map, ABORT)
                && !has(map, SHUTDOWN_ACK) && !has(map, HEARTBEAT) && !has(map, HEARTBEAT_ACK)
                && vtag != ct.sctpVtag[dir]) {
            t.stats.inc(CtStats.SCTP_VTAG);
            return TcpTracker.INVALID;
        }
        int oldState = NONE;
        int newState = NONE;
        boolean ignore = false;
        int other = 1 - dir;
        for (int off = l4 + 12; off + 4 <= end; off += (Wire.u16(s, off + 2) + 3) & ~3) {
            int type = Wire.u8(s, off);
            int flags = Wire.u8(s, off + 1);
            if (type == INIT) {
                if (vtag != 0) {
                    return vtagInvalid(t);
                }
            } else if (type == ABORT || type == SHUTDOWN_COMPLETE) {
                if ((flags & FLAG_T) == 0 ? vtag != ct.sctpVtag[dir] : vtag != ct.sctpVtag[other]) {
                    return vtagInvalid(t);
                }
            } else if (type == COOKIE_ECHO) {
                if (vtag != ct.sctpVtag[dir]) {
                    return vtagInvalid(t);
                }
            } else if (type == COOKIE_ACK) {
                ct.sctpInit[dir] = false;
                ct.sctpInit[other] = false;
            } else if (type == HEARTBEAT || type == HEARTBEAT_ACK) {
                if (ct.sctpVtag[dir] == 0) {
                    ct.sctpVtag[dir] = vtag;
                } else if (vtag != ct.sctpVtag[dir]) {
                    if (has(map, DATA) || ignore) {
                        return vtagInvalid(t);
                    }
                    if (type == HEARTBEAT) {
                        ct.sctpFlags |= HEARTBEAT_VTAG_FAILED;
                        ct.sctpLastDir = dir;
                        ignore = true;
                        continue;
                    }
                    if ((ct.sctpFlags & HEARTBEAT_VTAG_FAILED) == 0 || ct.sctpLastDir == dir) {
                        return vtagInvalid(t);
                    }
                    ct.sctpFlags &= ~HEARTBEAT_VTAG_FAILED;
                    ct.sctpVtag[dir] = vtag;
                    ct.sctpVtag[other] = 0;
                } else if ((ct.sctpFlags & HEARTBEAT_VTAG_FAILED) != 0) {
                    ct.sctpFlags &= ~HEARTBEAT_VTAG_FAILED;
                }
            }
            oldState = ct.l4State;
            newState = newState(dir, oldState, type);
            if (newState == IV) {
                t.stats.inc(CtStats.SCTP_STATE);
                return TcpTracker.INVALID;
            }
            if (type == INIT) {
                if (off + 20 > end) {
                    return TcpTracker.INVALID;
                }
                int initTag = Wire.i32(s, off + 4);
                // a retransmitted or stale INIT carrying the peer's known tag is not recorded
                if (oldState == NONE || ct.sctpVtag[other] != initTag) {
                    if (ct.sctpInit[dir] && ct.sctpInit[other]) {
                        ct.sctpInit[other] = false;
                    }
                    ct.sctpInit[dir] = true;
                }
                ct.sctpVtag[other] = initTag;
                // an INIT retransmitted on a closed entry does not renew its timeout
                if (newState == CLOSED && oldState == CLOSED && ct.isConfirmed()) {
                    ignore = true;
                }
            } else if (type == INIT_ACK) {
                if (off + 20 > end) {
                    return TcpTracker.INVALID;
                }
                int initTag = Wire.i32(s, off + 4);
                int known = ct.sctpVtag[other];
                if (!ct.sctpInit[other] && known != 0 && known != initTag) {
                    return vtagInvalid(t);
                }
                if (ct.sctpInit[dir] && ct.sctpInit[other] && known != initTag) {
                    return vtagInvalid(t);
                }
                ct.sctpVtag[other] = initTag;
            }
            ct.l4State = newState;
            if (oldState != newState && newState == ESTABLISHED) {
                ct.status |= Conn.IPS_ASSURED;
            }
        }
        if (ignore) {
            return TcpTracker.ACCEPT;
        }
        t.refresh(ct, ctinfo, pd, timeout(t.cfg, newState), now);
        return TcpTracker.ACCEPT;
    }

    private static int vtagInvalid(ConntrackTable t) {
        t.stats.inc(CtStats.SCTP_VTAG);
        return TcpTracker.INVALID;
    }

    /** sctp_new: the first packet of a flow; false makes it INVALID. */
    private static boolean newConnection(Conn ct, MemorySegment s, int l4, int end, int vtag) {
        ct.sctpVtag[0] = 0;
        ct.sctpVtag[1] = 0;
        ct.sctpInit[0] = false;
        ct.sctpInit[1] = false;
        ct.sctpFlags = 0;
        ct.sctpLastDir = 0;
        ct.l4State = NONE;
        for (int off = l4 + 12; off + 4 <= end; off += (Wire.u16(s, off + 2) + 3) & ~3) {
            int type = Wire.u8(s, off);
            int st = newState(0, NONE, type);
            if (st == NONE || st == IV) {
                return false;
            }
            if (type == INIT) {
                if (vtag != 0 || off + 20 > end) {
                    return false;
                }
                ct.sctpVtag[1] = Wire.i32(s, off + 4);
            } else if (type == HEARTBEAT) {
                ct.sctpVtag[0] = vtag;
            } else if (type == SHUTDOWN_ACK) {
                // an out-of-the-blue SHUTDOWN_ACK expects a SHUTDOWN_COMPLETE (or ABORT) back
                ct.sctpVtag[1] = vtag;
            }
        }
        return true;
    }
}
