package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/** conntrack and state: save/-L/errors as iptables 1.8.9 (legacy) prints them, and matching on entries. */
class ConntrackStateMatchTest {
    static Matcher m(String rule) throws Exception {
        var r = Harness.run(rule, Family.IPV4);
        return (Matcher) r.specs().get(r.specs().size() - 1);
    }

    static final String FULL = "-m conntrack ! --ctstate DNAT,NEW --ctproto udp ! --ctorigsrc 10.0.0.0/8 "
            + "--ctorigdst 1.2.3.4 --ctreplsrc 0.0.0.0/0 --ctrepldst 10.1.1.1 --ctorigsrcport 1:2 "
            + "! --ctorigdstport 80 --ctreplsrcport 22 --ctrepldstport 5 "
            + "! --ctstatus ASSURED,CONFIRMED,EXPECTED,SEEN_REPLY --ctexpire 10:20 --ctdir REPLY";

    @Test
    void conntrackSaveAndList() throws Exception {
        assertEquals("-m conntrack ! --ctstate NEW,DNAT --ctproto 17 ! --ctorigsrc 10.0.0.0/8 --ctorigdst 1.2.3.4 "
                + "--ctreplsrc 0.0.0.0/0 --ctrepldst 10.1.1.1 --ctorigsrcport 1:2 ! --ctorigdstport 80 "
                + "--ctreplsrcport 22 --ctrepldstport 5 ! --ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED "
                + "--ctexpire 10:20 --ctdir REPLY", Harness.save(FULL));
        assertEquals("! ctstate NEW,DNAT ctproto 17 ! ctorigsrc 10.0.0.0/8 ctorigdst 1.2.3.4 ctreplsrc anywhere "
                + "ctrepldst 10.1.1.1 ctorigsrcport 1:2 ! ctorigdstport 80 ctreplsrcport 22 ctrepldstport 5 "
                + "! ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED ctexpire 10:20 ctdir REPLY",
                Harness.list(FULL, false));
        assertEquals("-m conntrack --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT",
                Harness.save("-m conntrack --ctstate NEW,RELATED,ESTABLISHED,INVALID,UNTRACKED,SNAT,DNAT"));
        assertEquals("-m conntrack --ctstate NEW", Harness.save("-m conntrack --ctstate new"));
        assertEquals("-m conntrack --ctstatus ASSURED", Harness.save("-m conntrack --ctstatus NONE,ASSURED"));
        assertEquals("-m conntrack ! --ctstatus NONE", Harness.save("-m conntrack ! --ctstatus NONE"));
        assertEquals("-m conntrack --ctexpire 5:4294967295", Harness.save("-m conntrack --ctexpire 5:"));
        assertEquals("-m conntrack --ctexpire 16", Harness.save("-m conntrack --ctexpire 0x10"));
        assertEquals("-m conntrack --ctdir REPLY", Harness.save("-m conntrack --ctdir reply"));
        assertEquals("-m conntrack --ctorigsrc 2001:db8::1/64 --ctrepldst ::ffff:1.2.3.4",
                Harness.save6("-m conntrack --ctorigsrc 2001:db8::1/64 --ctrepldst ::ffff:1.2.3.4"));
    }

    @Test
    void conntrackErrors() {
        assertEquals("conntrack: At least one option is required", Harness.error("-m conntrack"));
        assertEquals("conntrack: option \"--ctdir\" cannot be inverted.\n", Harness.error("-m conntrack ! --ctdir ORIGINAL"));
        assertEquals("Bad ctstate \"wrong\"", Harness.error("-m conntrack --ctstate wrong"));
        assertEquals("Bad ctstate \"foo,BAR\"", Harness.error("-m conntrack --ctstate NEW,foo,BAR"));
        assertEquals("Bad ctstate \",NEW\"", Harness.error("-m conntrack --ctstate ,NEW"));
        assertEquals("Bad ctstate \"\"", Harness.error("-m conntrack --ctstate NEW,"));
        assertEquals("Bad ctstatus \"FOO\"", Harness.error("-m conntrack --ctstatus FOO"));
        assertEquals("unknown protocol \"foo\" specified", Harness.error("-m conntrack --ctproto foo"));
        assertEquals("conntrack: bad value for option \"--ctexpire\" near \"42949672956\", or out of range (0-4294967295).\n",
                Harness.error("-m conntrack --ctexpire 42949672956"));
        assertEquals("conntrack: Bad value for \"--ctdir\" option: \"FOO\"", Harness.error("-m conntrack --ctdir FOO"));
        assertEquals("conntrack: option \"--ctstate\" can only be used once.\n",
                Harness.error("-m conntrack --ctstate NEW --ctstate NEW"));
    }

    static Conn conn(int status) {
        Conn c = new Conn();
        c.ipVersion = 4;
        c.protocol = 6;
        c.origSrcLo = Xt.ipv4("10.0.0.1")[1];
        c.origDstLo = Xt.ipv4("192.0.2.1")[1];
        c.origSrcPort = 40000;
        c.origDstPort = 80;
        c.replySrcLo = Xt.ipv4("192.0.2.1")[1];
        c.replyDstLo = Xt.ipv4("203.0.113.5")[1];
        c.replySrcPort = 80;
        c.replyDstPort = 40000;
        c.status = status;
        c.expiresNanos = 120_000_000_000L;
        return c;
    }

    static Skb pkt(Conn c, int ctinfo) {
        Skb s = Packets.tcp(40000, 80, 0x10);
        s.conn = c;
        s.ctinfo = ctinfo;
        return s;
    }

    @Test
    void conntrackStateBitsFollowTheKernel() throws Exception {
        Matcher est = m("-m conntrack --ctstate ESTABLISHED,RELATED");
        assertTrue(est.matches(pkt(conn(0), 0)));
        assertTrue(est.matches(pkt(conn(0), 3)), "ESTABLISHED in reply direction");
        assertTrue(est.matches(pkt(conn(0), 1)));
        assertFalse(est.matches(pkt(conn(0), 2)), "NEW");
        Matcher inv = m("-m conntrack --ctstate INVALID");
        assertTrue(inv.matches(pkt(null, 0)));
        assertFalse(inv.matches(pkt(null, ConntrackMatch.IP_CT_UNTRACKED)));
        assertTrue(m("-m conntrack --ctstate UNTRACKED").matches(pkt(null, ConntrackMatch.IP_CT_UNTRACKED)));
        Matcher dnat = m("-m conntrack --ctstate DNAT");
        assertTrue(dnat.matches(pkt(conn(Conn.IPS_DST_NAT), 2)));
        assertFalse(dnat.matches(pkt(conn(Conn.IPS_SRC_NAT), 2)));
        assertFalse(m("-m conntrack ! --ctstate NEW").matches(pkt(conn(0), 2)));
        // without an entry, only --ctstate can match
        assertFalse(m("-m conntrack --ctproto tcp").matches(pkt(null, 0)));
        assertTrue(m("-m conntrack --ctstate INVALID --ctproto tcp").matches(pkt(null, 0)));
    }

    @Test
    void conntrackTupleStatusExpireDir() throws Exception {
        Conn c = conn(Conn.IPS_ASSURED | Conn.IPS_CONFIRMED | Conn.IPS_DST_NAT);
        assertTrue(m("-m conntrack --ctorigsrc 10.0.0.0/8 --ctrepldst 203.0.113.0/24 --ctproto tcp").matches(pkt(c, 0)));
        assertFalse(m("-m conntrack ! --ctorigsrc 10.0.0.0/8").matches(pkt(c, 0)));
        assertTrue(m("-m conntrack --ctorigsrc 10.0.0.99/8").matches(pkt(c, 0)), "host bits are masked by the kernel");
        assertTrue(m("-m conntrack --ctorigdstport 80 --ctreplsrcport 80 --ctorigsrcport 32768:").matches(pkt(c, 0)));
        assertFalse(m("-m conntrack ! --ctorigdstport 80").matches(pkt(c, 0)));
        assertTrue(m("-m conntrack --ctstatus ASSURED").matches(pkt(c, 0)));
        assertFalse(m("-m conntrack --ctstatus EXPECTED").matches(pkt(c, 0)));
        assertFalse(m("-m conntrack --ctstatus NONE").matches(pkt(c, 0)));
        assertTrue(m("-m conntrack ! --ctstatus NONE").matches(pkt(c, 0)));
        Skb at = pkt(c, 0);
        at.timeNanos = 100_500_000_000L; // 19.5 s left -> 19
        assertTrue(m("-m conntrack --ctexpire 10:19").matches(at));
        assertFalse(m("-m conntrack --ctexpire 20:30").matches(at));
        assertTrue(m("-m conntrack ! --ctexpire 20:30").matches(at));
        assertTrue(m("-m conntrack --ctdir ORIGINAL").matches(pkt(c, 0)));
        assertFalse(m("-m conntrack --ctdir ORIGINAL").matches(pkt(c, 3)));
        assertTrue(m("-m conntrack --ctdir REPLY").matches(pkt(c, 4)));
    }

    @Test
    void state() throws Exception {
        assertEquals("-m state --state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED",
                Harness.save("-m state --state UNTRACKED,ESTABLISHED,RELATED,NEW,INVALID"));
        assertEquals("! state NEW", Harness.list("-m state ! --state NEW", true));
        assertEquals("state RELATED,ESTABLISHED", Harness.list("-m state --state ESTABLISHED,RELATED", false));
        assertEquals("Bad state \"SNAT\"", Harness.error("-m state --state SNAT"));
        assertEquals("state: option \"--state\" must be specified\n", Harness.error("-m state"));
        assertEquals("state: option \"--state\" can only be used once.\n", Harness.error("-m state --state NEW --state NEW"));
        assertEquals("\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED",
                Harness.error("-m state --state new,"));
        Matcher m = m("-m state --state ESTABLISHED,RELATED");
        assertTrue(m.matches(pkt(conn(0), 0)));
        assertTrue(m.matches(pkt(conn(0), 4)));
        assertFalse(m.matches(pkt(conn(0), 2)));
        assertFalse(m.matches(pkt(null, 0)));
        assertTrue(m("-m state ! --state NEW").matches(pkt(null, 0)));
    }
}
