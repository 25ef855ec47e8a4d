package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.Conn;
import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/** connlimit: save/-L/errors as iptables 1.8.9 (legacy) prints them; per-rule connection lists. */
class ConnlimitMatchTest {
    static Matcher compile(String rule) throws Exception {
        var r = Harness.run(rule, Family.IPV4);
        return ((CompilableMatch) r.specs().get(0)).compile(new TestState());
    }

    static Skb syn(String src, int sport, Conn c) {
        Skb s = Packets.ipv4(6, src, "10.0.0.2", sport, 22, Packets.tcpHeader(sport, 22, 2), null);
        s.conn = c;
        s.ctinfo = 2;
        s.timeNanos = 1_000_000_000L;
        return s;
    }

    static Conn conn() {
        Conn c = new Conn();
        c.protocol = 6;
        c.l4State = 1;
        c.expiresNanos = 100_000_000_000L;
        return c;
    }

    @Test
    void syntax() throws Exception {
        assertEquals("-m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr",
                Harness.save("-m connlimit --connlimit-above 10"));
        assertEquals("-m connlimit --connlimit-above 5 --connlimit-mask 24 --connlimit-daddr",
                Harness.save("-m connlimit ! --connlimit-upto 5 --connlimit-mask 24 --connlimit-daddr"));
        assertEquals("-m connlimit --connlimit-upto 3 --connlimit-mask 32 --connlimit-saddr",
                Harness.save("-m connlimit ! --connlimit-above 3"));
        assertEquals("#conn dst/24 > 5", Harness.list("-m connlimit --connlimit-above 5 --connlimit-mask 24 --connlimit-daddr", true));
        assertEquals("#conn src/32 <= 3", Harness.list("-m connlimit --connlimit-upto 3", false));
        assertEquals("-m connlimit --connlimit-above 10 --connlimit-mask 64 --connlimit-saddr",
                Harness.save6("-m connlimit --connlimit-above 10 --connlimit-mask 64"));
        assertEquals("connlimit: option \"--connlimit-saddr\" cannot be used together with \"--connlimit-daddr\".\n",
                Harness.error("-m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr"));
        assertEquals("You must specify \"--connlimit-above\" or \"--connlimit-upto\".", Harness.error("-m connlimit"));
        assertEquals("connlimit: option \"--connlimit-upto\" cannot be used together with \"--connlimit-above\".\n",
                Harness.error("-m connlimit --connlimit-upto 1 --connlimit-above 1"));
    }

    @Test
    void countsConnectionsPerPrefix() throws Exception {
        Matcher m = compile("-m connlimit --connlimit-above 2 --connlimit-mask 24");
        Conn a = conn();
        Conn b = conn();
        Conn c = conn();
        assertFalse(m.matches(syn("192.0.2.1", 1000, a)));
        assertFalse(m.matches(syn("192.0.2.1", 1000, a)), "the same connection counts once");
        assertFalse(m.matches(syn("192.0.2.7", 1001, b)));
        assertTrue(m.matches(syn("192.0.2.9", 1002, c)), "third connection from the /24 is above 2");
        assertFalse(m.matches(syn("198.51.100.1", 1003, conn())), "another prefix");
        // a connection that closed (TCP TIME_WAIT) or left the table no longer counts
        a.l4State = ConnlimitMatch.TCP_TIME_WAIT;
        assertFalse(m.matches(syn("192.0.2.9", 1002, c)));
        b.status |= Conn.IPS_DYING;
        Conn d = conn();
        assertFalse(m.matches(syn("192.0.2.3", 1004, d)));
        Conn e = conn();
        e.expiresNanos = 0;
        assertTrue(m.matches(syn("192.0.2.3", 1005, e)), "c, d and e: three");
    }

    @Test
    void uptoAndUntracked() throws Exception {
        Matcher upto = compile("-m connlimit --connlimit-upto 1");
        assertTrue(upto.matches(syn("192.0.2.1", 1, conn())));
        assertFalse(upto.matches(syn("192.0.2.1", 2, conn())));
        Matcher above0 = compile("-m connlimit --connlimit-above 0");
        assertTrue(above0.matches(syn("192.0.2.1", 3, null)), "a packet without an entry counts as one");
    }
}
