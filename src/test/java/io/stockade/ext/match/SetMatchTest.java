package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.rules.Family;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** set: sets from `ipset save` text (as ipset 7 prints it), save/-L/errors as iptables 1.8.9 (legacy), matching. */
class SetMatchTest {
    static final String SAVE = """
            create t_hosts hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x699fe040
            add t_hosts 10.0.0.1
            create t_np hash:net,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0xf05343df
            add t_np 10.0.0.0/24,tcp:80
            add t_np 10.1.0.0/16,udp:53
            create t_pp hash:ip,port,ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0xa283cf70
            add t_pp 1.2.3.4,tcp:80,5.6.7.8
            create t_bp bitmap:port range 0-1024
            add t_bp 22
            create t_n6 hash:net family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0xd93a852c
            add t_n6 2001:db8::/32
            create t_ls list:set size 8
            add t_ls t_hosts
            """;

    @BeforeAll
    static void load() throws Exception {
        IpSets.load(SAVE);
    }

    static Matcher m(String rule, Family f) throws Exception {
        return ((CompilableMatch) Harness.run(rule, f).specs().get(0)).compile(new TestState());
    }

    @Test
    void syntax() throws Exception {
        assertEquals("-m set --match-set t_hosts src", Harness.save("-m set --match-set t_hosts src"));
        String r = "-m set ! --match-set t_hosts src,dst --return-nomatch ! --update-counters ! --update-subcounters "
                + "--packets-gt 5 --bytes-lt 100";
        assertEquals(r, Harness.save(r));
        assertEquals("! match-set t_hosts src,dst return-nomatch ! update-counters ! update-subcounters packets-gt 5 bytes-lt 100",
                Harness.list(r, true));
        assertEquals("Set nope doesn't exist.\n", Harness.error("-m set --match-set nope src"));
        assertEquals("Can't be more src/dst options than 6.", Harness.error("-m set --match-set t_hosts src,dst,src,dst,src,dst,src"));
        assertEquals("You must spefify (the comma separated list of) 'src' or 'dst'.", Harness.error("-m set --match-set t_hosts src,foo"));
        assertEquals("only one of the --packets-[eq|lt|gt] is allowed",
                Harness.error("-m set --match-set t_hosts src --packets-eq 3 --packets-gt 3"));
    }

    @Test
    void matching() throws Exception {
        assertTrue(m("-m set --match-set t_hosts src", Family.IPV4).matches(Packets.udp(1, 2)));
        assertFalse(m("-m set --match-set t_hosts dst", Family.IPV4).matches(Packets.udp(1, 2)));
        assertTrue(m("-m set ! --match-set t_hosts dst", Family.IPV4).matches(Packets.udp(1, 2)));
        assertTrue(m("-m set --match-set t_ls src", Family.IPV4).matches(Packets.udp(1, 2)), "list:set member");
        Matcher np = m("-m set --match-set t_np dst,dst", Family.IPV4);
        assertTrue(np.matches(Packets.tcp(5000, 80, 2)), "10.0.0.2 in 10.0.0.0/24, tcp:80");
        assertFalse(np.matches(Packets.tcp(5000, 81, 2)));
        assertFalse(np.matches(Packets.ipv4(17, "10.0.0.1", "10.0.0.2", 5000, 80, new byte[8], null)), "udp:80 is not in the set");
        assertTrue(np.matches(Packets.ipv4(17, "10.0.0.1", "10.1.9.9", 5000, 53, new byte[8], null)));
        assertFalse(m("-m set --match-set t_np dst", Family.IPV4).matches(Packets.tcp(5000, 80, 2)),
                "fewer dimensions than the set: no match");
        assertTrue(m("-m set --match-set t_pp src,dst,dst", Family.IPV4)
                .matches(Packets.ipv4(6, "1.2.3.4", "5.6.7.8", 1, 80, Packets.tcpHeader(1, 80, 2), null)));
        assertTrue(m("-m set --match-set t_bp dst", Family.IPV4).matches(Packets.tcp(5000, 22, 2)));
        assertFalse(m("-m set --match-set t_n6 src", Family.IPV4).matches(Packets.udp(1, 2)), "family mismatch");
    }
}
