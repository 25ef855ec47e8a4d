package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** string and time: save/-L/errors as iptables 1.8.9 (legacy) prints them, and matching. */
class StringTimeMatchTest {
    static Matcher m(String rule) throws Exception {
        return (Matcher) Harness.run(rule, Family.IPV4).specs().get(0);
    }

    static Skb payload(String text) {
        return Packets.ipv4(17, "10.0.0.1", "10.0.0.2", 1, 2, new byte[8], text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Skb at(String instant) {
        Skb s = Packets.udp(1, 2);
        s.timeNanos = Instant.parse(instant).toEpochMilli() * 1_000_000L;
        return s;
    }

    @Test
    void stringSyntax() throws Exception {
        assertEquals("-m string --string \"test\" --algo bm", Harness.save("-m string --algo bm --string \"test\""));
        String r = "-m string --string \"a b\\\"c\" --algo kmp --from 10 --to 100 --icase";
        assertEquals(r, Harness.save(r));
        assertEquals("STRING match  \"a b\\\"c\" ALGO name kmp FROM 10 TO 100 ICASE", Harness.list(r, true));
        assertEquals("-m string ! --hex-string \"|0a0b787941|\" --algo bm",
                Harness.save("-m string ! --hex-string \"|0a0b|xy|41|\" --algo bm"));
        assertEquals("STRING match ! \"|0a0b787941|\" ALGO name bm",
                Harness.list("-m string ! --hex-string \"|0a0b|xy|41|\" --algo bm", true));
        assertEquals("STRING match: You must specify `--string' or `--hex-string'", Harness.error("-m string --algo bm"));
        assertEquals("string: option \"--algo\" must be specified\n", Harness.error("-m string --string x"));
        assertEquals("Invalid hex char 'g'", Harness.error("-m string --hex-string \"|0g|\" --algo bm"));
        assertEquals(Xt.EINVAL, Harness.error("-m string --string x --algo bm --from 100 --to 10"));
        assertEquals("No chain/target/match by that name.", Harness.error("-m string --algo wrong --string x"));
    }

    @Test
    void stringMatching() throws Exception {
        Matcher get = m("-m string --string \"GET /\" --algo bm");
        assertTrue(get.matches(payload("xxGET /index.html")));
        assertFalse(get.matches(payload("get /index.html")));
        assertTrue(m("-m string --string \"GET /\" --algo kmp --icase").matches(payload("get /index.html")));
        // from/to count from the IP header: 20 IP + 8 UDP bytes before the payload
        assertTrue(m("-m string --string \"GET\" --algo bm --from 30").matches(payload("xxGET")));
        assertFalse(m("-m string --string \"GET\" --algo bm --from 31").matches(payload("xxGET")));
        assertFalse(m("-m string --string \"GET\" --algo bm --to 32").matches(payload("xxGET")), "must end before --to");
        assertTrue(m("-m string --string \"GET\" --algo bm --to 33").matches(payload("xxGET")));
        assertTrue(m("-m string --hex-string \"|40 11|\" --algo bm").matches(payload("")), "TTL and protocol bytes of the IP header");
        assertTrue(m("-m string ! --string \"zz\" --algo bm").matches(payload("xxGET")));
    }

    @Test
    void timeSyntax() throws Exception {
        String r = "-m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun "
                + "--datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz";
        assertEquals(r, Harness.save(r));
        assertEquals("TIME from 01:02:03 to 04:05:06 on Mon,Fri,Sun on 1st,2nd,3rd,4th,5th starting from "
                + "2001-02-03 04:05:06 until date 2012-09-08 09:06:05", Harness.list(r, true));
        assertEquals("-m time --timestart 08:00:00 --timestop 17:00:00 --weekdays Mon,Tue,Wed,Thu,Fri --datestop 2038-01-19T03:14:07",
                Harness.save("-m time --timestart 8:00 --timestop 17:00 ! --weekdays Sat,Sun --utc"));
        assertEquals("TIME on Mon,Sun on 1st,2nd,3rd,4th,5th,6th,7th,8th,9th,10th,11st,12nd,13rd,14th,15th,16th,17th,18th,"
                + "19th,20th,21st,22nd,23rd,24th,25th,26th,27th,28th,29th,30th UTC",
                Harness.list("-m time --weekdays 1,7 ! --monthdays 31", true));
        assertEquals("-m time --datestart 2020-01-01T00:00:00 --datestop 2038-01-19T03:14:07", Harness.save("-m time --datestart 2020"));
        assertEquals("invalid time \"25:00\" specified, should be hh:mm[:ss] format and within the boundaries",
                Harness.error("-m time --timestart 25:00"));
        assertEquals("Foo is not a valid day specifier", Harness.error("-m time --weekdays Foo"));
        assertEquals(Xt.EINVAL, Harness.error("-m time --timestart 01:00 --timestop 02:00 --contiguous"));
    }

    @Test
    void timeMatching() throws Exception {
        Matcher office = m("-m time --timestart 08:00 --timestop 17:00 --weekdays Mon,Tue,Wed,Thu,Fri");
        assertTrue(office.matches(at("2026-11-23T09:30:00Z")), "a Monday morning");
        assertFalse(office.matches(at("2026-11-22T09:30:00Z")), "a Sunday");
        assertFalse(office.matches(at("2026-11-23T17:00:01Z")));
        assertTrue(office.matches(at("2026-11-23T17:00:00Z")), "timestop is inclusive");
        Matcher night = m("-m time --timestart 22:00 --timestop 06:00 --weekdays Fri --contiguous");
        assertTrue(night.matches(at("2026-11-27T23:00:00Z")), "Friday 23:00");
        assertTrue(night.matches(at("2026-11-28T05:00:00Z")), "Saturday 05:00 belongs to Friday's night");
        assertFalse(night.matches(at("2026-11-27T05:00:00Z")), "Friday 05:00 belongs to Thursday's night");
        Matcher days = m("-m time --monthdays 29 --datestart 2024-01-01 --datestop 2024-12-31");
        assertTrue(days.matches(at("2024-02-29T12:00:00Z")));
        assertFalse(days.matches(at("2025-03-29T12:00:00Z")), "after --datestop");
        assertFalse(days.matches(at("2024-03-28T12:00:00Z")));
    }
}
