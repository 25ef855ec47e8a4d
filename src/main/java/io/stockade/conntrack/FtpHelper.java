package io.stockade.conntrack;

import io.stockade.packet.Wire;
import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * The ftp helper ({@code nf_conntrack_ftp.c}): on an ESTABLISHED control connection it reads
 * commands that start right after a newline — {@code PORT}/{@code EPRT} from the client,
 * {@code 227}/{@code 229} replies from the server — and registers an expectation for the data
 * connection (from the other side, any source port, to the announced address and port). A command
 * naming an address other than its sender's is ignored unless {@code ftpLoose}. A command cut
 * short at the end of the segment drops the packet, as the kernel does. One expectation per
 * control connection (max_expected 1), 5 minutes. Per packet: allocation only when an expectation
 * is registered.
 */
final class FtpHelper {
    static final String NAME = "ftp";
    private static final int PORT = 0, EPRT = 1, PASV = 2, EPSV = 3;

    // Scratch for the parsed command (one helper per table, one packet path).
    private long cmdHi, cmdLo;
    private int cmdPort;
    private int cmdVer;

    FtpHelper() {
    }

    /** help(): false = drop the packet. */
    boolean help(ConntrackTable t, Conn ct, int ctinfo, PacketDescriptor pd, long now) {
        if (ctinfo != Conn.IP_CT_ESTABLISHED && ctinfo != Conn.IP_CT_ESTABLISHED_REPLY) {
            return true;
        }
        if (ct.protocol != 6 || pd.l4Offset < 0) {
            return true;
        }
        int dir = ctinfo >= Conn.IP_CT_IS_REPLY ? 1 : 0;
        int dataoff = pd.payloadOffset > 0 ? pd.payloadOffset
                : pd.l4Offset + ((Wire.u8(pd.data, pd.l4Offset + 12) >>> 4) * 4);
        int end = Math.min(ConntrackTable.ipEnd(pd), pd.length);
        if (dataoff >= end) {
            return true;
        }
        int datalen = end - dataoff;
        MemorySegment s = pd.data;
        boolean endsInNl = Wire.u8(s, end - 1) == '\n';
        int seq = pd.tcpSeq;
        int nlSeq = seq + datalen;
        boolean result = true;
        if (findNlSeq(ct, seq, dir)) {
            cmdVer = ct.ipVersion;
            cmdHi = ct.srcHi(dir);
            cmdLo = ct.srcLo(dir);
            cmdPort = 0;
            int found = 0;
            int type = -1;
            if (dir == 0) {
                found = find(s, dataoff, datalen, "PORT", ' ', '\r', PORT, ct.ipVersion);
                type = PORT;
                if (found == 0) {
                    found = find(s, dataoff, datalen, "EPRT", ' ', '\r', EPRT, ct.ipVersion);
                    type = EPRT;
                }
            } else {
                found = find(s, dataoff, datalen, "227 ", (char) 0, (char) 0, PASV, ct.ipVersion);
                type = PASV;
                if (found == 0) {
                    found = find(s, dataoff, datalen, "229 ", '(', ')', EPSV, ct.ipVersion);
                    type = EPSV;
                }
            }
            if (found < 0) {
                return false; // partial match: the kernel drops to keep tracking accurate
            }
            if (found > 0) {
                long dHi = ct.dstHi(1 - dir);
                long dLo = ct.dstLo(1 - dir);
                boolean register = true;
                if (cmdVer == ct.ipVersion && (cmdHi != ct.srcHi(dir) || cmdLo != ct.srcLo(dir))) {
                    if (!t.cfg.ftpLoose) {
                        register = false;
                    } else {
                        dHi = cmdHi;
                        dLo = cmdLo;
                    }
                }
                if (register && type >= 0) {
                    Expectation e = new Expectation(ct, ct.ipVersion, 6, ct.srcHi(1 - dir), ct.srcLo(1 - dir),
                            dHi, dLo, -1, cmdPort, now + t.cfg.ftpExpectTimeout * ConntrackTable.SEC, null);
                    if (!t.expect(e, 1)) {
                        result = false;
                    }
                }
            }
        }
        if (endsInNl) {
            updateNlSeq(ct, nlSeq, dir);
        }
        return result;
    }

    private boolean findNlSeq(Conn ct, int seq, int dir) {
        for (int i = 0; i < ct.ftpSeqAftNlNum[dir]; i++) {
            if (ct.ftpSeqAftNl[dir * 2 + i] == seq) {
                return true;
            }
        }
        return false;
    }

    private void updateNlSeq(Conn ct, int nlSeq, int dir) {
        int n = ct.ftpSeqAftNlNum[dir];
        for (int i = 0; i < n; i++) {
            if (ct.ftpSeqAftNl[dir * 2 + i] == nlSeq) {
                return;
            }
        }
        if (n < 2) {
            ct.ftpSeqAftNl[dir * 2 + n] = nlSeq;
            ct.ftpSeqAftNlNum[dir] = n + 1;
        } else {
            int oldest = TcpTracker.before(ct.ftpSeqAftNl[dir * 2], ct.ftpSeqAftNl[dir * 2 + 1]) ? 0 : 1;
            if (TcpTracker.after(nlSeq, ct.ftpSeqAftNl[dir * 2 + oldest])) {
                ct.ftpSeqAftNl[dir * 2 + oldest] = nlSeq;
            }
        }
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** find_pattern: 1 found (cmd* set), 0 no match, -1 partial/unparsable. */
    private int find(MemorySegment s, int off, int dlen, String pattern, char skip, char term, int type,
            int ver) {
        int plen = pattern.length();
        if (dlen <= plen) {
            for (int i = 0; i < dlen; i++) {
                if (lower(Wire.u8(s, off + i)) != lower(pattern.charAt(i))) {
                    return 0;
                }
            }
            return -1;
        }
        for (int i = 0; i < plen; i++) {
            if (lower(Wire.u8(s, off + i)) != lower(pattern.charAt(i))) {
                return 0;
            }
        }
        int i = plen;
        if (skip != 0) {
            for (; Wire.u8(s, off + i) != skip; i++) {
                if (i == dlen - 1) {
                    return -1;
                }
            }
            i++;
        }
        int n = switch (type) {
            case PORT -> tryRfc959(s, off + i, dlen - i, term);
            case EPRT -> tryEprt(s, off + i, dlen - i, ver);
            case PASV -> tryRfc1123(s, off + i, dlen - i, term);
            default -> tryEpsv(s, off + i, dlen - i);
        };
        return n == 0 ? -1 : 1;
    }

    private final long[] nums = new long[8];

    /** try_number: {@code count} numbers separated by {@code sep}; length consumed or 0. */
    private int tryNumber(MemorySegment s, int off, int dlen, int count, char sep, char term) {
        for (int k = 0; k < count; k++) {
            nums[k] = 0;
        }
        int i = 0;
        for (int len = 0; len < dlen && i < count; len++) {
            int c = Wire.u8(s, off + len);
            if (c >= '0' && c <= '9') {
                nums[i] = (nums[i] * 10 + c - '0') & 0xffffffffL;
            } else if (c == sep) {
                i++;
            } else {
                if ((c == term || term == 0) && i == count - 1) {
                    return len;
                }
                return 0;
            }
        }
        return 0;
    }

    private int tryRfc959(MemorySegment s, int off, int dlen, char term) {
        int len = tryNumber(s, off, dlen, 6, ',', term);
        if (len == 0) {
            return 0;
        }
        cmdVer = 4;
        cmdHi = 0;
        cmdLo = ((nums[0] << 24) | (nums[1] << 16) | (nums[2] << 8) | nums[3]) & 0xffffffffL;
        cmdPort = (int) (((nums[4] << 8) | nums[5]) & 0xffff);
        return len;
    }

    private int tryRfc1123(MemorySegment s, int off, int dlen, char term) {
        int i = 0;
        for (; i < dlen; i++) {
            int c = Wire.u8(s, off + i);
            if (c >= '0' && c <= '9') {
                break;
            }
        }
        if (i == dlen) {
            return 0;
        }
        return tryRfc959(s, off + i, dlen - i, (char) 0);
    }

    private int getPort(MemorySegment s, int off, int start, int dlen, int delim) {
        int port = 0;
        for (int i = start; i < dlen; i++) {
            int c = Wire.u8(s, off + i);
            if (c == delim) {
                if (port == 0) {
                    break;
                }
                cmdPort = port;
                return i + 1;
            } else if (c >= '0' && c <= '9') {
                port = (port * 10 + c - '0') & 0xffff;
            } else {
                break;
            }
        }
        return 0;
    }

    private int tryEprt(MemorySegment s, int off, int dlen, int ver) {
        if (dlen <= 3) {
            return 0;
        }
        int delim = Wire.u8(s, off);
        if ((delim >= '0' && delim <= '9') || delim < 33 || delim > 126 || Wire.u8(s, off + 2) != delim) {
            return 0;
        }
        int af = Wire.u8(s, off + 1);
        if ((ver == 4 && af != '1') || (ver == 6 && af != '2')) {
            return 0;
        }
        int length;
        if (af == '1') {
            length = tryNumber(s, off + 3, dlen - 3, 4, '.', (char) delim);
            if (length != 0) {
                cmdVer = 4;
                cmdHi = 0;
                cmdLo = ((nums[0] << 24) | (nums[1] << 16) | (nums[2] << 8) | nums[3]) & 0xffffffffL;
            }
        } else {
            length = parseIpv6(s, off + 3, dlen - 3, delim);
        }
        if (length == 0) {
            return 0;
        }
        return getPort(s, off, 3 + length + 1, dlen, delim);
    }

    private int tryEpsv(MemorySegment s, int off, int dlen) {
        if (dlen <= 3) {
            return 0;
        }
        int delim = Wire.u8(s, off);
        if ((delim >= '0' && delim <= '9') || delim < 33 || delim > 126 || Wire.u8(s, off + 1) != delim
                || Wire.u8(s, off + 2) != delim) {
            return 0;
        }
        return getPort(s, off, 3, dlen, delim);
    }

    private final int[] groups = new int[8];

    /** in6_pton up to {@code delim}: length of the address text, or 0; sets cmdHi/cmdLo. */
    private int parseIpv6(MemorySegment s, int off, int dlen, int delim) {
        int n = 0;
        int gap = -1;
        int cur = 0;
        int digits = 0;
        int i = 0;
        for (; i < dlen; i++) {
            int c = Wire.u8(s, off + i);
            if (c == delim) {
                break;
            }
            int v = Character.digit(c, 16);
            if (v >= 0) {
                if (++digits > 4) {
                    return 0;
                }
                cur = cur << 4 | v;
            } else if (c == ':') {
                if (digits > 0) {
                    if (n == 8) {
                        return 0;
                    }
                    groups[n++] = cur;
                    cur = 0;
                } else if (i != 0 || i + 1 >= dlen || Wire.u8(s, off + 1) != ':') {
                    return 0;
                }
                boolean doubled = i + 1 < dlen && Wire.u8(s, off + i + 1) == ':';
                if (doubled) {
                    if (gap >= 0) {
                        return 0;
                    }
                    gap = n;
                    i++;
                } else if (digits == 0) {
                    return 0;
                }
                digits = 0;
            } else {
                return 0;
            }
        }
        if (i == dlen) {
            return 0;
        }
        if (digits > 0) {
            if (n == 8) {
                return 0;
            }
            groups[n++] = cur;
        }
        if (gap < 0 ? n != 8 : n > 7) {
            return 0;
        }
        long hi = 0, lo = 0;
        int shift = gap < 0 ? 0 : 8 - n;
        for (int g = 0; g < 8; g++) {
            int v;
            if (gap < 0 || g < gap) {
                v = groups[g];
            } else if (g < gap + shift) {
                v = 0;
            } else {
                v = groups[g - shift];
            }
            if (g < 4) {
                hi = hi << 16 | v;
            } else {
                lo = lo << 16 | v;
            }
        }
        cmdVer = 6;
        cmdHi = hi;
        cmdLo = lo;
        return i;
    }
}
