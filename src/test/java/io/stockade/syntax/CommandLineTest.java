package io.stockade.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The iptables command line against what iptables 1.8.9 (nf_tables) printed for the same
 * commands in a network namespace on this machine (expected texts written from those runs).
 */
class CommandLineTest {

    @Test
    void addressListsExpandSourceOuterDestinationInner() {
        Cli c = new Cli();
        assertEquals(0, c.ipt("-A INPUT -s 10.0.0.1,10.0.0.2 -d 1.2.3.0/255.255.255.0,5.6.7.8 -p tcp -j ACCEPT").rc());
        assertEquals("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -s 10.0.0.1/32 -d 1.2.3.0/24 -p tcp -j ACCEPT
                -A INPUT -s 10.0.0.1/32 -d 5.6.7.8/32 -p tcp -j ACCEPT
                -A INPUT -s 10.0.0.2/32 -d 1.2.3.0/24 -p tcp -j ACCEPT
                -A INPUT -s 10.0.0.2/32 -d 5.6.7.8/32 -p tcp -j ACCEPT
                COMMIT
                """, c.save("iptables-save"));
    }

    @Test
    void insertOfSeveralAddressesReversesThem() {
        Cli c = new Cli();
        c.ipt("-I INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4");
        assertEquals("""
                -P INPUT ACCEPT
                -A INPUT -s 2.2.2.2/32 -d 4.4.4.4/32
                -A INPUT -s 2.2.2.2/32 -d 3.3.3.3/32
                -A INPUT -s 1.1.1.1/32 -d 4.4.4.4/32
                -A INPUT -s 1.1.1.1/32 -d 3.3.3.3/32
                """, c.ipt("-S INPUT").out());
    }

    @Test
    void userChainsAreListedSortedAndCountReferences() {
        Cli c = new Cli();
        c.ipt("-N zeta");
        c.ipt("-N alpha");
        c.ipt("-N Mid");
        c.ipt("-A zeta -j alpha");
        assertEquals("""
                -P INPUT ACCEPT
                -P FORWARD ACCEPT
                -P OUTPUT ACCEPT
                -N Mid
                -N alpha
                -N zeta
                -A zeta -j alpha
                """, c.ipt("-S").out());
        String l = c.ipt("-L").out();
        assertTrue(l.contains("Chain Mid (0 references)\n"), l);
        assertTrue(l.contains("Chain alpha (1 references)\n"), l);
    }

    @Test
    void listingColumnsAndCounters() {
        Cli c = new Cli();
        c.ipt("-N foo");
        c.ipt("-A FORWARD -i eth+ ! -o lo -f -j foo");
        c.ipt("-A FORWARD ! -f -s 1.2.3.4/255.0.255.0 -c 123456789 99999999999");
        c.ipt("-A OUTPUT -m comment --comment x");
        String v = c.ipt("-L -v").out();
        assertEquals("""
                Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
                 pkts bytes target     prot opt in     out     source               destination

                Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
                 pkts bytes target     prot opt in     out     source               destination
                    0     0 foo        all  -f  eth+   !lo     anywhere             anywhere
                 123M  100G            all  !f  any    any     1.0.3.0/255.0.255.0  anywhere

                Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
                 pkts bytes target     prot opt in     out     source               destination
                    0     0            all  --  any    any     anywhere             anywhere             /* x */

                Chain foo (1 references)
                 pkts bytes target     prot opt in     out     source               destination
                """, stripTrailing(v));
        // the real header and rule lines keep printf's padding at the end of the line
        assertTrue(v.contains(" source               destination         \n"), v);
        assertTrue(v.contains(" anywhere             anywhere            \n"), v);
        assertEquals("""
                Chain FORWARD (policy ACCEPT)
                target     prot opt source               destination
                foo        0    -f  0.0.0.0/0            0.0.0.0/0
                           0    !f  1.0.3.0/255.0.255.0  0.0.0.0/0
                """, stripTrailing(c.ipt("-nL FORWARD").out()));
        assertEquals("""
                Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
                num      pkts      bytes target     prot opt in     out     source               destination
                1           0        0 foo        0    -f  eth+   !lo     0.0.0.0/0            0.0.0.0/0
                2    123456789 99999999999            0    !f  *      *       1.0.3.0/255.0.255.0  0.0.0.0/0
                """, stripTrailing(c.ipt("-nvxL FORWARD --line-numbers").out()));
    }

    static String stripTrailing(String s) {
        StringBuilder sb = new StringBuilder();
        for (String l : s.split("\n", -1)) {
            sb.append(l.stripTrailing()).append('\n');
        }
        return sb.substring(0, sb.length() - 1);
    }

    @Test
    void errorsAreWordedAsIptables() {
        Cli c = new Cli();
        assertErr(c.ipt("-A INPUT --dport 22"), 2, "iptables v1.8.9 (nf_tables): unknown option \"--dport\"\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-A INPUT -m foo"), 2, "iptables v1.8.9 (nf_tables): Couldn't load match `foo':No such file or directory\n\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-A INPUT -j foo"), 2, "iptables v1.8.9 (nf_tables): Chain 'foo' does not exist\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-A nochain -j ACCEPT"), 1, "iptables: No chain/target/match by that name.\n");
        assertErr(c.ipt("-D INPUT -j ACCEPT"), 1, "iptables: Bad rule (does a matching rule exist in that chain?).\n");
        assertErr(c.ipt("-D INPUT 5"), 1, "iptables: Index of deletion too big.\n");
        assertErr(c.ipt("-I INPUT 5 -j ACCEPT"), 1, "iptables: Index of insertion too big.\n");
        // LINUX-DIFF (documented): old-style negation is accepted; 1.8.9 says "Bad argument `1.2.3.4'"
        assertEquals(0, c.ipt("-A FORWARD -s ! 1.2.3.4 -j ACCEPT").rc());
        assertEquals("-A FORWARD ! -s 1.2.3.4/32 -j ACCEPT\n", c.ipt("-S FORWARD 1").out());
        c.ipt("-F");
        assertErr(c.ipt("-A INPUT foo"), 2, "Bad argument `foo'\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-A INPUT -s 1.2.3.4/33"), 2, "iptables v1.8.9 (nf_tables): invalid mask `33' specified\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-A INPUT -o eth0"), 2, "iptables v1.8.9 (nf_tables): Can't use -o with INPUT\n\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-L -A INPUT"), 2, "iptables v1.8.9 (nf_tables): Cannot use -A with -L\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-A INPUT -n"), 2, "iptables v1.8.9 (nf_tables): Illegal option `-n' with this command\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-A INPUT -s 1.2.3.4,5.6.7.8 ! -d 1.1.1.1"), 2,
                "iptables v1.8.9 (nf_tables): ! not allowed with multiple source or destination IP addresses\n"
                        + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-N ACCEPT"), 2, "iptables v1.8.9 (nf_tables): chain name may not clash with target name\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
        assertErr(c.ipt("-P INPUT RETURN"), 1, "iptables: Bad policy name. Run `dmesg' for more information.\n");
        assertErr(c.ipt("-t foo -L"), 3, "iptables v1.8.9 (nf_tables): table 'foo' does not exist\n"
                + "Perhaps iptables or your kernel needs to be upgraded.\n");
        assertErr(c.ipt("-A INPUT -p tcp --dport"), 2, "iptables v1.8.9 (nf_tables): option \"--dport\" requires an argument\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
    }

    @Test
    void prefixesOfLongOptionsAndProtocolNames() {
        Cli c = new Cli();
        assertEquals(0, c.ipt("-A INPUT --pro TCP").rc());
        assertEquals(0, c.ipt("-A INPUT -p 47").rc());
        assertEquals(2, c.ipt("-A INPUT --s 1.2.3.4").rc());
        assertEquals("-P INPUT ACCEPT\n-A INPUT -p tcp\n-A INPUT -p gre\n", c.ipt("-S INPUT").out());
    }

    @Test
    void verboseEchoesRulesAndChainOperations() {
        Cli c = new Cli();
        assertEquals("ACCEPT  all opt -- in eth2 out eth3  10.0.0.1  -> 10.0.0.2  \n",
                c.ipt("-v -A FORWARD -i eth2 -o eth3 -s 10.0.0.1 -d 10.0.0.2 -j ACCEPT").out());
        assertEquals("  all opt -- in * out *  1.1.1.1  -> 0.0.0.0/0   /* hi */\n"
                + "  all opt -- in * out *  2.2.2.2  -> 0.0.0.0/0   /* hi */\n",
                c.ipt("-v -A FORWARD -s 1.1.1.1,2.2.2.2 -m comment --comment hi").out());
        assertEquals("  47 opt !f in * out * !1.2.0.0/16  -> 0.0.0.0/0  \n",
                c.ipt("-v -A FORWARD ! -f -p 47 ! -s 1.2.0.0/16").out());
        assertEquals("ACCEPT  all opt -- in eth2 out eth3  10.0.0.1  -> 10.0.0.2  \n",
                c.ipt("-v -C FORWARD -i eth2 -o eth3 -s 10.0.0.1 -d 10.0.0.2 -j ACCEPT").out());
        c.ipt("-N foo");
        assertEquals("foo  all opt -- in * out *  0.0.0.0/0  -> 0.0.0.0/0  [goto] \n", c.ipt("-v -A FORWARD -g foo").out());
        assertEquals("Flushing chain `INPUT'\nFlushing chain `FORWARD'\nFlushing chain `OUTPUT'\nFlushing chain `foo'\n",
                c.ipt("-v -F").out());
        assertEquals("Deleting chain `foo'\n", c.ipt("-v -X").out());
        assertEquals("  all opt -- in * out *  ::/0  -> ::/0  \n", c.ip6t("-v -A INPUT").out());
    }

    private static void assertErr(Cli.Result r, int rc, String err) {
        assertEquals(err, r.err());
        assertEquals(rc, r.rc());
    }
}
