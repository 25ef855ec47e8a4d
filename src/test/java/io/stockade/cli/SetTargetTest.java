package io.stockade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.PathResult;
import io.stockade.ext.match.IpSets;
import io.stockade.host.HostLoader;
import io.stockade.packet.LinkLayer;
import io.stockade.packet.PacketText;
import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import io.stockade.syntax.HostResolver;
import io.stockade.syntax.Restore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The SET target through the engine on packet time: elements added and deleted from packets,
 * timeouts (the set's default, {@code --timeout}, {@code --exist} refreshing), sets without
 * timeout support, {@code --map-set} feeding the mark, and the set match honouring expiry; and the
 * same traffic against real ipset + iptables in a namespace, whose {@code ipset save} must list
 * the same elements (timeouts within 3 s).
 */
class SetTargetTest {
    private static final long S = 1_000_000_000L;

    static final String SETS = """
            create st_seen hash:ip family inet hashsize 1024 maxelem 65536 timeout 120
            create st_ports hash:ip,port family inet hashsize 1024 maxelem 65536
            create st_perm hash:ip family inet hashsize 1024 maxelem 65536
            create st_mp hash:ip family inet hashsize 1024 maxelem 65536 skbinfo
            add st_mp 10.0.0.1 skbmark 0x10/0xff
            create st_marked hash:ip family inet hashsize 1024 maxelem 65536
            create st_small hash:ip family inet hashsize 1024 maxelem 2
            create st_nets hash:net family inet hashsize 1024 maxelem 65536
            add st_nets 10.1.0.0/16
            """;
    static final String RULES = """
            *mangle
            -A PREROUTING -j SET --map-set st_mp src --map-mark
            COMMIT
            *filter
            -A INPUT -p udp -m udp --dport 1000 -j SET --add-set st_seen src
            -A INPUT -p udp -m udp --dport 1001 -j SET --add-set st_seen src --exist --timeout 30
            -A INPUT -p udp -m udp --dport 1002 -j SET --del-set st_seen src
            -A INPUT -p udp -j SET --add-set st_ports src,dst
            -A INPUT -p udp -j SET --add-set st_nets src
            -A INPUT -p udp -m udp --dport 1003 -j SET --add-set st_perm src --timeout 50
            -A INPUT -m mark --mark 0x10/0xff -j SET --add-set st_marked src
            -A INPUT -j SET --add-set st_small src
            -A INPUT -p udp -m udp --dport 1005 -m set --match-set st_seen src -j DROP
            COMMIT
            """;
    /** (source host, destination port) in order. */
    static final int[][] TRAFFIC = {
        {5, 1000}, {6, 1000}, {6, 1002}, {7, 1000}, {7, 1001}, {8, 1001}, {9, 1003}, {1, 1004},
    };

    static final class Engine {
        final Offline off;
        final PacketFeeder feeder;
        final PathResult res = new PathResult();

        Engine() throws Exception {
            IpSets.load(SETS);
            Ruleset rs = new Ruleset();
            new Restore(Family.IPV4, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(RULES)),
                    Restore.Options.DEFAULT, new StringBuilder());
            off = Offline.of(rs, HostLoader.fromConf("iface eth0 10.0.0.254/24\n"));
            feeder = new PacketFeeder(off.nf);
        }

        String send(int host, int dport, long t) throws Exception {
            byte[] b = PacketText.parse("in eth0 udp 10.0.0." + host + ":4000 > 10.0.0.254:" + dport).build();
            feeder.run(LinkLayer.LINKTYPE_RAW, MemorySegment.ofArray(b), 0, b.length, b.length, "eth0", false, t, res);
            return res.verdictName();
        }
    }

    static List<String> elements(String set, long now) {
        return IpSets.get(set).elements(now);
    }

    @Test
    void addDeleteTimeoutsAndMap() throws Exception {
        Engine e = new Engine();
        long t = 100 * S;
        for (int[] p : TRAFFIC) {
            e.send(p[0], p[1], t);
            t += S;
        }
        long now = t;
        // 5: default 120 s from t=100; 6 deleted; 7 refreshed by --exist to 30 s at t=104; 8: 30 s at t=105
        assertEquals(new TreeSet<>(List.of("10.0.0.5 timeout 112", "10.0.0.7 timeout 26", "10.0.0.8 timeout 27")),
                new TreeSet<>(elements("st_seen", now)));
        assertEquals(8, elements("st_ports", now).size());
        assertTrue(elements("st_ports", now).contains("10.0.0.9,udp:1003"));
        assertEquals(List.of("10.0.0.9"), elements("st_perm", now), "no timeout support: permanent, --timeout ignored");
        assertEquals(List.of("10.0.0.1"), elements("st_marked", now), "--map-set set the mark from skbmark");
        assertEquals(2, elements("st_small", now).size(), "maxelem 2");
        assertEquals(new TreeSet<>(List.of("10.0.0.0/16", "10.1.0.0/16")), new TreeSet<>(elements("st_nets", now)),
                "hash:net adds with the set's longest prefix (INIT_CIDR of nets[0])");
        // the set match sees 10.0.0.8 until its timeout passes
        assertEquals("drop", e.send(8, 1005, 130 * S));
        assertEquals("accept", e.send(8, 1005, 136 * S));
        // re-adding without --exist does not refresh a live element; after expiry it is added anew
        e.send(5, 1000, 200 * S);
        assertTrue(elements("st_seen", 200 * S).contains("10.0.0.5 timeout 20"));
        e.send(5, 1000, 221 * S);
        assertTrue(elements("st_seen", 221 * S).contains("10.0.0.5 timeout 120"));
    }

    @Test
    void ipv6BitmapRangeAndListSet() throws Exception {
        IpSets.load("""
                create st6 hash:ip family inet6 hashsize 1024 maxelem 65536 timeout 10
                create st_bp bitmap:port range 1000-2000
                create st_a hash:ip family inet6 hashsize 1024 maxelem 65536
                create st_b hash:ip family inet hashsize 1024 maxelem 65536
                create st_list list:set size 8
                add st_list st_a
                add st_list st_b
                """);
        io.stockade.engine.Skb v6 = skb("in eth0 udp [2001:db8::9]:4000 > [2001:db8::1]:1500");
        io.stockade.engine.Skb v4 = skb("in eth0 udp 10.0.0.9:4000 > 10.0.0.254:2500");
        assertTrue(IpSets.get("st6").addFromPacket(v6.pd, 1, 1, -1, false, 5 * S));
        assertEquals(List.of("2001:db8::9 timeout 10"), elements("st6", 5 * S));
        assertEquals(false, IpSets.get("st6").addFromPacket(v4.pd, 1, 1, -1, false, 5 * S), "other family");
        assertEquals(List.of(), elements("st6", 16 * S), "expired");
        // bitmap:port: in range added, out of range refused
        assertTrue(IpSets.get("st_bp").addFromPacket(v6.pd, 1, 0, -1, false, 0));
        assertEquals(false, IpSets.get("st_bp").addFromPacket(v4.pd, 1, 0, -1, false, 0));
        assertEquals(List.of("1500"), elements("st_bp", 0));
        // list:set: added to the first member that takes the element (by family here)
        assertTrue(IpSets.get("st_list").addFromPacket(v4.pd, 1, 1, -1, false, 0));
        assertEquals(List.of("10.0.0.9"), elements("st_b", 0));
        assertEquals(List.of(), elements("st_a", 0));
        assertTrue(IpSets.get("st_list").delFromPacket(v4.pd, 1, 1, 0));
        assertEquals(List.of(), elements("st_b", 0));
    }

    @Test
    void setTargetAndMatchDoNotAllocatePerPacket() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Engine e = new Engine();
        byte[][] pkts = new byte[4][];
        MemorySegment[] segs = new MemorySegment[4];
        for (int i = 0; i < pkts.length; i++) {
            pkts[i] = PacketText.parse("in eth0 udp 10.0.0." + (5 + i) + ":4000 > 10.0.0.254:" + (1000 + i)).build();
            segs[i] = MemorySegment.ofArray(pkts[i]);
        }
        long t = S;
        long allocated = 0;
        for (int round = 0; round < 3; round++) {
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int n = 0; n < 20_000; n++, t += S / 1000) {
                byte[] b = pkts[n & 3];
                e.feeder.run(LinkLayer.LINKTYPE_RAW, segs[n & 3], 0, b.length, b.length, "eth0", false, t, e.res);
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes");
    }

    private static io.stockade.engine.Skb skb(String text) throws Exception {
        byte[] b = PacketText.parse(text).build();
        io.stockade.engine.Skb skb = new io.stockade.engine.Skb();
        new io.stockade.packet.PacketParser().parse(skb.pd, MemorySegment.ofArray(b), 0, b.length);
        return skb;
    }

    /** The same traffic through Linux: ipset save in the namespace lists the same elements. */
    @Test
    @Tag("kernel")
    void sameSetsAsLinux() throws Exception {
        VethPair.requireRoot("network namespaces, ipset");
        try (VethPair lab = new VethPair("set", "sr", "10.0.0.254", "sa", "10.0.0.100")) {
            String r = lab.r;
            String a = lab.a;
            String restore = SETS.lines().map(l -> l.replace("family inet hashsize 1024 maxelem 65536 ", "")
                    .replace(" family inet hashsize 1024 maxelem 65536", "").replace("family inet hashsize 1024 ", ""))
                    .reduce("", (x, y) -> x + y + "\n");
            VethPair.run(List.of("ip", "netns", "exec", r, "ipset", "restore"), restore);
            VethPair.run(List.of("ip", "netns", "exec", r, "iptables-restore"), RULES);
            Engine e = new Engine();
            long start = System.nanoTime();
            for (int[] p : TRAFFIC) {
                long t = System.nanoTime();
                VethPair.sh("ip netns exec " + a + " python3 -c \"import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_RAW,"
                        + "socket.IPPROTO_UDP)\ns.setsockopt(socket.SOL_IP,socket.IP_HDRINCL,1)\n"
                        + "import struct\nsrc=socket.inet_aton('10.0.0." + p[0] + "');dst=socket.inet_aton('10.0.0.254')\n"
                        + "u=struct.pack('!HHHH',4000," + p[1] + ",8,0)\n"
                        + "h=struct.pack('!BBHHHBBH4s4s',0x45,0,28,1,0,64,17,0,src,dst)\n"
                        + "c=sum(struct.unpack('!10H',h));c=(c&0xffff)+(c>>16);c=(c&0xffff)+(c>>16)\n"
                        + "h=h[:10]+struct.pack('!H',~c&0xffff)+h[12:]\n"
                        + "s.sendto(h+u,('10.0.0.254',0))\"");
                e.send(p[0], p[1], t);
            }
            String save = VethPair.sh("ip netns exec " + r + " ipset save");
            long now = System.nanoTime();
            List<String> mismatches = new ArrayList<>();
            for (String set : List.of("st_seen", "st_ports", "st_perm", "st_marked", "st_small", "st_nets")) {
                TreeSet<String> kernel = new TreeSet<>();
                for (String l : save.split("\n")) {
                    if (l.startsWith("add " + set + " ")) {
                        kernel.add(l.substring(5 + set.length()));
                    }
                }
                TreeSet<String> ours = new TreeSet<>(elements(set, now));
                if (!sameWithin3s(kernel, ours)) {
                    mismatches.add(set + ": kernel " + kernel + ", stockade " + ours);
                }
            }
            assertTrue(start > 0);
            assertEquals(List.of(), mismatches, save);
        }
    }

    private static boolean sameWithin3s(TreeSet<String> kernel, TreeSet<String> ours) {
        if (kernel.size() != ours.size()) {
            return false;
        }
        List<String> k = new ArrayList<>(kernel);
        List<String> o = new ArrayList<>(ours);
        for (int i = 0; i < k.size(); i++) {
            String[] kf = k.get(i).split(" timeout ");
            String[] of = o.get(i).split(" timeout ");
            if (!kf[0].equals(of[0]) || kf.length != of.length
                    || kf.length == 2 && Math.abs(Long.parseLong(kf[1]) - Long.parseLong(of[1])) > 3) {
                return false;
            }
        }
        return true;
    }
}
