package io.stockade.packet;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/** Real packets as bytes, generated once by scapy 2.5 (an independent encoder) and pasted here. */
final class Samples {
    /** 198.51.100.10:40000 > 198.51.100.1:22 SYN, DF, id 0x1234, MSS 1460, SACK-perm, TS 123/0, NOP, WS 7. */
    static final String TCP_SYN = "4500003c123440004006d415c633640ac63364019c400016000003e800000000a002faf057e30000"
            + "020405b40402080a0000007b0000000001030307";
    /** 2001:db8::1 > 2001:db8::2, hop-by-hop, destination options, UDP 5353 > 53 "hello". */
    static final String UDP6_EXT = "60000000001d004020010db800000000000000000000000120010db8000000000000000000000002"
            + "3c00010400000000110001040000000014e90035000d4b6f68656c6c6f";
    /** 192.0.2.1 > 10.0.0.1 ICMP time exceeded quoting 10.0.0.1:33434 > 1.2.3.4:33435 UDP (28 bytes). */
    static final String ICMP_ERR = "45000038000100004001aec2c00002010a0000010b00d5fe00000000"
            + "45000028000100000111abbe0a00000101020304829a829b001419b7";
    /** fe80::1 > ff02::1 ICMPv6 echo request id 7 seq 1 "abcd". */
    static final String ICMP6_ECHO = "60000000000c3a40fe800000000000000000000000000001ff020000000000000000000000000001"
            + "8000bd640007000161626364";
    /** 2001:db8::1 > 2001:db8::2 fragment header (offset 0, M, id 0xabcd) then TCP 1 > 2 SYN. */
    static final String FRAG6_FIRST = "60000000001c2c4020010db800000000000000000000000120010db8000000000000000000000002"
            + "060000010000abcd00010002000000000000000050022000346b0000";

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static MemorySegment seg(String hex) {
        return MemorySegment.ofArray(bytes(hex));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private Samples() {
    }
}
