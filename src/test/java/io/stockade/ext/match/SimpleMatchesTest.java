package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.Conn;
import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import org.junit.jupiter.api.Test;

/**
 * mark, connmark, length, ttl, hl, pkttype, mac, iprange, tcpmss, helper, quota, statistic:
 * save/-L/errors as iptables 1.8.9 (legacy) prints them, and matching.
 */
class SimpleMatchesTest {
    static Matcher m(String rule) throws Exception {
        return m(rule, Family.IPV4);
    }

    static Matcher m(String rule, Family f) throws Exception {
        var r = Harness.run(rule, f);
        MatchSpec s = r.specs().get(r.specs().size() - 1);
        return s instanceof CompilableMatch c ? c.compile(new TestState()) : (Matcher) s;
    }

    @Test
    void markAndConnmark() throws Exception {
        assertEquals("-m mark ! --mark 0x5/0xff", Harness.save("-m mark ! --mark 5/0xff"));
        assertEquals("mark match ! 0x5/0xff", Harness.list("-m mark ! --mark 5/0xff", true));
        assertEquals("mark match 0x7", Harness.list("-m mark --mark 7", true));
        assertEquals("connmark match ! 0xffffffff/0x0", Harness.list("-m connmark ! --mark 0xffffffff/0x0", true));
        assertEquals("connmark match  0x0", Harness.list("-m connmark --mark 0/0xffffffff", true));
        Skb s = Packets.udp(1, 2);
        s.mark = 0x1234;
        assertTrue(m("-m mark --mark 0x34/0xff").matches(s));
        assertFalse(m("-m mark --mark 0x34").matches(s));
        assertTrue(m("-m mark ! --mark 0x34").matches(s));
        Matcher cm = m("-m connmark ! --mark 1");
        assertFalse(cm.matches(s), "no conntrack entry: no match even inverted");
        s.conn = new Conn();
        s.conn.mark = 2;
        assertTrue(cm.matches(s));
    }

    @Test
    void lengthTtlHl() throws Exception {
        assertEquals("length !10:100", Harness.list("-m length ! --length 10:100", true));
        assertEquals("TTL match TTL < 5", Harness.list("-m ttl --ttl-lt 5", true));
        assertEquals("-m ttl ! --ttl-eq 0", Harness.save("-m ttl ! --ttl-eq 0"));
        assertEquals("ttl: option \"--ttl-gt\" cannot be used together with \"--ttl-eq\".\n",
                Harness.error("-m ttl --ttl-gt 5 --ttl-eq 4"));
        assertEquals("ttl: option \"--ttl-lt\" cannot be inverted.\n", Harness.error("-m ttl ! --ttl-lt 5"));
        Skb s = Packets.udp(1, 2);
        s.pd.ipTotalLength = 60;
        assertTrue(m("-m length --length 50:60").matches(s));
        assertFalse(m("-m length ! --length 50:60").matches(s));
        assertTrue(m("-m ttl --ttl-gt 63").matches(s));
        assertFalse(m("-m ttl --ttl-lt 64").matches(s));
        assertTrue(m("-m ttl ! --ttl-eq 1").matches(s));
        assertEquals("-m hl --hl-gt 42", Harness.save6("-m hl --hl-gt 42"));
        assertTrue(m("-m hl --hl-eq 64", Family.IPV6).matches(s));
    }

    @Test
    void pkttypeAndMac() throws Exception {
        assertEquals("-m pkttype ! --pkt-type unicast", Harness.save("-m pkttype ! --pkt-type host"));
        assertEquals("PKTTYPE = broadcast", Harness.list("-m pkttype --pkt-type BROADCAST", true));
        assertEquals("Bad packet type 'wrong'", Harness.error("-m pkttype --pkt-type wrong"));
        Skb s = Packets.udp(1, 2);
        s.pktType = 1;
        assertTrue(m("-m pkttype --pkt-type broadcast").matches(s));
        s.pktType = 5;
        s.pd.dstLo = Xt.ipv4("224.0.0.1")[1];
        assertTrue(m("-m pkttype --pkt-type multicast").matches(s), "loopback to a multicast group");
        assertEquals("-m mac ! --mac-source 42:01:02:03:04:0a", Harness.save("-m mac ! --mac-source 42:01:02:03:04:0A"));
        assertEquals("MAC ! 42:01:02:03:04:0a", Harness.list("-m mac ! --mac-source 42:01:02:03:04:0A", true));
        assertEquals("Invalid MAC address specified.", Harness.error("-m mac --mac-source 42:01:02:03:04"));
        Matcher mac = m("-m mac --mac-source 42:01:02:03:04:05");
        assertFalse(mac.matches(s));
        s.srcMac = 0x420102030405L;
        assertTrue(mac.matches(s));
        assertFalse(m("-m mac ! --mac-source 42:01:02:03:04:05").matches(s));
    }

    @Test
    void iprange() throws Exception {
        String r = "-m iprange --src-range 1.1.1.1-1.1.1.10 ! --dst-range 2.2.2.2-2.2.2.3";
        assertEquals(r, Harness.save(r));
        assertEquals("source IP range 1.1.1.1-1.1.1.10 destination IP range ! 2.2.2.2-2.2.2.3", Harness.list(r, true));
        assertEquals("-m iprange --src-range 1.1.1.1-1.1.1.1", Harness.save("-m iprange --src-range 1.1.1.1"));
        Matcher m = m(r);
        assertTrue(m.matches(Packets.ipv4(17, "1.1.1.5", "9.9.9.9", 1, 2, new byte[8], null)));
        assertFalse(m.matches(Packets.ipv4(17, "1.1.1.11", "9.9.9.9", 1, 2, new byte[8], null)));
        assertFalse(m.matches(Packets.ipv4(17, "1.1.1.5", "2.2.2.3", 1, 2, new byte[8], null)));
        assertTrue(m("-m iprange --src-range 128.0.0.0-255.255.255.255")
                .matches(Packets.ipv4(17, "200.1.1.1", "9.9.9.9", 1, 2, new byte[8], null)), "unsigned compare");
    }

    @Test
    void tcpmss() throws Exception {
        assertEquals("tcpmss match !1000:1500", Harness.list("-p tcp -m tcpmss ! --mss 1000:1500", true));
        assertEquals("tcpmss: invalid range given", Harness.error("-p tcp -m tcpmss --mss 65535:1000"));
        Matcher m = m("-p tcp -m tcpmss --mss 1000:1460");
        assertTrue(m.matches(Packets.tcp(1, 2, 2, (byte) 2, (byte) 4, (byte) 0x05, (byte) 0xb4)));
        assertFalse(m.matches(Packets.tcp(1, 2, 2, (byte) 2, (byte) 4, (byte) 0x05, (byte) 0xb5)));
        assertFalse(m.matches(Packets.tcp(1, 2, 0x10)), "no options");
        assertTrue(m("-p tcp -m tcpmss ! --mss 1000:1460").matches(Packets.tcp(1, 2, 0x10)));
    }

    @Test
    void helperQuotaStatistic() throws Exception {
        assertEquals("helper match ! \"ftp\"", Harness.list("-m helper ! --helper ftp", true));
        assertEquals("-m helper --helper ftp-2121", Harness.save("-m helper --helper ftp-2121"));
        Skb s = Packets.tcp(20, 5000, 2);
        Matcher ftp = m("-m helper --helper ftp");
        assertFalse(ftp.matches(s));
        s.conn = new Conn();
        s.conn.master = new Conn();
        s.conn.master.helper = "ftp";
        assertTrue(ftp.matches(s));
        assertTrue(m("-m helper --helper ftp-2121").matches(s), "the kernel compares the helper's name length");

        assertEquals("quota: 1000 bytes", Harness.list("-m quota ! --quota 1000", true));
        Matcher q = m("-m quota --quota 100");
        Skb p = Packets.udp(1, 2);
        p.pd.ipTotalLength = 60;
        assertTrue(q.matches(p));
        assertFalse(q.matches(p), "40 bytes left: not enough, and from now on nothing");
        p.pd.ipTotalLength = 20;
        assertFalse(q.matches(p));

        assertEquals("-m statistic --mode random --probability 0.25000000000",
                Harness.save("-m statistic --mode random --probability 0.25"));
        assertEquals("statistic mode nth every 5 packet 2", Harness.list("-m statistic --mode nth --every 5 --packet 2", true));
        assertEquals("statistic: option \"--every\" also requires \"--packet\".\n", Harness.error("-m statistic --mode nth --every 3"));
        assertEquals("the --packet p must be 0 <= p <= n-1", Harness.error("-m statistic --mode nth --every 5 --packet 5"));
        assertEquals("--probability must be specified when using random mode", Harness.error("-m statistic --mode random"));
        assertEquals("Bad mode \"foo\"", Harness.error("-m statistic --mode foo"));
        Matcher nth = m("-m statistic --mode nth --every 3 --packet 1");
        StringBuilder hits = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            hits.append(nth.matches(p) ? 'x' : '.');
        }
        assertEquals(".x..x..", hits.toString());
        Matcher rnd = m("-m statistic --mode random --probability 0.25");
        int n = 0;
        for (int i = 0; i < 4000; i++) {
            n += rnd.matches(p) ? 1 : 0;
        }
        assertTrue(n > 800 && n < 1200, "about a quarter: " + n);
    }
}
