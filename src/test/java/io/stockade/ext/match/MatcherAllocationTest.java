package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.stockade.conntrack.Conn;
import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.MatchSpec;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The per-packet half of this package's matches does not allocate: after a warm-up, a hundred
 * thousand evaluations over a mix of packets allocate (almost) nothing on this thread.
 */
class MatcherAllocationTest {
    static final String[] RULES = {
        "-p tcp --sport 1024: --dport 22 --tcp-flags SYN,ACK SYN --tcp-option 2",
        "-p udp --dport 53",
        "-p icmp --icmp-type echo-request",
        "-p tcp -m multiport --dports 80,443,8000:8080",
        "-m conntrack --ctstate NEW,ESTABLISHED --ctproto tcp --ctorigsrc 10.0.0.0/8 --ctexpire 1:1000 --ctdir ORIGINAL",
        "-m state --state NEW",
        "-m limit --limit 10/sec",
        "-m recent --update --seconds 60 --hitcount 3 --name alloc",
        "-m hashlimit --hashlimit-upto 100/sec --hashlimit-mode srcip,dstport --hashlimit-name alloc",
        "-m connlimit --connlimit-above 3",
        "-m mark --mark 1/1", "-m connmark --mark 1", "-m length --length 40:1500", "-m ttl --ttl-gt 5",
        "-m pkttype --pkt-type unicast", "-m iprange --src-range 10.0.0.0-10.0.0.255", "-p tcp -m tcpmss --mss 1000:1460",
        "-m helper --helper ftp", "-m quota --quota 100000000", "-m statistic --mode random --probability 0.5",
        "-m statistic --mode nth --every 3", "-m connbytes --connbytes 10: --connbytes-mode avgpkt --connbytes-dir both",
        "-m string --string \"GET\" --algo bm",
        "-m time --timestart 08:00 --timestop 17:00 --weekdays Mon,Tue --monthdays 1,15",
    };

    @Test
    void matchersDoNotAllocate() throws Exception {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean,
                "no per-thread allocation counter in this JVM");
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported(), "allocation counter unsupported");
        TestState st = new TestState();
        List<Matcher> ms = new ArrayList<>();
        for (String r : RULES) {
            String rule = r.contains("--mode nth") ? r + " --packet 0" : r;
            MatchSpec s = Harness.run(rule, Family.IPV4).specs().get(0);
            ms.add(s instanceof CompilableMatch c ? c.compile(st) : (Matcher) s);
        }
        Skb[] pkts = {Packets.tcp(40000, 22, 2, (byte) 2, (byte) 4, (byte) 5, (byte) 0xb4), Packets.udp(5353, 53),
            Packets.icmp(8, 0)};
        Conn c = new Conn();
        c.protocol = 6;
        c.origSrcLo = Xt.ipv4("10.0.0.1")[1];
        c.expiresNanos = Long.MAX_VALUE;
        for (Skb s : pkts) {
            s.conn = c;
            s.ctinfo = 2;
        }
        Matcher[] arr = ms.toArray(new Matcher[0]);
        long tid = Thread.currentThread().threadId();
        run(arr, pkts, 200_000);
        long before = mx.getThreadAllocatedBytes(tid);
        int hits = run(arr, pkts, 100_000);
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(hits > 0);
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by 100000 rounds of " + arr.length + " matchers");
    }

    private static int run(Matcher[] ms, Skb[] pkts, int rounds) {
        int hits = 0;
        for (int i = 0; i < rounds; i++) {
            Skb s = pkts[i % pkts.length];
            s.timeNanos = 1_700_000_000_000_000_000L + i * 1_000_000L;
            for (Matcher m : ms) {
                if (m.matches(s)) {
                    hits++;
                }
            }
        }
        return hits;
    }
}
