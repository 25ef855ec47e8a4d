package io.stockade.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConntrackFormatTest {
    static String v6(String s) {
        ByteBuffer b = ByteBuffer.wrap(Pkt.addr(s));
        StringBuilder sb = new StringBuilder();
        ConntrackFormat.address(sb, 6, b.getLong(0), b.getLong(8));
        return sb.toString();
    }

    @Test
    void ipv6AddressesAsInetNtop() {
        assertEquals("::", v6("::"));
        assertEquals("::1", v6("::1"));
        assertEquals("fd00::2", v6("fd00:0:0:0:0:0:0:2"));
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", v6("2001:db8:0:1:1:1:1:1"));
        assertEquals("fe80::", v6("fe80::"));
        StringBuilder mapped = new StringBuilder();
        ConntrackFormat.address(mapped, 6, 0, 0x0000ffff0a010203L);
        assertEquals("::ffff:10.1.2.3", mapped.toString());
    }

    @Test
    void cliListsFiltersAndFlushes() {
        Harness h = new Harness();
        h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 53));
        h.send(Pkt.ip("10.0.0.1", "10.0.0.2").tcp(40000, 22, Pkt.SYN, 1, 0, 1000));
        h.send(Pkt.ip("fd00::1", "fd00::2").icmp(128, 0, 1, 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ConntrackCli.run(h.table, new String[] {"-L"}, new PrintStream(out), new PrintStream(err));
        assertEquals(0, rc);
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length);
        assertTrue(lines[0].startsWith("udp      17 30 src=10.0.0.1"));
        assertEquals("conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.\n",
                err.toString(StandardCharsets.UTF_8));
        out.reset();
        err.reset();
        ConntrackCli.run(h.table, new String[] {"-L", "-p", "tcp"}, new PrintStream(out), new PrintStream(err));
        assertEquals("tcp      6 120 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=22 [UNREPLIED] "
                + "src=10.0.0.2 dst=10.0.0.1 sport=22 dport=40000 mark=0 use=1\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n",
                err.toString(StandardCharsets.UTF_8));
        out.reset();
        err.reset();
        ConntrackCli.run(h.table, new String[] {"-L", "-f", "ipv6"}, new PrintStream(out), new PrintStream(err));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("icmpv6   58 30 src=fd00::1"));
        err.reset();
        ConntrackCli.run(h.table, new String[] {"-F"}, new PrintStream(out), new PrintStream(err));
        assertEquals("conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n",
                err.toString(StandardCharsets.UTF_8));
        assertEquals(0, h.table.count());
        err.reset();
        assertEquals(2, ConntrackCli.run(h.table, new String[] {"-L", "-p", "bogus"}, new PrintStream(out),
                new PrintStream(err)));
        assertEquals("conntrack v1.4.7 (conntrack-tools): `bogus' unsupported protocol\n"
                + "Try `conntrack -h' or 'conntrack --help' for more information.\n", err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, ConntrackCli.run(h.table, new String[] {"-L", "-F"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
                "conntrack v1.4.7 (conntrack-tools): Invalid commands combination\n"));
        err.reset();
        assertEquals(2, ConntrackCli.run(h.table, new String[] {"-L", "-x"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("conntrack v1.4.7 (conntrack-tools): unknown option `-x'"));
    }

    @Test
    void acctCounters() {
        Harness h = new Harness();
        h.cfg.acct = true;
        Conn c = h.send(Pkt.ip("10.0.0.1", "10.0.0.2").udp(1, 53).payload(12)).conn;
        assertEquals("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=53 packets=1 bytes=40 [UNREPLIED] "
                + "src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1 packets=0 bytes=0 mark=0 use=1",
                ConntrackFormat.line(c, h.now, true));
    }
}
