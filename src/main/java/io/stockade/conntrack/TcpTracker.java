package io.stockade.conntrack;

import io.stockade.packet.Wire;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * TCP connection tracking as {@code nf_conntrack_proto_tcp.c} does it: the state table
 * {@code tcp_conntracks[dir][flag-index][state]}, window tracking ({@code tcp_in_window}: td_end,
 * td_maxend, td_maxwin, window scale, SACK), mid-stream pickup ({@code tcp_loose}), invalid flag
 * combinations, RST checks, retransmission counting, re-opening from TIME_WAIT/CLOSE, and the
 * per-state timeouts. Stateless: all state lives in {@link Conn}. Per packet: no allocation.
 */
final class TcpTracker {
    // enum tcp_conntrack.
    static final int NONE = 0, SYN_SENT = 1, SYN_RECV = 2, ESTABLISHED = 3, FIN_WAIT = 4, CLOSE_WAIT = 5,
            LAST_ACK = 6, TIME_WAIT = 7, CLOSE = 8, SYN_SENT2 = 9, MAX = 10, IGNORE = 11, RETRANS = 12, UNACK = 13;

    static final String[] NAMES = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
        "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"};

    // enum tcp_bit_set.
    static final int SYN_SET = 0, SYNACK_SET = 1, FIN_SET = 2, ACK_SET = 3, RST_SET = 4, NONE_SET = 5;

    // IP_CT_TCP_FLAG_* (per direction) and last_flags bits.
    static final int F_WINDOW_SCALE = 0x01, F_SACK_PERM = 0x02, F_CLOSE_INIT = 0x04, F_BE_LIBERAL = 0x08,
            F_DATA_UNACKNOWLEDGED = 0x10, F_MAXACK_SET = 0x20, F_EXP_CHALLENGE_ACK = 0x40,
            F_SIMULTANEOUS_OPEN = 0x80;

    // Results.
    static final int ACCEPT = 1, INVALID = 0, REPEAT = -1, DROP = -2;

    private static final int TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10,
            TH_URG = 0x20, TH_ECE = 0x40, TH_CWR = 0x80;

    private static final int sNO = NONE, sSS = SYN_SENT, sSR = SYN_RECV, sES = ESTABLISHED, sFW = FIN_WAIT,
            sCW = CLOSE_WAIT, sLA = LAST_ACK, sTW = TIME_WAIT, sCL = CLOSE, sS2 = SYN_SENT2, sIV = MAX, sIG = IGNORE;

    /** tcp_conntracks[dir][index][state] (Linux 6.x). */
    private static final byte[][][] TABLE = {
        {
            /* syn    */ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
            /* synack */ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
            /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
            /* ack    */ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
            /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
            /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
        },
        {
            /* syn    */ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
            /* synack */ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
            /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
            /* ack    */ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
            /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
            /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
        },
    };

    /** tcp_valid_flags, indexed by the flag byte without PSH, ECE, CWR. */
    private static final boolean[] VALID_FLAGS = new boolean[0x40];

    static {
        int[] ok = {TH_SYN, TH_SYN | TH_URG, TH_SYN | TH_ACK, TH_RST, TH_RST | TH_ACK, TH_FIN | TH_ACK,
            TH_FIN | TH_ACK | TH_URG, TH_ACK, TH_ACK | TH_URG};
        for (int f : ok) {
            VALID_FLAGS[f] = true;
        }
    }

    private TcpTracker() {
    }

    static int nextState(int dir, int index, int state) {
        return TABLE[dir][index][state];
    }

    static int index(int flags) {
        if ((flags & TH_RST) != 0) {
            return RST_SET;
        } else if ((flags & TH_SYN) != 0) {
            return (flags & TH_ACK) != 0 ? SYNACK_SET : SYN_SET;
        } else if ((flags & TH_FIN) != 0) {
            return FIN_SET;
        } else if ((flags & TH_ACK) != 0) {
            return ACK_SET;
        }
        return NONE_SET;
    }

    static boolean before(int a, int b) {
        return a - b < 0;
    }

    static boolean after(int a, int b) {
        return b - a < 0;
    }

    private static int maxAckWindow(int tdMaxWin) {
        return Integer.compareUnsigned(tdMaxWin, 66000) > 0 ? tdMaxWin : 66000;
    }

    /** Sequence number after the segment: seq + payload + SYN + FIN. */
    private static int segmentEnd(PacketDescriptor pd, int seq, int doff, int flags) {
        int len = ConntrackTable.ipEnd(pd) - pd.l4Offset - doff;
        return seq + len + ((flags & TH_SYN) != 0 ? 1 : 0) + ((flags & TH_FIN) != 0 ? 1 : 0);
    }

    /** tcp_options: window scale and SACK-permitted into direction {@code d} of {@code ct}. */
    private static void options(PacketDescriptor pd, int doff, Conn ct, int d, boolean intoLast) {
        int length = doff - 20;
        if (length <= 0) {
            return;
        }
        MemorySegment s = pd.data;
        int p = pd.l4Offset + 20;
        if (p + length > pd.length) {
            return;
        }
        int scale = 0;
        int flags = intoLast ? 0 : ct.tcpFlags[d] & F_BE_LIBERAL;
        while (length > 0) {
            int opcode = Wire.u8(s, p++);
            if (opcode == 0) {
                break;
            }
            if (opcode == 1) {
                length--;
                continue;
            }
            if (length < 2) {
                break;
            }
            int opsize = Wire.u8(s, p++);
            if (opsize < 2 || opsize > length) {
                break;
            }
            if (opcode == 4 && opsize == 2) {
                flags |= F_SACK_PERM;
            } else if (opcode == 3 && opsize == 3) {
                scale = Math.min(Wire.u8(s, p), 14);
                flags |= F_WINDOW_SCALE;
            }
            p += opsize - 2;
            length -= opsize;
        }
        if (intoLast) {
            ct.lastFlags = 0;
            ct.lastWscale = 0;
            if ((flags & F_WINDOW_SCALE) != 0) {
                ct.lastFlags |= F_WINDOW_SCALE;
                ct.lastWscale = scale;
            }
            if ((flags & F_SACK_PERM) != 0) {
                ct.lastFlags |= F_SACK_PERM;
            }
        } else {
            ct.tdScale[d] = scale;
            ct.tcpFlags[d] = flags;
        }
    }

    /** tcp_sack: the highest right edge of the SACK blocks, or {@code sack} if none. */
    private static int sack(PacketDescriptor pd, int doff, int sack) {
        int length = doff - 20;
        if (length <= 0) {
            return sack;
        }
        MemorySegment s = pd.data;
        int p = pd.l4Offset + 20;
        if (p + length > pd.length) {
            return sack;
        }
        if (length == 12 && Wire.i32(s, p) == 0x0101080a) {
            return sack;
        }
        while (length > 0) {
            int opcode = Wire.u8(s, p++);
            if (opcode == 0) {
                return sack;
            }
            if (opcode == 1) {
                length--;
                continue;
            }
            if (length < 2) {
                return sack;
            }
            int opsize = Wire.u8(s, p++);
            if (opsize < 2 || opsize > length) {
                return sack;
            }
            if (opcode == 5 && opsize >= 10 && (opsize - 2) % 8 == 0) {
                for (int i = 0; i < opsize - 2; i += 8) {
                    int right = Wire.i32(s, p + i + 4);
                    if (after(right, sack)) {
                        sack = right;
                    }
                }
                return sack;
            }
            p += opsize - 2;
            length -= opsize;
        }
        return sack;
    }

    private static void initSender(Conn ct, int dir, PacketDescriptor pd, int doff, int end, int win) {
        int r = 1 - dir;
        ct.tdEnd[dir] = end;
        ct.tdMaxEnd[dir] = end;
        ct.tdMaxWin[dir] = win == 0 ? 1 : win;
        options(pd, doff, ct, dir, false);
        if (dir == Conn.DIR_REPLY
                && !((ct.tcpFlags[dir] & F_WINDOW_SCALE) != 0 && (ct.tcpFlags[r] & F_WINDOW_SCALE) != 0)) {
            ct.tdScale[dir] = 0;
            ct.tdScale[r] = 0;
        }
    }

    private static final int W_ACCEPT = 0, W_IGNORE = 1, W_INVALID = 2;

    private static int logInvalid(ConntrackConfig cfg, Conn ct, int dir, int res) {
        if ((ct.tcpFlags[dir] & F_BE_LIBERAL) != 0 || cfg.tcpBeLiberal) {
            return W_ACCEPT;
        }
        return res;
    }

    /** tcp_in_window. */
    private static int inWindow(ConntrackConfig cfg, Conn ct, int dir, int index, PacketDescriptor pd, int doff,
            int flags) {
        int r = 1 - dir;
        int seq = pd.tcpSeq;
        int ack = pd.tcpAck;
        int winRaw = pd.tcpWindow & 0xffff;
        int win = winRaw;
        int end = segmentEnd(pd, seq, doff, flags);
        int sack = ack;
        if ((ct.tcpFlags[r] & F_SACK_PERM) != 0) {
            sack = sack(pd, doff, sack);
        }
        // nf_ct_seq_offset: the ack as the other side numbered its data (SYNPROXY's translation).
        int receiverOffset = Seqadj.offset(ct, r, ack - 1);
        ack -= receiverOffset;
        sack -= receiverOffset;
        boolean syn = (flags & TH_SYN) != 0;
        boolean ackf = (flags & TH_ACK) != 0;
        boolean rst = (flags & TH_RST) != 0;

        if (ct.tdMaxWin[dir] == 0) {
            if (syn) {
                initSender(ct, dir, pd, doff, end, win);
                if (!ackf) {
                    return W_ACCEPT;
                }
            } else {
                ct.tdEnd[dir] = end;
                int swin = win << ct.tdScale[dir];
                ct.tdMaxWin[dir] = swin == 0 ? 1 : swin;
                ct.tdMaxEnd[dir] = end + ct.tdMaxWin[dir];
                if (ct.tdMaxWin[r] == 0) {
                    ct.tdEnd[r] = sack;
                    ct.tdMaxEnd[r] = sack;
                } else if (sack == ct.tdEnd[r] + 1) {
                    ct.tdEnd[r]++;
                }
            }
        } else if (syn && after(end, ct.tdEnd[dir]) && (ct.l4State == SYN_SENT || ct.l4State == SYN_RECV)) {
            initSender(ct, dir, pd, doff, end, win);
            if (dir == Conn.DIR_REPLY && !ackf) {
                return W_ACCEPT;
            }
        }

        if (!ackf) {
            ack = sack = ct.tdEnd[r];
        } else if (rst && ack == 0) {
            ack = sack = ct.tdEnd[r];
        }

        if (rst && seq == 0 && ct.l4State == SYN_SENT) {
            seq = end = ct.tdEnd[dir];
        }

        boolean seqOk = before(seq, ct.tdMaxEnd[dir] + 1);
        if (!seqOk) {
            int overshot = end - ct.tdMaxEnd[dir] + 1;
            boolean ackOk = after(sack, ct.tdEnd[r] - maxAckWindow(ct.tdMaxWin[dir]) - 1);
            boolean inRecvWin = ct.tdMaxWin[r] != 0 && after(end, ct.tdEnd[dir] - ct.tdMaxWin[r] - 1);
            if (inRecvWin && ackOk && Integer.compareUnsigned(overshot, ct.tdMaxWin[r]) <= 0
                    && before(sack, ct.tdEnd[r] + 1)) {
                ct.tdEnd[dir] = end;
                ct.tcpFlags[dir] |= F_DATA_UNACKNOWLEDGED;
                return logInvalid(cfg, ct, dir, W_IGNORE);
            }
            return logInvalid(cfg, ct, dir, W_INVALID);
        }
        if (!before(sack, ct.tdEnd[r] + 1)) {
            return logInvalid(cfg, ct, dir, W_INVALID);
        }
        boolean inRecvWin = ct.tdMaxWin[r] == 0 || after(end, ct.tdEnd[dir] - ct.tdMaxWin[r] - 1);
        if (!inRecvWin) {
            return logInvalid(cfg, ct, dir, W_IGNORE);
        }
        if (!after(sack, ct.tdEnd[r] - maxAckWindow(ct.tdMaxWin[dir]) - 1)) {
            return logInvalid(cfg, ct, dir, W_IGNORE);
        }

        if (!syn) {
            win <<= ct.tdScale[dir];
        }
        int swin = win + (sack - ack);
        if (Integer.compareUnsigned(ct.tdMaxWin[dir], swin) < 0) {
            ct.tdMaxWin[dir] = swin;
        }
        if (after(end, ct.tdEnd[dir])) {
            ct.tdEnd[dir] = end;
            ct.tcpFlags[dir] |= F_DATA_UNACKNOWLEDGED;
        }
        if (ackf) {
            if ((ct.tcpFlags[dir] & F_MAXACK_SET) == 0) {
                ct.tdMaxAck[dir] = ack;
                ct.tcpFlags[dir] |= F_MAXACK_SET;
            } else if (after(ack, ct.tdMaxAck[dir])) {
                ct.tdMaxAck[dir] = ack;
            }
        }
        if (ct.tdMaxWin[r] != 0 && after(end, ct.tdMaxEnd[dir])) {
            ct.tdMaxWin[r] += end - ct.tdMaxEnd[dir];
        }
        if (after(sack + win, ct.tdMaxEnd[r] - 1)) {
            ct.tdMaxEnd[r] = sack + win;
            if (win == 0) {
                ct.tdMaxEnd[r]++;
            }
        }
        if (ack == ct.tdEnd[r]) {
            ct.tcpFlags[r] &= ~F_DATA_UNACKNOWLEDGED;
        }
        if (index == ACK_SET) {
            if (ct.lastDir == dir && ct.lastSeq == seq && ct.lastAck == ack && ct.lastEnd == end
                    && ct.lastWin == winRaw) {
                ct.retrans++;
            } else {
                ct.lastDir = dir;
                ct.lastSeq = seq;
                ct.lastAck = ack;
                ct.lastEnd = end;
                ct.lastWin = winRaw;
                ct.retrans = 0;
            }
        }
        return W_ACCEPT;
    }

    /** nf_tcp_handle_invalid: shrink the timeout of an assured entry on out-of-window FIN/RST answers. */
    private static void handleInvalid(ConntrackConfig cfg, Conn ct, int dir, int index, long now) {
        if ((ct.status & Conn.IPS_ASSURED) == 0 || (ct.status & Conn.IPS_FIXED_TIMEOUT) != 0) {
            return;
        }
        if (index != RST_SET && index != FIN_SET) {
            return;
        }
        if (ct.lastDir != dir && (ct.lastIndex == FIN_SET || ct.lastIndex == RST_SET)) {
            long expires = ct.expiresNanos - now;
            if (expires < 120 * ConntrackTable.SEC) {
                return;
            }
            long timeout = cfg.tcpTimeout(UNACK) * ConntrackTable.SEC;
            if (expires > timeout) {
                ct.expiresNanos = now + timeout;
            }
        } else {
            ct.lastIndex = index;
            ct.lastDir = dir;
        }
    }

    static boolean canEarlyDrop(Conn ct) {
        int s = ct.l4State;
        return s == FIN_WAIT || s == LAST_ACK || s == TIME_WAIT || s == CLOSE || s == CLOSE_WAIT;
    }

    /** tcp_error + tcp_new for an unconfirmed entry; false = INVALID. Fills nothing on failure. */
    private static boolean errorCheck(ConntrackTable t, PacketDescriptor pd, boolean checksumHook) {
        int l4 = pd.l4Offset;
        if (l4 < 0 || l4 + 20 > pd.length) {
            return false;
        }
        int doff = (Wire.u8(pd.data, l4 + 12) >>> 4) * 4;
        int tcplen = ConntrackTable.ipEnd(pd) - l4;
        if (doff < 20 || tcplen < doff) {
            t.stats.inc(CtStats.TRUNCATED);
            return false;
        }
        if (checksumHook && t.cfg.checksum && !L4Checksum.ok(pd)) {
            t.stats.inc(CtStats.BAD_CHECKSUM);
            return false;
        }
        int f = Wire.u8(pd.data, l4 + 13) & ~(TH_ECE | TH_CWR | TH_PSH);
        if (!VALID_FLAGS[f]) {
            t.stats.inc(CtStats.TCP_FLAGS);
            return false;
        }
        return true;
    }

    private static boolean tcpNew(ConntrackTable t, Conn ct, PacketDescriptor pd, int doff, int flags) {
        int newState = TABLE[0][index(flags)][NONE];
        if (newState >= MAX) {
            t.stats.inc(CtStats.TCP_INVALID_NEW);
            return false;
        }
        ct.clearTcp();
        int end = segmentEnd(pd, pd.tcpSeq, doff, flags);
        int win = pd.tcpWindow & 0xffff;
        if (newState == SYN_SENT) {
            ct.tdEnd[0] = end;
            ct.tdMaxWin[0] = win == 0 ? 1 : win;
            ct.tdMaxEnd[0] = end;
            options(pd, doff, ct, 0, false);
        } else if (!t.cfg.tcpLoose) {
            t.stats.inc(CtStats.TCP_INVALID_NEW);
            return false;
        } else {
            ct.tdEnd[0] = end;
            ct.tdMaxWin[0] = win == 0 ? 1 : win;
            ct.tdMaxEnd[0] = end + ct.tdMaxWin[0];
            ct.tcpFlags[0] = ct.tcpFlags[1] = F_SACK_PERM | F_BE_LIBERAL;
        }
        ct.lastIndex = NONE_SET;
        return true;
    }

    /**
     * nf_conntrack_tcp_packet for {@code ct} (direction from {@code ctinfo}); returns {@link #ACCEPT},
     * {@link #INVALID}, {@link #REPEAT} (entry killed: look up again) or {@link #DROP}.
     */
    @SuppressWarnings("fallthrough")
    static int packet(ConntrackTable t, Conn ct, PacketDescriptor pd, int ctinfo, boolean checksumHook, long now) {
        ConntrackConfig cfg = t.cfg;
        if (!errorCheck(t, pd, checksumHook)) {
            return INVALID;
        }
        int l4 = pd.l4Offset;
        int doff = (Wire.u8(pd.data, l4 + 12) >>> 4) * 4;
        int flags = Wire.u8(pd.data, l4 + 13);
        if (!ct.isConfirmed() && !tcpNew(t, ct, pd, doff, flags)) {
            return INVALID;
        }
        int oldState = ct.l4State;
        int dir = ctinfo >= Conn.IP_CT_IS_REPLY ? 1 : 0;
        int index = index(flags);
        int newState = TABLE[dir][index][oldState];
        int seq = pd.tcpSeq;
        int ackSeq = pd.tcpAck;
        boolean skipWindow = false;

        switch (newState) {
            case SYN_SENT:
                if (oldState < TIME_WAIT) {
                    break;
                }
                if (((ct.tcpFlags[dir] | ct.tcpFlags[1 - dir]) & F_CLOSE_INIT) != 0
                        || (ct.lastDir == dir && ct.lastIndex == RST_SET)) {
                    t.kill(ct);
                    return REPEAT;
                }
                // fall through: IGNORE
            case IGNORE:
                if (index == SYNACK_SET && ct.lastIndex == SYN_SET && ct.lastDir != dir && ackSeq == ct.lastEnd) {
                    oldState = SYN_SENT;
                    newState = SYN_RECV;
                    int ld = ct.lastDir;
                    ct.tdEnd[ld] = ct.lastEnd;
                    ct.tdMaxEnd[ld] = ct.lastEnd;
                    ct.tdMaxWin[ld] = ct.lastWin == 0 ? 1 : ct.lastWin;
                    ct.tdScale[ld] = ct.lastWscale;
                    ct.lastFlags &= ~F_EXP_CHALLENGE_ACK;
                    ct.tcpFlags[ld] = ct.lastFlags;
                    ct.tdEnd[dir] = ct.tdMaxEnd[dir] = ct.tdMaxWin[dir] = ct.tdMaxAck[dir] = ct.tdScale[dir] = 0;
                    ct.tcpFlags[dir] &= F_BE_LIBERAL;
                    break;
                }
                ct.lastIndex = index;
                ct.lastDir = dir;
                ct.lastSeq = seq;
                ct.lastEnd = segmentEnd(pd, seq, doff, flags);
                ct.lastWin = pd.tcpWindow & 0xffff;
                if (index == SYN_SET && dir == Conn.DIR_ORIGINAL) {
                    options(pd, doff, ct, 0, true);
                    if (oldState == LAST_ACK) {
                        ct.lastFlags |= F_EXP_CHALLENGE_ACK;
                    }
                }
                if (oldState == SYN_SENT && index == ACK_SET && dir == Conn.DIR_REPLY) {
                    ct.lastAck = ackSeq;
                }
                return ACCEPT;
            case MAX:
                t.stats.inc(CtStats.TCP_STATE);
                return INVALID;
            case TIME_WAIT:
                if (oldState == LAST_ACK && index == ACK_SET && ct.lastDir != dir && ct.lastIndex == SYN_SET
                        && (ct.lastFlags & F_EXP_CHALLENGE_ACK) != 0) {
                    ct.lastFlags &= ~F_EXP_CHALLENGE_ACK;
                    return ACCEPT;
                }
                break;
            case SYN_SENT2:
                ct.lastFlags |= F_SIMULTANEOUS_OPEN;
                break;
            case SYN_RECV:
                if (dir == Conn.DIR_REPLY && index == ACK_SET && (ct.lastFlags & F_SIMULTANEOUS_OPEN) != 0) {
                    newState = ESTABLISHED;
                }
                break;
            case CLOSE:
                if (index != RST_SET) {
                    break;
                }
                if (canEarlyDrop(ct)) {
                    skipWindow = true;
                    break;
                }
                if ((ct.tcpFlags[1 - dir] & F_MAXACK_SET) != 0 && ct.lastIndex != SYN_SET) {
                    boolean established = oldState == ESTABLISHED && (ct.status & Conn.IPS_ASSURED) != 0;
                    if (seq == 0 && !established) {
                        break;
                    }
                    if (before(seq, ct.tdMaxAck[1 - dir]) && !cfg.tcpIgnoreInvalidRst) {
                        t.stats.inc(CtStats.TCP_INVALID_RST);
                        return INVALID;
                    }
                    if (!established || seq == ct.tdMaxAck[1 - dir]) {
                        break;
                    }
                    if (ct.lastIndex == ACK_SET && ct.lastDir == dir && seq == ct.lastEnd) {
                        break;
                    }
                    newState = oldState;
                }
                if ((((ct.status & Conn.IPS_SEEN_REPLY) != 0 && ct.lastIndex == SYN_SET)
                        || ((ct.status & Conn.IPS_ASSURED) == 0 && ct.lastIndex == ACK_SET))
                        && ackSeq == ct.lastEnd) {
                    skipWindow = true;
                    break;
                }
                if (oldState == SYN_SENT && ct.lastIndex == ACK_SET && ct.lastDir == Conn.DIR_REPLY
                        && seq == ct.lastAck) {
                    skipWindow = true;
                }
                break;
            default:
                break;
        }

        if (!skipWindow) {
            int res = inWindow(cfg, ct, dir, index, pd, doff, flags);
            if (res == W_IGNORE) {
                return ACCEPT;
            }
            if (res == W_INVALID) {
                handleInvalid(cfg, ct, dir, index, now);
                t.stats.inc(CtStats.TCP_WINDOW);
                return INVALID;
            }
        }

        ct.lastIndex = index;
        ct.lastDir = dir;
        ct.l4State = newState;
        if (oldState != newState && newState == FIN_WAIT) {
            ct.tcpFlags[dir] |= F_CLOSE_INIT;
        }
        int timeout;
        int stateTimeout = cfg.tcpTimeout(newState);
        if (ct.retrans >= cfg.tcpMaxRetrans && stateTimeout > cfg.tcpTimeout(RETRANS)) {
            timeout = cfg.tcpTimeout(RETRANS);
        } else if (index == RST_SET) {
            timeout = cfg.tcpTimeout(CLOSE);
        } else if (((ct.tcpFlags[0] | ct.tcpFlags[1]) & F_DATA_UNACKNOWLEDGED) != 0
                && stateTimeout > cfg.tcpTimeout(UNACK)) {
            timeout = cfg.tcpTimeout(UNACK);
        } else if (ct.lastWin == 0 && stateTimeout > cfg.tcpTimeout(RETRANS)) {
            timeout = cfg.tcpTimeout(RETRANS);
        } else {
            timeout = stateTimeout;
        }

        if ((ct.status & Conn.IPS_SEEN_REPLY) == 0) {
            if ((flags & TH_RST) != 0) {
                t.account(ct, ctinfo, pd);
                t.kill(ct);
                return ACCEPT;
            }
            if (index == SYN_SET && oldState == SYN_SENT) {
                return ACCEPT;
            }
            if (newState == ESTABLISHED && timeout > cfg.tcpTimeout(UNACK)) {
                timeout = cfg.tcpTimeout(UNACK);
            }
        } else if ((ct.status & Conn.IPS_ASSURED) == 0 && (oldState == SYN_RECV || oldState == ESTABLISHED)
                && newState == ESTABLISHED) {
            ct.status |= Conn.IPS_ASSURED;
        }
        t.refresh(ct, ctinfo, pd, timeout, now);
        return ACCEPT;
    }
}
