package io.stockade.synproxy;

import io.stockade.packet.Wire;
import java.lang.foreign.MemorySegment;

/**
 * The kernel's {@code struct synproxy_options} held in an {@code int[]} (so the packet path can keep
 * it in per-worker scratch, {@code Skb.scratchInts}): which TCP options a segment carried or a
 * generated one gets ({@link #OPTIONS}, bits {@link #MSS} … {@link #ECN} as
 * {@code NF_SYNPROXY_OPT_*}), the window scale, the MSS to write and the MSS to encode in the
 * cookie, and the timestamp pair. {@link #parse} is {@code synproxy_parse_options}, {@link #size}
 * {@code synproxy_options_size}, {@link #build} {@code synproxy_build_options}, and the two
 * timestamp-cookie functions carry the client's window scale, SACK-permitted and ECN bits in the low
 * six bits of the SYN-ACK's TSval (0xf = no window scale).
 */
public final class SynproxyOptions {
    /** Slots. */
    public static final int OPTIONS = 0, WSCALE = 1, MSS_OPTION = 2, MSS_ENCODE = 3, TSVAL = 4, TSECR = 5, SLOTS = 6;
    /** NF_SYNPROXY_OPT_* (= XT_SYNPROXY_OPT_*). */
    public static final int MSS = 0x01, WSCALE_BIT = 0x02, SACK_PERM = 0x04, TIMESTAMP = 0x08, ECN = 0x10;

    private SynproxyOptions() {
    }

    /** {@code struct synproxy_options opts = {}}. */
    public static void clear(int[] o) {
        for (int i = 0; i < SLOTS; i++) {
            o[i] = 0;
        }
    }

    /**
     * synproxy_parse_options over the TCP header at {@code th} (absolute offset) with data offset
     * {@code doff} bytes; {@code end} is the end of the valid bytes. Sets OPTIONS to what was found
     * (other slots only for options present). @return false when the option bytes are not all there.
     */
    public static boolean parse(int[] o, MemorySegment s, int th, int doff, int end) {
        int length = doff - 20;
        if (length < 0 || th + 20 + length > end) {
            return false;
        }
        int p = th + 20;
        o[OPTIONS] = 0;
        while (length > 0) {
            int opcode = Wire.u8(s, p++);
            if (opcode == 0) {
                return true;
            }
            if (opcode == 1) {
                length--;
                continue;
            }
            if (length < 2) {
                return true;
            }
            int opsize = Wire.u8(s, p++);
            if (opsize < 2 || opsize > length) {
                return true;
            }
            switch (opcode) {
                case 2 -> {
                    if (opsize == 4) {
                        o[MSS_OPTION] = Wire.u16(s, p);
                        o[OPTIONS] |= MSS;
                    }
                }
                case 3 -> {
                    if (opsize == 3) {
                        o[WSCALE] = Math.min(Wire.u8(s, p), 14);
                        o[OPTIONS] |= WSCALE_BIT;
                    }
                }
                case 8 -> {
                    if (opsize == 10) {
                        o[TSVAL] = Wire.i32(s, p);
                        o[TSECR] = Wire.i32(s, p + 4);
                        o[OPTIONS] |= TIMESTAMP;
                    }
                }
                case 4 -> {
                    if (opsize == 2) {
                        o[OPTIONS] |= SACK_PERM;
                    }
                }
                default -> {
                }
            }
            p += opsize - 2;
            length -= opsize;
        }
        return true;
    }

    /** synproxy_options_size: bytes of options {@link #build} writes. */
    public static int size(int[] o) {
        int opts = o[OPTIONS];
        int size = 0;
        if ((opts & MSS) != 0) {
            size += 4;
        }
        if ((opts & TIMESTAMP) != 0) {
            size += 12;
        } else if ((opts & SACK_PERM) != 0) {
            size += 4;
        }
        if ((opts & WSCALE_BIT) != 0) {
            size += 4;
        }
        return size;
    }

    /** synproxy_build_options at absolute offset {@code p} (just after the 20-byte TCP header). */
    public static void build(int[] o, MemorySegment s, int p) {
        int opts = o[OPTIONS];
        if ((opts & MSS) != 0) {
            Wire.put32(s, p, 2 << 24 | 4 << 16 | (o[MSS_OPTION] & 0xffff));
            p += 4;
        }
        if ((opts & TIMESTAMP) != 0) {
            Wire.put32(s, p, (opts & SACK_PERM) != 0 ? 4 << 24 | 2 << 16 | 8 << 8 | 10 : 1 << 24 | 1 << 16 | 8 << 8 | 10);
            Wire.put32(s, p + 4, o[TSVAL]);
            Wire.put32(s, p + 8, o[TSECR]);
            p += 12;
        } else if ((opts & SACK_PERM) != 0) {
            Wire.put32(s, p, 1 << 24 | 1 << 16 | 4 << 8 | 2);
            p += 4;
        }
        if ((opts & WSCALE_BIT) != 0) {
            Wire.put32(s, p, 1 << 24 | 3 << 16 | 3 << 8 | (o[WSCALE] & 0xff));
        }
    }

    /**
     * synproxy_init_timestamp_cookie: TSecr echoes the client's TSval; TSval is the millisecond
     * clock with its low six bits replaced by the client's window scale (0xf: none), SACK-permitted
     * (bit 4) and ECN (bit 5); the window scale we announce becomes the rule's.
     */
    public static void initTimestampCookie(int[] o, int ruleWscale, int clockMs) {
        o[TSECR] = o[TSVAL];
        int tsval = clockMs & ~0x3f;
        if ((o[OPTIONS] & WSCALE_BIT) != 0) {
            tsval |= o[WSCALE];
            o[WSCALE] = ruleWscale;
        } else {
            tsval |= 0xf;
        }
        if ((o[OPTIONS] & SACK_PERM) != 0) {
            tsval |= 1 << 4;
        }
        if ((o[OPTIONS] & ECN) != 0) {
            tsval |= 1 << 5;
        }
        o[TSVAL] = tsval;
    }

    /** synproxy_check_timestamp_cookie: the client's options back from its ACK's TSecr. */
    public static void checkTimestampCookie(int[] o) {
        int tsecr = o[TSECR];
        o[WSCALE] = tsecr & 0xf;
        if (o[WSCALE] != 0xf) {
            o[OPTIONS] |= WSCALE_BIT;
        }
        if ((tsecr & (1 << 4)) != 0) {
            o[OPTIONS] |= SACK_PERM;
        }
        if ((tsecr & (1 << 5)) != 0) {
            o[OPTIONS] |= ECN;
        }
    }
}
