package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import org.junit.jupiter.api.Test;

/** limit and recent: save/-L/errors as iptables 1.8.9 (legacy) prints them; buckets and lists on packet time. */
class LimitRecentMatchTest {
    static MatchSpec spec(String rule) throws Exception {
        var r = Harness.run(rule, Family.IPV4);
        return r.specs().get(r.specs().size() - 1);
    }

    static Matcher compile(String rule, TestState st) throws Exception {
        return ((CompilableMatch) spec(rule)).compile(st);
    }

    static Skb at(Skb s, double seconds) {
        s.timeNanos = (long) (seconds * 1e9);
        return s;
    }

    @Test
    void limitSyntax() throws Exception {
        assertEquals("-m limit --limit 3/hour", Harness.save("-m limit"));
        assertEquals("-m limit --limit 7/min --limit-burst 10", Harness.save("-m limit --limit 7/minute --limit-burst 10"));
        assertEquals("-m limit --limit 3/hour", Harness.save("-m limit --limit 3/h"));
        assertEquals("-m limit --limit 2/day", Harness.save("-m limit --limit 2/d"));
        assertEquals("-m limit --limit 400/min", Harness.save("-m limit --limit 400/min"));
        assertEquals("-m limit --limit 333/sec", Harness.save("-m limit --limit 333/sec"));
        assertEquals("limit: avg 7/min burst 10", Harness.list("-m limit --limit 7/minute --limit-burst 10", true));
        assertEquals("bad rate \"0/sec\"'", Harness.error("-m limit --limit 0/sec"));
        assertEquals("bad rate \"5/foo\"'", Harness.error("-m limit --limit 5/foo"));
        assertEquals("Rate too fast \"20000/sec\"", Harness.error("-m limit --limit 20000/sec"));
        assertEquals("limit: bad value for option \"--limit-burst\", or out of range (0-10000).\n",
                Harness.error("-m limit --limit-burst 10001"));
        assertEquals("Numerical result out of range.", Harness.error("-m limit --limit-burst 0"));
        assertEquals("Numerical result out of range.", Harness.error("-m limit --limit 1/day --limit-burst 10000"));
    }

    @Test
    void limitTokenBucket() throws Exception {
        Matcher m = compile("-m limit --limit 1/sec --limit-burst 3", new TestState());
        Skb p = Packets.udp(1, 2);
        // a full bucket of 3, then one per second
        assertTrue(m.matches(at(p, 10.0)));
        assertTrue(m.matches(at(p, 10.0)));
        assertTrue(m.matches(at(p, 10.0)));
        assertFalse(m.matches(at(p, 10.0)));
        assertFalse(m.matches(at(p, 10.5)));
        assertTrue(m.matches(at(p, 11.0)));
        assertFalse(m.matches(at(p, 11.2)));
        // a long pause refills to the burst only
        int n = 0;
        for (int i = 0; i < 10; i++) {
            n += m.matches(at(p, 100.0)) ? 1 : 0;
        }
        assertEquals(3, n);
        // a new compile (ruleset commit) starts a new full bucket, as the kernel's checkentry does
        Matcher fresh = compile("-m limit --limit 1/sec --limit-burst 3", new TestState());
        assertTrue(fresh.matches(at(p, 100.0)));
    }

    @Test
    void limitCreditArithmeticIsTheKernels() {
        // HZ=250 -> CREDITS_PER_JIFFY 128; 1/sec: avg 10000 -> cost = 10000*250*128/10000
        assertEquals(128, LimitMatch.CREDITS_PER_JIFFY);
        assertEquals(250 * 128, LimitMatch.user2credits(10000));
        // 7/min: avg 85714 (integer division), cost = 85714*32000/10000 = 274284
        assertEquals(85714, LimitMatch.SCALE * 60 / 7);
        assertEquals(274284, LimitMatch.user2credits(85714));
    }

    @Test
    void recentSyntax() throws Exception {
        assertEquals("-m recent --set --name DEFAULT --mask 255.255.255.255 --rsource", Harness.save("-m recent --set"));
        String r = "-m recent --name foo --rcheck --seconds 60 --reap --hitcount 3 --rttl --rdest --mask 255.255.255.0";
        assertEquals("-m recent --rcheck --seconds 60 --reap --hitcount 3 --rttl --name foo --mask 255.255.255.0 --rdest",
                Harness.save(r));
        assertEquals("recent: CHECK seconds: 60 reap hit_count: 3 TTL-Match name: foo side: dest mask: 255.255.255.0",
                Harness.list(r, true));
        assertEquals("! recent: UPDATE seconds: 10 name: DEFAULT side: source mask: 255.255.255.255",
                Harness.list("-m recent ! --update --seconds 10", true));
        assertEquals("-m recent --rcheck --name DEFAULT --mask 255.255.255.255 --rdest",
                Harness.save("-m recent --rcheck --rsource --rdest"));
        assertEquals("-m recent --set --name DEFAULT --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource",
                Harness.save6("-m recent --set"));
        assertEquals("recent: option \"--set\" cannot be used together with \"--rcheck\".\n",
                Harness.error("-m recent --set --rcheck"));
        assertEquals("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'",
                Harness.error("-m recent --seconds 10"));
        assertEquals("recent: option \"--reap\" also requires \"--seconds\".\n", Harness.error("-m recent --rcheck --reap"));
        assertEquals("recent: option \"--rttl\" cannot be used together with \"--set\".\n", Harness.error("-m recent --set --rttl"));
        assertEquals(Xt.EINVAL, Harness.error("-m recent --set --seconds 5"));
        assertEquals(Xt.EINVAL, Harness.error("-m recent --rcheck --hitcount 65536"));
        assertEquals("-m recent --rcheck --hitcount 348 --name DEFAULT --mask 255.255.255.255 --rsource",
                Harness.save("-m recent --rcheck --hitcount 348"));
        assertEquals(Xt.EINVAL, Harness.error("-m recent --set --name a/b"));
    }

    @Test
    void recentSshBruteForcePattern() throws Exception {
        TestState st = new TestState();
        Matcher set = compile("-m recent --set --name SSH", st);
        Matcher upd = compile("-m recent --update --seconds 60 --hitcount 4 --name SSH", st);
        Skb p = Packets.tcp(40000, 22, 2);
        int blocked = 0;
        for (int i = 0; i < 6; i++) {
            at(p, 100 + i);
            set.matches(p);
            if (upd.matches(p)) {
                blocked++;
            }
        }
        assertEquals(3, blocked, "the 4th, 5th and 6th SYN within 60 s are over the hit count");
        RecentTable t = (RecentTable) st.objects.get(RecentTable.KEY_PREFIX + "SSH");
        assertEquals(1, t.size());
        StringBuilder proc = new StringBuilder();
        t.render(proc);
        // 6 --set and 3 --update stamps in jiffies (HZ 250): 25000, 25000, 25250, 25250, 25500, 25500+...
        assertTrue(proc.toString().startsWith("src=10.0.0.1 ttl: 64 last_seen: 26250 oldest_pkt: 9 25000, 25250, 25500, 25750, 25750"),
                proc.toString());
        // after 60 s without packets the entry no longer counts
        assertFalse(upd.matches(at(p, 200)));
    }

    @Test
    void recentRemoveRdestMaskAndTtl() throws Exception {
        TestState st = new TestState();
        Matcher set = compile("-m recent --set --name L --rdest --mask 255.255.255.0", st);
        Matcher check = compile("-m recent --rcheck --name L --rdest", st);
        Matcher rm = compile("-m recent --remove --name L --rdest", st);
        Skb p = Packets.ipv4(17, "10.0.0.1", "192.0.2.77", 1, 2, new byte[8], null);
        assertFalse(check.matches(at(p, 1)));
        assertTrue(set.matches(p));
        Skb q = Packets.ipv4(17, "10.9.9.9", "192.0.2.5", 1, 2, new byte[8], null);
        assertTrue(check.matches(at(q, 2)), "the list's /24 mask (from the creating rule) applies");
        assertTrue(rm.matches(q));
        assertFalse(check.matches(q));
        assertFalse(rm.matches(q), "remove of an absent address does not match");

        Matcher setTtl = compile("-m recent --set --name T", st);
        Matcher ttl = compile("-m recent --rcheck --rttl --name T", st);
        Skb a = Packets.udp(1, 2);
        setTtl.matches(at(a, 1));
        assertTrue(ttl.matches(a));
        a.pd.ttl = 63;
        assertFalse(ttl.matches(a), "--rttl needs the same TTL");
        assertNull(spec("-m recent --rcheck --rttl --name T").check(null));
    }

    @Test
    void recentListEvictsLeastRecentlyUsed() throws Exception {
        TestState st = new TestState();
        Matcher set = compile("-m recent --set --name E", st);
        RecentTable t = (RecentTable) st.objects.get(RecentTable.KEY_PREFIX + "E");
        for (int i = 0; i < 150; i++) {
            Skb s = Packets.ipv4(17, "10.1." + (i / 256) + "." + (i % 256), "10.0.0.2", 1, 2, new byte[8], null);
            set.matches(at(s, i));
        }
        assertEquals(RecentTable.ipListTot, t.size());
        assertTrue(t.procWrite("-10.1.0.149", 0));
        assertEquals(99, t.size());
        assertTrue(t.procWrite("/", 0));
        assertEquals(0, t.size());
        assertFalse(t.procWrite("x", 0));
    }
}
