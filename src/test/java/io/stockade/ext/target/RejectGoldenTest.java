package io.stockade.ext.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Verdict;
import io.stockade.ext.target.RejectTarget.Type;
import io.stockade.packet.Checksum;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * REJECT replies against the real kernel. Golden data: Linux 6.x, two network namespaces joined
 * by veth (10.0.0.1/fd00::1 sender, 10.0.0.2/fd00::2 with {@code iptables -A INPUT … -j REJECT}
 * rules), offending packets sent with scapy 2.5, replies captured with tcpdump; each case is
 * the offending packet and the kernel's reply (null: the kernel sent nothing).
 * The IPv4 ICMP error's IP ID and the ICMPv6 error's flow label are random in Linux and are not
 * compared (nor is the IPv4 header checksum that covers the ID, which is verified instead).
 * The kernel's IPv4 TCP resets left veth with checksum offload pending (CHECKSUM_PARTIAL: the
 * field holds the folded pseudo-header sum, the NIC would finish it); for them the test checks
 * that the kernel's field is that seed and that ours is the finished, valid checksum (IPv6
 * resets are summed in software by nf_send_reset6 and compared as they are).
 */
class RejectGoldenTest {
    record Case(Type type, String in, String out) {
    }

    static final List<Case> CASES = List.of(
            // IP / TCP 10.0.0.1:40000 > 10.0.0.2:1001 S
            new Case(Type.TCP_RESET,
                "4500002c123440003f0615960a0000010a0000029c4003e9000003e8000000006002faf0e5210000020405b4",
                "4500002800004000400626ce0a0000020a00000103e99c4000000000000003e950140000141d0000"),
            // IP / TCP 10.0.0.1:40001 > 10.0.0.2:1001 PA / Raw
            new Case(Type.TCP_RESET,
                "4500002d12350000400654940a0000010a0000029c4103e90000138800001e61501801f483eb000068656c6c6f",
                "4500002800004000400626ce0a0000020a00000103e99c4100001e610000000050040000141d0000"),
            // IP / TCP 10.0.0.1:40002 > 10.0.0.2:1001 F / Raw
            new Case(Type.TCP_RESET,
                "4500002b12360000400654950a0000010a0000029c4203e9000023280000000050012000f4270000616263",
                "4500002800004000400626ce0a0000020a00000103e99c42000000000000232c50140000141d0000"),
            // IP / TCP 10.0.0.1:40003 > 10.0.0.2:1001 R
            new Case(Type.TCP_RESET,
                "4500002812370000400654970a0000010a0000029c4303e9000023280000000050042000b8890000",
                null),
            // IP / UDP 10.0.0.1:5000 > 10.0.0.2:1002 / Raw
            new Case(Type.ICMP_PORT_UNREACHABLE,
                "45ff002620000000401145c60a0000010a000002138803ea001279fb78787878787878787878",
                "45de0042ac8b00004001b94f0a0000020a000001030311230000000045ff002620000000401145c60a0000010a0000021388"
                + "03ea001279fb78787878787878787878"),
            // IP / UDP 10.0.0.1:5001 > 10.0.0.2:1002 / Raw
            new Case(Type.ICMP_PORT_UNREACHABLE,
                "4500041c20010000401142ce0a0000010a000002138903ea0408cb69000102030405060708090a0b0c0d0e0f101112131415"
                + "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4041424344454647"
                + "48494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273747576777879"
                + "7a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaab"
                + "acadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
                + "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"
                + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4041"
                + "42434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273"
                + "7475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5"
                + "a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"
                + "d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00010203040506070809"
                + "0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b"
                + "3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d"
                + "6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                + "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1"
                + "d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00010203"
                + "0405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
                + "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364656667"
                + "68696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293949596979899"
                + "9a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacb"
                + "cccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
                + "feff",
                "45c00240aca300004001b7570a0000020a00000103038988000000004500041c20010000401142ce0a0000010a0000021389"
                + "03ea0408cb69000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b"
                + "2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
                + "5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"
                + "909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1"
                + "c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3"
                + "f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425"
                + "262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657"
                + "58595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283848586878889"
                + "8a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babb"
                + "bcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebeced"
                + "eeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0001020304050607"),
            // IP / UDP 10.0.0.1:5002 > 10.0.0.2:1003 / Raw
            new Case(Type.ICMP_HOST_PROHIBITED,
                "4500001f20020000401146ca0a0000010a000002138a03eb000be1e6797979",
                "45c0003baca900004001b9560a0000020a000001030a1115000000004500001f20020000401146ca0a0000010a000002138a"
                + "03eb000be1e6797979"),
            // IP / UDP 10.0.0.1:5003 > 10.0.0.2:1002 / Raw
            new Case(Type.ICMP_PORT_UNREACHABLE,
                "4500001f20030000401146c90a0000010a000002138b03ea000b1111626164",
                null),
            // IP / UDP 10.0.0.1:5004 > 10.0.0.2:1002 / Raw
            new Case(Type.ICMP_PORT_UNREACHABLE,
                "4500002220040000401146c50a0000010a000002138c03ea000e00006e6f6373756d",
                "45c0003eacf700004001b9050a0000020a00000103039e28000000004500002220040000401146c50a0000010a000002138c"
                + "03ea000e00006e6f6373756d"),
            // IP / TCP 10.0.0.1:40004 > 10.0.0.2:1004 S
            new Case(Type.ICMP_NET_UNREACHABLE,
                "4500002820050000400646c90a0000010a0000029c4403ec000000010000000050022000dbae0000",
                "45c00044ad1400004001b8e20a0000020a0000010300111d000000004500002820050000400646c90a0000010a0000029c44"
                + "03ec000000010000000050022000dbae0000"),
            // IP / ICMP 10.0.0.1 > 10.0.0.2 echo-request 0 / Raw
            new Case(Type.ICMP_ADMIN_PROHIBITED,
                "4500002030000000400136db0a0000010a000002080019270007000170696e67",
                "45c0003cad1e00004001b8e00a0000020a000001030dfcf2000000004500002030000000400136db0a0000010a0000020800"
                + "19270007000170696e67"),
            // IP / ICMP 10.0.0.1 > 10.0.0.2 dest-unreach port-unreachable / IPerror / UDPerror
            new Case(Type.ICMP_PORT_UNREACHABLE,
                "4500003830010000400136c20a0000010a00000203031119000000004500001c00010000401166ce0a0000020a0000010001"
                + "00020008ebd8",
                null),
            // 10.0.0.1 > 10.0.0.2 udp frag:100 / Raw
            new Case(Type.ICMP_PORT_UNREACHABLE,
                "4500002030020064401136650a0000010a000002138d03ea000c0c8366726167",
                null),
            // IP / UDP 10.0.0.1:5006 > 10.0.0.2:1002 / Raw
            new Case(Type.ICMP_PORT_UNREACHABLE,
                "4600002430030000401133c20a0000010a00000201010101138e03ea000cf0776f707473",
                "45c00040ad9200004001b8680a0000020a0000010303111d000000004600002430030000401133c20a0000010a0000020101"
                + "0101138e03ea000cf0776f707473"),
            // IPv6 / TCP fd00::1:40000 > fd00::2:1001 S
            new Case(Type.TCP6_RESET,
                "6281234500140640fd000000000000000000000000000001fd0000000000000000000000000000029c4003e9000003e80000"
                + "000050022000f1cc0000",
                "6000000000140640fd000000000000000000000000000002fd00000000000000000000000000000103e99c40000000000000"
                + "03e95014000011ba0000"),
            // IPv6 / TCP fd00::1:40001 > fd00::2:1001 PA / Raw
            new Case(Type.TCP6_RESET,
                "6000000000190640fd000000000000000000000000000001fd0000000000000000000000000000029c4103e9000013880000"
                + "1e61501820007fdd000068656c6c6f",
                "6000000000140640fd000000000000000000000000000002fd00000000000000000000000000000103e99c4100001e610000"
                + "000050040000f7500000"),
            // IPv6 / UDP fd00::1:5000 > fd00::2:1002 / Raw
            new Case(Type.ICMP6_PORT_UNREACHABLE,
                "6b80000000121140fd000000000000000000000000000001fd000000000000000000000000000002138803ea001293f97878"
                + "7878787878787878",
                "600f9c0100423a40fd000000000000000000000000000002fd000000000000000000000000000001010487cb000000006b80"
                + "000000121140fd000000000000000000000000000001fd000000000000000000000000000002138803ea001293f978787878"
                + "787878787878"),
            // IPv6 / UDP fd00::1:5001 > fd00::2:1002 / Raw
            new Case(Type.ICMP6_PORT_UNREACHABLE,
                "6000000005081140fd000000000000000000000000000001fd000000000000000000000000000002138903ea050823280001"
                + "02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233"
                + "3435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465"
                + "666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f9091929394959697"
                + "98999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9"
                + "cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafb"
                + "fcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
                + "2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                + "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f9091"
                + "92939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3"
                + "c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5"
                + "f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627"
                + "28292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50515253545556575859"
                + "5a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b"
                + "8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
                + "bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
                + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021"
                + "22232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50515253"
                + "5455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485"
                + "868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7"
                + "b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9"
                + "eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
                + "1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d"
                + "4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                + "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1"
                + "b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3"
                + "e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                "600f9c0104d83a40fd000000000000000000000000000002fd000000000000000000000000000001010485dc000000006000"
                + "000005081140fd000000000000000000000000000001fd000000000000000000000000000002138903ea0508232800010203"
                + "0405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
                + "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364656667"
                + "68696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293949596979899"
                + "9a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacb"
                + "cccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
                + "feff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
                + "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061"
                + "62636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293"
                + "9495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5"
                + "c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7"
                + "f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829"
                + "2a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b"
                + "5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d"
                + "8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                + "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1"
                + "f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
                + "2425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455"
                + "565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f8081828384858687"
                + "88898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9"
                + "babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaeb"
                + "ecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
                + "1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f"
                + "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f8081"
                + "82838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"),
            // IPv6 / UDP fd00::1:5002 > fd00::2:1003 / Raw
            new Case(Type.ICMP6_ADM_PROHIBITED,
                "60000000000b1140fd000000000000000000000000000001fd000000000000000000000000000002138a03eb000bfbe47979"
                + "79",
                "600c08f1003b3a40fd000000000000000000000000000002fd00000000000000000000000000000101019355000000006000"
                + "0000000b1140fd000000000000000000000000000001fd000000000000000000000000000002138a03eb000bfbe4797979"),
            // IPv6 / ICMPv6 Echo Request (id: 0x7 seq: 0x1)
            new Case(Type.ICMP6_NO_ROUTE,
                "60000000000c3a40fd000000000000000000000000000001fd0000000000000000000000000000028000a6db000700017069"
                + "6e67",
                "6007cd36003c3a40fd000000000000000000000000000002fd00000000000000000000000000000101006a7e000000006000"
                + "0000000c3a40fd000000000000000000000000000001fd0000000000000000000000000000028000a6db0007000170696e67"),
            // fd00::1 > fd00::2 (58) / ICMPv6DestUnreach / IPerror6 / UDPerror
            new Case(Type.ICMP6_PORT_UNREACHABLE,
                "6000000000383a40fd000000000000000000000000000001fd00000000000000000000000000000201049355000000006000"
                + "000000081140fd000000000000000000000000000002fd00000000000000000000000000000100010002000805d7",
                null),
            // IPv6 / IPv6ExtHdrFragment / UDP 5007 > 1002 / Raw
            new Case(Type.ICMP6_PORT_UNREACHABLE,
                "6000000000202c40fd000000000000000000000000000001fd0000000000000000000000000000021100000100000063138f"
                + "03ea0018bb0d66666666666666666666666666666666",
                "600f9c0100503a40fd000000000000000000000000000002fd000000000000000000000000000001010466d1000000006000"
                + "000000202c40fd000000000000000000000000000001fd0000000000000000000000000000021100000100000063138f03ea"
                + "0018bb0d66666666666666666666666666666666")
    );

    @Test
    void repliesAreTheKernels() {
        int compared = 0;
        for (Case c : CASES) {
            RecordingEmitter em = new RecordingEmitter();
            int verdict = new RejectTarget.Spec(c.type()).execute(Packets.skb(c.in()), em);
            assertEquals(Verdict.DROP, verdict);
            if (c.out() == null) {
                assertEquals(0, em.packets.size(), () -> "kernel sent no reply to " + c.in());
                continue;
            }
            assertEquals(1, em.packets.size(), () -> "one reply expected to " + c.in());
            byte[] got = em.packets.get(0);
            byte[] want = Packets.bytes(c.out());
            assertEquals(want[0] >>> 4 & 0xf, em.families.get(0));
            int v = want[0] >>> 4 & 0xf;
            int l3 = v == 4 ? 20 : 40;
            if (v == 4 && want[9] == 6) {
                long pseudo = Checksum.pseudoIpv4(u32(got, 12), u32(got, 16), 6, 20);
                assertEquals(Checksum.fold(pseudo), u16(want, l3 + 16), "kernel left the offload seed");
                assertEquals(0xffff, Checksum.fold(Checksum.sum(MemorySegment.ofArray(got), l3, 20, pseudo)),
                        "our TCP checksum is valid");
                blank(got, l3 + 16, 2);
                blank(want, l3 + 16, 2);
            }
            if (v == 4 && want[9] == 1) {
                assertEquals(0xffff, Checksum.fold(Checksum.sum(MemorySegment.ofArray(got), 0, 20, 0)),
                        "IPv4 header checksum");
                blank(got, 4, 2);
                blank(want, 4, 2);
                blank(got, 10, 2);
                blank(want, 10, 2);
            } else if ((want[0] >>> 4) == 6 && want[6] == 58) {
                got[1] &= (byte) 0xf0;
                want[1] &= (byte) 0xf0;
                blank(got, 2, 2);
                blank(want, 2, 2);
            }
            assertEquals(Packets.hex(want), Packets.hex(got), "reply to " + c.in());
            compared++;
        }
        assertTrue(compared >= 15, "golden replies compared: " + compared);
    }

    /** In OUTPUT the checksum is the NIC's to finish (CHECKSUM_PARTIAL): Linux replies anyway. */
    @Test
    void outputPacketsWithUnfinishedChecksumsStillGetReplies() {
        Case bad = CASES.stream().filter(c -> c.out() == null && c.in().contains("0b1111")).findFirst().orElseThrow();
        var skb = Packets.skb(bad.in());
        RecordingEmitter em = new RecordingEmitter();
        new RejectTarget.Spec(Type.ICMP_PORT_UNREACHABLE).execute(skb, em);
        assertEquals(0, em.packets.size(), "INPUT: bad checksum, no reply");
        skb = Packets.skb(bad.in());
        skb.hook = io.stockade.rules.Hook.OUTPUT;
        new RejectTarget.Spec(Type.ICMP_PORT_UNREACHABLE).execute(skb, em);
        assertEquals(1, em.packets.size(), "OUTPUT: checksum not checked");
    }

    /**
     * Linux 6.16 dropped DCCP from nf_reject_verify_csum; nf_ip_checksum then sums a DCCP packet
     * without pseudo-header, so an RFC-correct IPv4 DCCP Request gets no ICMP error (kernel
     * differential, seed 20261123 case 214); one whose sum is right without the pseudo-header does.
     */
    @Test
    void ipv4DccpChecksumIsVerifiedWithoutPseudoHeader() {
        RecordingEmitter em = new RecordingEmitter();
        new RejectTarget.Spec(Type.ICMP_NET_UNREACHABLE).execute(
                Packets.skb("45000028100040004021e4ad0a000002cb007105debd00160500109f0100fa739573343e0000002a"), em);
        assertEquals(0, em.packets.size(), "RFC 4340 checksum (with pseudo-header): no reply");
        new RejectTarget.Spec(Type.ICMP_NET_UNREACHABLE).execute(
                Packets.skb("45000028100040004021e4ad0a000002cb007105debd0016050056dc0100fa739573343e0000002a"), em);
        assertEquals(1, em.packets.size(), "sum right without pseudo-header: the error is sent");
    }

    @Test
    void unreachQuoteShrinksToRouteMtu() {
        Case big = CASES.stream().filter(c -> c.in().length() > 2000 && c.in().startsWith("45")).findFirst().orElseThrow();
        var skb = Packets.skb(big.in());
        skb.routeMtu = 300;
        RecordingEmitter em = new RecordingEmitter();
        new RejectTarget.Spec(Type.ICMP_PORT_UNREACHABLE).execute(skb, em);
        assertEquals(300, em.packets.get(0).length);
    }

    @Test
    void noReplyToBroadcastOrOtherHost() {
        Case udp = CASES.stream().filter(c -> c.type() == Type.ICMP_HOST_PROHIBITED).findFirst().orElseThrow();
        var skb = Packets.skb(udp.in());
        skb.pktType = 1;
        RecordingEmitter em = new RecordingEmitter();
        new RejectTarget.Spec(Type.ICMP_HOST_PROHIBITED).execute(skb, em);
        assertEquals(0, em.packets.size());
        // 10.0.0.1 > 10.0.0.255 as a subnet broadcast known to the host model
        skb = Packets.skb(udp.in());
        skb.addressTypes = new io.stockade.engine.AddressTypes() {
            @Override
            public int typeMask(int v, long hi, long lo, String dev) {
                return BROADCAST;
            }

            @Override
            public String routeDevice(int v, long hi, long lo) {
                return null;
            }

            @Override
            public int routeType(int v, long hi, long lo) {
                return BROADCAST;
            }
        };
        new RejectTarget.Spec(Type.ICMP_HOST_PROHIBITED).execute(skb, em);
        assertEquals(0, em.packets.size());
    }

    /**
     * A forwarded packet: the error comes from the host's address on the route back to the sender
     * (icmp_send with icmp_errors_use_inbound_ifaddr=0), not from the packet's destination.
     */
    @Test
    void forwardedPacketErrorComesFromTheRouteBack() {
        var eth0 = new io.stockade.host.Host.Iface("eth0", 2, 1500, false,
                List.of(new io.stockade.host.Addresses.Prefix(4, 0, 0x0a000002L, 24)));
        var eth1 = new io.stockade.host.Host.Iface("eth1", 3, 1500, false,
                List.of(new io.stockade.host.Addresses.Prefix(4, 0, 0xc0a80501L, 24)));
        var routes = List.of(
                new io.stockade.host.Host.Route(4, io.stockade.host.Host.TABLE_MAIN, io.stockade.engine.AddressTypes.UNICAST,
                        new io.stockade.host.Addresses.Prefix(4, 0, 0x0a000000L, 24), null, "eth0", 0, 0),
                new io.stockade.host.Host.Route(4, io.stockade.host.Host.TABLE_MAIN, io.stockade.engine.AddressTypes.UNICAST,
                        new io.stockade.host.Addresses.Prefix(4, 0, 0xc0a80500L, 24), null, "eth1", 0, 0));
        var host = new io.stockade.host.Host(List.of(eth0, eth1), routes, new io.stockade.host.Sysctls());
        // 10.0.0.1:5000 > 192.168.5.9:1002 UDP "x"
        var skb = Packets.skb("4500001d000100004011ab1d0a000001c0a80509138803ea0009a0b778");
        skb.addressTypes = host;
        RecordingEmitter em = new RecordingEmitter();
        new RejectTarget.Spec(Type.ICMP_PORT_UNREACHABLE).execute(skb, em);
        byte[] reply = em.packets.get(0);
        assertEquals("0a000002", Packets.hex(java.util.Arrays.copyOfRange(reply, 12, 16)));
        assertEquals("0a000001", Packets.hex(java.util.Arrays.copyOfRange(reply, 16, 20)));
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    private static long u32(byte[] b, int off) {
        return (long) u16(b, off) << 16 | u16(b, off + 2);
    }

    private static void blank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            b[i] = 0;
        }
    }
}
