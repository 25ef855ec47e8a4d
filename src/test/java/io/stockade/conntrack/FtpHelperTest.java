package io.stockade.conntrack;

import static io.stockade.conntrack.Pkt.ACK;
import static io.stockade.conntrack.Pkt.PSH;
import static io.stockade.conntrack.Pkt.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.Skb;
import org.junit.jupiter.api.Test;

class FtpHelperTest {
    static final String C = "10.0.0.1", S = "10.0.0.2";
    final Harness h = new Harness();
    int cseq = 1001, sseq = 5001;
    Conn control;

    void open(boolean helperRule) {
        Pkt syn = Pkt.ip(C, S).tcp(40000, 21, SYN, 1000, 0, 64240);
        syn.into(h.skb, h.hook, h.now);
        if (helperRule) {
            h.skb.ctHelper = "ftp"; // -t raw -p tcp --dport 21 -j CT --helper ftp
        }
        h.table.in(h.skb);
        h.table.confirm(h.skb);
        control = h.skb.conn;
        h.send(Pkt.ip(S, C).tcp(21, 40000, SYN | ACK, 5000, 1001, 65160));
        h.send(Pkt.ip(C, S).tcp(40000, 21, ACK, 1001, 5001, 64240));
        server("220 ready\r\n");
        client("USER anonymous\r\n");
    }

    Skb client(String line) {
        Skb skb = h.send(Pkt.ip(C, S).tcp(40000, 21, ACK | PSH, cseq, sseq, 64240).payload(line));
        cseq += line.length();
        return skb;
    }

    Skb server(String line) {
        Skb skb = h.send(Pkt.ip(S, C).tcp(21, 40000, ACK | PSH, sseq, cseq, 65160).payload(line));
        sseq += line.length();
        return skb;
    }

    @Test
    void activePortMakesServerDataConnectionRelated() {
        open(true);
        assertEquals("ftp", control.helper);
        assertTrue(h.line(control).endsWith("[ASSURED] mark=0 helper=ftp use=1"));
        control.mark = 0x42;
        client("PORT 10,0,0,1,4,1\r\n");
        assertEquals(1, h.table.expectations().size());
        Expectation e = h.table.expectations().get(0);
        assertEquals(1025, e.dstPort);
        assertEquals(-1, e.srcPort);
        Skb skb = h.send(Pkt.ip(S, C).tcp(20, 1025, SYN, 100, 0, 65160));
        Conn data = skb.conn;
        assertNotNull(data);
        assertEquals(Conn.IP_CT_RELATED, skb.ctinfo);
        assertEquals(Conn.STATE_RELATED, skb.ctStateBits);
        assertSame(control, data.master);
        assertTrue((data.status & Conn.IPS_EXPECTED) != 0);
        assertEquals(0x42, data.mark, "the expected connection inherits the master's mark");
        assertTrue(h.table.expectations().isEmpty(), "an expectation is used once");
        skb = h.send(Pkt.ip(C, S).tcp(1025, 20, SYN | ACK, 700, 101, 64240));
        assertEquals(Conn.IP_CT_ESTABLISHED_REPLY, skb.ctinfo);
        skb = h.send(Pkt.ip(S, C).tcp(20, 1025, ACK, 101, 701, 65160));
        assertEquals(Conn.IP_CT_ESTABLISHED, skb.ctinfo);
    }

    @Test
    void passiveRepliesExpectClientConnections() {
        open(true);
        server("227 Entering Passive Mode (10,0,0,2,195,80).\r\n");
        Skb skb = h.send(Pkt.ip(C, S).tcp(41000, 50000, SYN, 1, 0, 64240));
        assertEquals(Conn.IP_CT_RELATED, skb.ctinfo);
        server("229 Entering Extended Passive Mode (|||6446|)\r\n");
        skb = h.send(Pkt.ip(C, S).tcp(41001, 6446, SYN, 1, 0, 64240));
        assertEquals(Conn.IP_CT_RELATED, skb.ctinfo);
        client("EPRT |1|10.0.0.1|6275|\r\n");
        skb = h.send(Pkt.ip(S, C).tcp(20, 6275, SYN, 1, 0, 64240));
        assertEquals(Conn.IP_CT_RELATED, skb.ctinfo);
    }

    @Test
    void onlyOneExpectationPerControlConnection() {
        open(true);
        client("PORT 10,0,0,1,4,1\r\n");
        client("PORT 10,0,0,1,4,2\r\n");
        assertEquals(1, h.table.expectations().size());
        assertEquals(1026, h.table.expectations().get(0).dstPort);
    }

    @Test
    void portNamingAnotherHostIsIgnored() {
        open(true);
        client("PORT 10,0,0,99,4,1\r\n");
        assertTrue(h.table.expectations().isEmpty());
        h.cfg.ftpLoose = true;
        client("PORT 10,0,0,99,4,1\r\n");
        assertEquals(1, h.table.expectations().size());
        Skb skb = h.send(Pkt.ip(S, "10.0.0.99").tcp(20, 1025, SYN, 1, 0, 1000));
        assertEquals(Conn.IP_CT_RELATED, skb.ctinfo);
    }

    @Test
    void commandNotAfterNewlineIsNotParsed() {
        open(true);
        Skb skb = h.send(Pkt.ip(C, S).tcp(40000, 21, ACK | PSH, cseq + 3, sseq, 64240).payload("PORT 10,0,0,1,4,1\r\n"));
        assertNotNull(skb.conn);
        assertTrue(h.table.expectations().isEmpty());
    }

    @Test
    void partialCommandDropsThePacket() {
        open(true);
        Skb skb = client("PORT 10,0,0,1,4");
        assertTrue(skb.ctDrop, "a PORT command cut at the end of the segment");
        assertTrue(h.table.expectations().isEmpty());
    }

    @Test
    void withoutHelperNothingIsExpected() {
        open(false);
        assertNull(control.helper);
        client("PORT 10,0,0,1,4,1\r\n");
        assertTrue(h.table.expectations().isEmpty());
        Skb skb = h.send(Pkt.ip(S, C).tcp(20, 1025, SYN, 100, 0, 65160));
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo);
    }

    @Test
    void automaticAssignmentOption() {
        h.cfg.autoAssignHelpers = true;
        open(false);
        assertEquals("ftp", control.helper);
    }

    @Test
    void expectationsExpireAndDieWithTheirMaster() {
        open(true);
        client("PORT 10,0,0,1,4,1\r\n");
        h.advance(301);
        h.send(Pkt.ip(C, S).tcp(40000, 21, ACK, cseq, sseq, 64240));
        Skb skb = h.send(Pkt.ip(S, C).tcp(20, 1025, SYN, 100, 0, 65160));
        assertEquals(Conn.IP_CT_NEW, skb.ctinfo, "expectation timed out after 300 s");
        client("PORT 10,0,0,1,4,3\r\n");
        h.table.delete(control);
        assertTrue(h.table.expectations().isEmpty());
    }

    @Test
    void ipv6Eprt() {
        Harness h6 = new Harness();
        Pkt syn = Pkt.ip("fd00::1", "fd00::2").tcp(40000, 21, SYN, 1000, 0, 64240);
        syn.into(h6.skb, h6.hook, h6.now);
        h6.skb.conn = Conn.template(0, "ftp");
        h6.table.in(h6.skb);
        h6.table.confirm(h6.skb);
        h6.send(Pkt.ip("fd00::2", "fd00::1").tcp(21, 40000, SYN | ACK, 5000, 1001, 65160));
        h6.send(Pkt.ip("fd00::1", "fd00::2").tcp(40000, 21, ACK, 1001, 5001, 64240));
        h6.send(Pkt.ip("fd00::1", "fd00::2").tcp(40000, 21, ACK | PSH, 1001, 5001, 64240).payload("USER a\r\n"));
        h6.send(Pkt.ip("fd00::1", "fd00::2").tcp(40000, 21, ACK | PSH, 1009, 5001, 64240)
                .payload("EPRT |2|fd00::1|5282|\r\n"));
        assertEquals(1, h6.table.expectations().size());
        Skb skb = h6.send(Pkt.ip("fd00::2", "fd00::1").tcp(20, 5282, SYN, 1, 0, 1000));
        assertEquals(Conn.IP_CT_RELATED, skb.ctinfo);
    }
}
