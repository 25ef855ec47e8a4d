package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/** icmp and icmp6: names, save, -L (as iptables 1.8.9 legacy prints them), errors and matching. */
class IcmpMatchTest {
    static Matcher m(String rule, Family f) throws Exception {
        var r = Harness.run(rule, f);
        return (Matcher) r.specs().get(r.specs().size() - 1);
    }

    @Test
    void icmpNamesAndForms() throws Exception {
        assertEquals("-p icmp -m icmp --icmp-type 8", Harness.save("-p icmp --icmp-type echo-req"));
        assertEquals("-p icmp -m icmp --icmp-type 8", Harness.save("-p icmp --icmp-type PING"));
        assertEquals("-p icmp -m icmp --icmp-type 3/1", Harness.save("-p icmp --icmp-type host-unreach"));
        assertEquals("-p icmp -m icmp ! --icmp-type 3/4", Harness.save("-p icmp ! --icmp-type 3/4"));
        assertEquals("-p icmp -m icmp --icmp-type any", Harness.save("-p icmp --icmp-type 255/0:255"));
        assertEquals("icmp echo-request", Harness.list("-p icmp --icmp-type 8", false));
        assertEquals("icmptype 8", Harness.list("-p icmp --icmp-type 8", true));
        assertEquals("icmp !fragmentation-needed", Harness.list("-p icmp ! --icmp-type 3/4", false));
        assertEquals("icmp !type 3 code 4", Harness.list("-p icmp ! --icmp-type 3/4", true));
        assertEquals("icmptype 99 code 3", Harness.list("-p icmp --icmp-type 99/3", false));
        assertEquals("icmptype 3 codes 0-5", Harness.list("-p icmp --icmp-type 3/0:5", false));
        assertEquals("icmp any", Harness.list("-p icmp --icmp-type any", false));
        assertEquals("icmptype 255", Harness.list("-p icmp --icmp-type any", true));
    }

    @Test
    void icmpErrors() {
        assertEquals("Unknown ICMP type `foo'", Harness.error("-p icmp --icmp-type foo"));
        assertEquals("Ambiguous ICMP type `ec': `echo-reply' or `echo-request'?", Harness.error("-p icmp --icmp-type ec"));
        assertEquals("Unknown ICMP code `3/256'", Harness.error("-p icmp --icmp-type 3/256"));
        assertEquals("Unknown ICMP code `3/a'", Harness.error("-p icmp --icmp-type 3/a"));
        assertEquals("Unknown ICMP type `256'", Harness.error("-p icmp --icmp-type 256"));
        assertEquals("unknown character /", Harness.error("-p icmp --icmp-type 3/4/5"));
        assertEquals("icmp: option \"--icmp-type\" can only be used once.\n",
                Harness.error("-p icmp --icmp-type 3 --icmp-type 4"));
        assertEquals(Xt.EINVAL, Harness.error("-m icmp --icmp-type 8"));
    }

    @Test
    void icmpMatching() throws Exception {
        Matcher ping = m("-p icmp --icmp-type echo-request", Family.IPV4);
        assertTrue(ping.matches(Packets.icmp(8, 0)));
        assertFalse(ping.matches(Packets.icmp(0, 0)));
        Matcher fragNeeded = m("-p icmp ! --icmp-type fragmentation-needed", Family.IPV4);
        assertFalse(fragNeeded.matches(Packets.icmp(3, 4)));
        assertTrue(fragNeeded.matches(Packets.icmp(3, 3)));
        Matcher any = m("-p icmp --icmp-type 255/255", Family.IPV4);
        assertTrue(any.matches(Packets.icmp(8, 0)), "type 255 matches every ICMP type in the kernel");
        Skb cut = Packets.ipv4(1, "1.1.1.1", "2.2.2.2", 0, 0, new byte[] {8, 0, 0, 0}, null);
        assertFalse(ping.matches(cut));
        assertTrue(ping.hotdrop(cut));
    }

    @Test
    void icmp6() throws Exception {
        assertEquals("-p ipv6-icmp -m icmp6 ! --icmpv6-type 128", Harness.save6("-p ipv6-icmp -m icmp6 ! --icmpv6-type echo-request"));
        assertEquals("-p ipv6-icmp -m icmp6 --icmpv6-type 132", Harness.save6("-p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-reduction"));
        assertEquals("Unknown ICMPv6 type `foo'", Harness.error("-p ipv6-icmp -m icmp6 --icmpv6-type foo", Family.IPV6));
        assertEquals("Unknown ICMPv6 code `1/256'", Harness.error("-p ipv6-icmp -m icmp6 --icmpv6-type 1/256", Family.IPV6));
        assertEquals("icmp6: option \"--icmpv6-type\" must be specified\n", Harness.error("-p ipv6-icmp -m icmp6", Family.IPV6));
        assertEquals("Ambiguous ICMPv6 type `ne': `neighbour-solicitation' or `neighbor-solicitation'?",
                Harness.error("-p ipv6-icmp -m icmp6 --icmpv6-type ne", Family.IPV6));
        assertEquals(Xt.EINVAL, Harness.error("-m icmp6 --icmpv6-type 2", Family.IPV6));
        var r = Harness.run("-p ipv6-icmp -m icmp6 --icmpv6-type 1/0", Family.IPV6);
        StringBuilder sb = new StringBuilder();
        r.specs().get(0).print(sb, false);
        assertEquals("ipv6-icmp no-route", sb.toString());
        sb.setLength(0);
        r.specs().get(0).print(sb, true);
        assertEquals("ipv6-icmptype 1 code 0", sb.toString());
        Matcher m = (Matcher) r.specs().get(0);
        Skb s = Packets.ipv4(58, "1.1.1.1", "2.2.2.2", 0, 0, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, null);
        s.pd.ipVersion = 6;
        assertTrue(m.matches(s));
        s.pd.icmpCode = 1;
        assertFalse(m.matches(s));
    }
}
