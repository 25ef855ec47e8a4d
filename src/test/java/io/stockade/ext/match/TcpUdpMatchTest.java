package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/** tcp, udp and multiport: save, -L and error texts as iptables 1.8.9 (legacy) prints them, and matching. */
class TcpUdpMatchTest {
    static final int FIN = 1;
    static final int SYN = 2;
    static final int RST = 4;
    static final int ACK = 0x10;

    static Matcher m(String rule) throws Exception {
        var r = Harness.run(rule, Family.IPV4);
        return (Matcher) r.specs().get(r.specs().size() - 1);
    }

    @Test
    void tcpSaveAndList() throws Exception {
        String rule = "-p tcp --dport ssh:http ! --sport 1024: --tcp-flags SYN,ACK,FIN SYN";
        assertEquals("-p tcp -m tcp ! --sport 1024:65535 --dport 22:80 --tcp-flags FIN,SYN,ACK SYN", Harness.save(rule));
        assertEquals("tcp spts:!1024:65535 dpts:22:80 flags:0x13/0x02", Harness.list(rule, true));
        assertEquals("tcp spts:!1024:65535 dpts:ssh:http flags:FIN,SYN,ACK/SYN", Harness.list(rule, false));
        assertEquals("-p tcp -m tcp --tcp-option 2 --tcp-flags FIN,SYN,RST,ACK SYN",
                Harness.save("-p tcp --syn --tcp-option 2"));
        assertEquals("tcp option=!2 flags:!0x17/0x02", Harness.list("-p tcp ! --syn ! --tcp-option 2", true));
        assertEquals("-p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE", Harness.save("-p tcp --tcp-flags ALL NONE"));
        assertEquals("tcp spt:ssh dpts:0:1023 flags:!SYN,ACK/ACK",
                Harness.list("-p tcp --sport 22 --dport 0:1023 ! --tcp-flags SYN,ACK ACK", false));
    }

    @Test
    void tcpErrors() {
        assertEquals("invalid portrange (min > max)", Harness.error("-p tcp --sport 4:3"));
        assertEquals("invalid port/service `65536' specified", Harness.error("-p tcp --sport 65536"));
        assertEquals("invalid port/service `-1' specified", Harness.error("-p tcp --sport -1"));
        assertEquals("Only one `--destination-port' allowed", Harness.error("-p tcp --dport 22 --dport 23"));
        assertEquals("Only one `--source-port' allowed", Harness.error("-p tcp --sport 22 --sport 23"));
        assertEquals("Only one of `--syn' or `--tcp-flags'  allowed", Harness.error("-p tcp --syn --syn"));
        assertEquals("Unknown TCP flag `FOO'", Harness.error("-p tcp --tcp-flags FOO SYN"));
        assertEquals("Bad TCP option \"256\"", Harness.error("-p tcp --tcp-option 256"));
        assertEquals("Only one `--tcp-option' allowed", Harness.error("-p tcp --tcp-option 2 --tcp-option 3"));
        assertEquals(Xt.EINVAL, Harness.error("-m tcp --dport 1"));
        assertEquals(Xt.EINVAL, Harness.error("! -p tcp -m tcp --dport 1"));
    }

    @Test
    void tcpMatchesPortsFlagsOptions() throws Exception {
        Matcher syn = m("-p tcp --syn --dport 22");
        assertTrue(syn.matches(Packets.tcp(40000, 22, SYN)));
        assertFalse(syn.matches(Packets.tcp(40000, 22, SYN | ACK)));
        assertFalse(syn.matches(Packets.tcp(40000, 23, SYN)));
        Matcher notSyn = m("-p tcp ! --syn");
        assertTrue(notSyn.matches(Packets.tcp(1, 2, ACK)));
        assertFalse(notSyn.matches(Packets.tcp(1, 2, SYN)));
        Matcher range = m("-p tcp ! --sport 1024:");
        assertTrue(range.matches(Packets.tcp(1023, 80, ACK)));
        assertFalse(range.matches(Packets.tcp(1024, 80, ACK)));
        // MSS option (kind 2, len 4) after a NOP
        Matcher mss = m("-p tcp --tcp-option 2");
        assertTrue(mss.matches(Packets.tcp(1, 2, SYN, (byte) 1, (byte) 2, (byte) 4, (byte) 5, (byte) 0xb4)));
        assertFalse(mss.matches(Packets.tcp(1, 2, SYN, (byte) 1, (byte) 3, (byte) 3, (byte) 7)));
        assertFalse(mss.matches(Packets.tcp(1, 2, SYN)));
        assertTrue(m("-p tcp ! --tcp-option 8").matches(Packets.tcp(1, 2, SYN, (byte) 2, (byte) 4, (byte) 5, (byte) 0xb4)));
    }

    @Test
    void tcpFragmentsAndTruncation() throws Exception {
        Matcher any = m("-p tcp -m tcp");
        Skb frag1 = Packets.tcp(1, 2, SYN);
        frag1.pd.fragOffset = 8;
        frag1.pd.isFragment = true;
        assertFalse(any.matches(frag1));
        assertTrue(any.hotdrop(frag1), "offset 1 (8 bytes) is the kernel's evil TCP fragment");
        Skb frag2 = Packets.tcp(1, 2, SYN);
        frag2.pd.fragOffset = 16;
        assertFalse(any.matches(frag2));
        assertFalse(any.hotdrop(frag2));
        Skb shortTcp = Packets.ipv4(6, "1.1.1.1", "2.2.2.2", 1, 2, new byte[10], null);
        assertFalse(any.matches(shortTcp));
        assertTrue(any.hotdrop(shortTcp));
        assertFalse(any.hotdrop(Packets.tcp(1, 2, SYN)));
    }

    @Test
    void udp() throws Exception {
        assertEquals("-p udp -m udp --sport 67:68 ! --dport 53", Harness.save("-p udp ! --dport 53 --sport 67:68"));
        assertEquals("udp spts:bootps:bootpc dpt:!domain", Harness.list("-p udp ! --dport 53 --sport 67:68", false));
        assertEquals("udp spts:67:68 dpt:!53", Harness.list("-p udp ! --dport 53 --sport 67:68", true));
        assertEquals("-p udp -m udp", Harness.save("-p udp --dport :"));
        assertEquals("udp: option \"--source-port\" can only be used once.\n", Harness.error("-p udp --sport 22 --sport 23"));
        assertEquals("Port \"foo\" does not resolve to anything.\n", Harness.error("-p udp --sport foo"));
        assertEquals(Xt.EINVAL, Harness.error("-p tcp -m udp --dport 1"));
        Matcher dns = m("-p udp --dport 53");
        assertTrue(dns.matches(Packets.udp(5353, 53)));
        assertFalse(dns.matches(Packets.udp(53, 54)));
        Matcher notDns = m("-p udp ! --dport 53");
        assertFalse(notDns.matches(Packets.udp(5353, 53)));
        Skb shortUdp = Packets.ipv4(17, "1.1.1.1", "2.2.2.2", 1, 2, new byte[4], null);
        assertFalse(dns.matches(shortUdp));
        assertTrue(dns.hotdrop(shortUdp));
    }

    @Test
    void multiport() throws Exception {
        assertEquals("-p tcp -m multiport --ports 22,80:90,443", Harness.save("-p tcp -m multiport --ports 22,80:90,443"));
        assertEquals("multiport ports ssh,http:90,https", Harness.list("-p tcp -m multiport --ports 22,80:90,443", false));
        assertEquals("multiport dports  !22,80", Harness.list("-p tcp -m multiport ! --dports 22,80", true));
        assertEquals("-p tcp -m multiport --dports 22,80", Harness.save("-p tcp -m multiport --dports ssh,http"));
        assertEquals("multiport: option \"--source-ports\" cannot be used together with \"--destination-ports\".\n",
                Harness.error("-p tcp -m multiport --dports 80 --sports 22"));
        assertEquals("too many ports specified",
                Harness.error("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"));
        assertEquals("too many ports specified",
                Harness.error("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16"));
        assertEquals("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15",
                Harness.save("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15"));
        assertEquals("invalid portrange specified", Harness.error("-p tcp -m multiport --dports 80:22"));
        assertEquals("invalid port/service `' specified", Harness.error("-p tcp -m multiport --dports 22,"));
        assertEquals("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP",
                Harness.error("-p icmp -m multiport --dports 22"));
        assertEquals("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
                Harness.error("-m multiport --dports 22"));
        assertEquals("multiport expection an option", Harness.error("-p tcp -m multiport"));
        Matcher web = m("-p tcp -m multiport --dports 80,443,8000:8080");
        assertTrue(web.matches(Packets.tcp(5000, 443, SYN)));
        assertTrue(web.matches(Packets.tcp(5000, 8080, SYN)));
        assertFalse(web.matches(Packets.tcp(443, 22, SYN)));
        Matcher either = m("-p udp -m multiport --ports 53");
        assertTrue(either.matches(Packets.udp(53, 1000)));
        assertTrue(either.matches(Packets.udp(1000, 53)));
        assertFalse(either.matches(Packets.udp(1000, 1001)));
        Matcher notSrc = m("-p udp -m multiport ! --sports 53,67:68");
        assertFalse(notSrc.matches(Packets.udp(67, 1)));
        assertTrue(notSrc.matches(Packets.udp(69, 1)));
    }
}
