package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/** hashlimit: save/-L/errors as iptables 1.8.9 (legacy) prints them; per-key buckets on packet time. */
class HashlimitMatchTest {
    static Matcher compile(String rule, TestState st) throws Exception {
        var r = Harness.run(rule, Family.IPV4);
        return ((CompilableMatch) r.specs().get(0)).compile(st);
    }

    static Skb from(String src, double t) {
        Skb s = Packets.ipv4(17, src, "10.0.0.2", 1000, 53, new byte[8], null);
        s.timeNanos = (long) (t * 1e9);
        return s;
    }

    @Test
    void syntax() throws Exception {
        assertEquals("-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name a",
                Harness.save("-m hashlimit --hashlimit 1/sec --hashlimit-name a"));
        String big = "-m hashlimit --hashlimit-above 10/min --hashlimit-burst 7 --hashlimit-mode srcip,dstport "
                + "--hashlimit-name b --hashlimit-srcmask 24 --hashlimit-dstmask 16 --hashlimit-htable-size 1024 "
                + "--hashlimit-htable-max 2048 --hashlimit-htable-expire 5000 --hashlimit-htable-gcinterval 2000";
        assertEquals("-m hashlimit --hashlimit-above 10/min --hashlimit-burst 7 --hashlimit-mode srcip,dstport "
                + "--hashlimit-name b --hashlimit-htable-size 1024 --hashlimit-htable-max 2048 "
                + "--hashlimit-htable-gcinterval 2000 --hashlimit-htable-expire 5000 --hashlimit-srcmask 24 "
                + "--hashlimit-dstmask 16", Harness.save(big));
        assertEquals("limit: above 10/min burst 7 mode srcip-dstport htable-size 1024 htable-max 2048 "
                + "htable-gcinterval 2000 htable-expire 5000 srcmask 24 dstmask 16", Harness.list(big, true));
        assertEquals("-m hashlimit --hashlimit-upto 3/hour --hashlimit-burst 5 --hashlimit-mode srcip,srcport,dstip,dstport --hashlimit-name x",
                Harness.save("-m hashlimit --hashlimit-upto 3/hour --hashlimit-mode dstip,srcport,dstport,srcip --hashlimit-name x"));
        assertEquals("-m hashlimit --hashlimit-upto 1008b/s --hashlimit-name a",
                Harness.save("-m hashlimit --hashlimit-upto 1023b/s --hashlimit-name a"));
        assertEquals("-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1024 --hashlimit-name a",
                Harness.save("-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1kb --hashlimit-name a"));
        assertEquals("limit: up to 4/sec burst 20 mode srcip rate-match rate-interval 10",
                Harness.list("-m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip "
                        + "--hashlimit-name rate3 --hashlimit-rate-match --hashlimit-rate-interval 10", true));
        assertEquals("limit: up to 40mb/s mode srcip rate-match", Harness.list(
                "-m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate2 --hashlimit-rate-match", true));
        assertEquals("hashlimit: Bad value for \"--hashlimit-mode\" option: \"foo\"",
                Harness.error("-m hashlimit --hashlimit-upto 3/hour --hashlimit-mode foo --hashlimit-name x"));
        assertEquals("burst cannot be smaller than 96b",
                Harness.error("-m hashlimit --hashlimit-upto 96b/s --hashlimit-burst 5 --hashlimit-name mini1"));
        assertEquals(Xt.EINVAL, Harness.error("-m hashlimit --hashlimit-upto 1/sec --hashlimit-name m --hashlimit-srcmask 33"));
        assertEquals("bad value for option \"--hashlimit-burst\", or out of range (1-1000000).",
                Harness.error("-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 0 --hashlimit-name a"));
        assertEquals("Rate too fast \"2000000/sec\"", Harness.error("-m hashlimit --hashlimit-upto 2000000/sec --hashlimit-name a"));
        assertEquals("hashlimit: option \"--hashlimit-name\" must be specified\n", Harness.error("-m hashlimit --hashlimit-upto 1/sec"));
        assertEquals("You have to specify --hashlimit", Harness.error("-m hashlimit --hashlimit-name a"));
        assertEquals("hashlimit: option \"--hashlimit-upto\" cannot be used together with \"--hashlimit-above\".\n",
                Harness.error("-m hashlimit --hashlimit-upto 1/sec --hashlimit-above 1/sec --hashlimit-name a"));
        assertEquals(Xt.EINVAL, Harness.error("-m hashlimit --hashlimit-upto 7/sec --hashlimit-name a --hashlimit-htable-expire 0"));
    }

    @Test
    void perSourceBuckets() throws Exception {
        TestState st = new TestState();
        Matcher m = compile("-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2 --hashlimit-mode srcip "
                + "--hashlimit-name h --hashlimit-htable-expire 5000", st);
        assertTrue(m.matches(from("10.0.0.1", 1.0)));
        assertTrue(m.matches(from("10.0.0.1", 1.0)));
        assertFalse(m.matches(from("10.0.0.1", 1.0)), "burst of 2 used up");
        assertTrue(m.matches(from("10.0.0.9", 1.0)), "another source has its own bucket");
        assertTrue(m.matches(from("10.0.0.1", 2.0)), "one token per second");
        assertFalse(m.matches(from("10.0.0.1", 2.5)));
        HashlimitTable t = (HashlimitTable) st.objects.get(HashlimitTable.KEY_PREFIX + "4:h");
        assertEquals(2, t.count());
        StringBuilder proc = new StringBuilder();
        t.render(proc, 2_500_000_000L);
        assertTrue(proc.toString().contains("10.0.0.1:0->0.0.0.0:0"), proc.toString());
        // idle keys expire (5 s) and the gc (every second of packet time) removes them
        m.matches(from("10.0.0.5", 10.0));
        m.matches(from("10.0.0.5", 12.0));
        assertEquals(1, t.count());
        // with the default expire of one rate unit (1 s), an idle key comes back with a full bucket
        Matcher d = compile("-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-name d", st);
        assertTrue(d.matches(from("10.0.0.1", 1.0)));
        assertFalse(d.matches(from("10.0.0.1", 1.5)));
        assertTrue(d.matches(from("10.0.0.1", 3.0)));
    }

    @Test
    void aboveAndMaskAndFullTable() throws Exception {
        TestState st = new TestState();
        Matcher above = compile("-m hashlimit --hashlimit-above 1/min --hashlimit-burst 1 --hashlimit-mode srcip "
                + "--hashlimit-srcmask 24 --hashlimit-name a --hashlimit-htable-max 2 --hashlimit-htable-size 2", st);
        assertFalse(above.matches(from("10.0.1.1", 1)));
        assertTrue(above.matches(from("10.0.1.2", 1)), "same /24, over the limit");
        assertFalse(above.matches(from("10.0.2.1", 1)));
        Skb third = from("10.0.3.1", 1);
        assertFalse(above.matches(third));
        assertTrue(above.hotdrop(third), "no room for a third key: the kernel hot-drops");
        assertFalse(above.hotdrop(from("10.0.1.7", 1)));
    }

    @Test
    void byteMode() throws Exception {
        TestState st = new TestState();
        // 4 kB/s with a 8 kB burst: 1500-byte packets, about 5 pass at once
        Matcher m = compile("-m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 8kb --hashlimit-name bytes", st);
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            Skb s = from("10.0.0.1", 5.0);
            s.pd.ipTotalLength = 1500;
            passed += m.matches(s) ? 1 : 0;
        }
        assertTrue(passed >= 4 && passed <= 9, "passed " + passed);
    }
}
