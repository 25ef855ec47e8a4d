package io.stockade.ext.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.conntrack.Conn;
import io.stockade.engine.AddressTypes;
import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.TableKind;
import org.junit.jupiter.api.Test;

/** owner, addrtype, rpfilter, connbytes: save/-L/errors as iptables 1.8.9 (legacy) prints them, and matching. */
class HostMatchesTest {
    static Matcher m(String rule, TableKind t, Hook h) throws Exception {
        return (Matcher) Harness.run(rule, Family.IPV4, t, h.bit()).specs().get(0);
    }

    static String save(String rule, TableKind t, Hook h) throws Exception {
        return Harness.run(rule, Family.IPV4, t, h.bit()).save();
    }

    static String list(String rule, TableKind t, Hook h, boolean numeric) throws Exception {
        StringBuilder sb = new StringBuilder();
        Harness.run(rule, Family.IPV4, t, h.bit()).specs().get(0).print(sb, numeric);
        return sb.toString();
    }

    /** A host where 10.0.0.1 is local on eth0, 10.0.0.0/24 is on eth0, 192.0.2.0/24 on eth1. */
    static final AddressTypes HOST = new AddressTypes() {
        @Override
        public int typeMask(int v, long hi, long lo, String dev) {
            if (lo == Xt.ipv4("10.0.0.1")[1] && (dev.isEmpty() || dev.equals("eth0"))) {
                return LOCAL;
            }
            return (lo >>> 28) == 0xe ? MULTICAST : UNICAST;
        }

        @Override
        public String routeDevice(int v, long hi, long lo) {
            return (lo >>> 8) == (Xt.ipv4("10.0.0.0")[1] >>> 8) ? "eth0" : (lo >>> 8) == (Xt.ipv4("192.0.2.0")[1] >>> 8) ? "eth1" : null;
        }

        @Override
        public int routeType(int v, long hi, long lo) {
            return routeDevice(v, hi, lo) == null ? 0 : UNICAST;
        }

        @Override
        public int lookupFlow(int v, long dstHi, long dstLo, long srcHi, long srcLo, int mark, int tos, String iif,
                              String oif, int uid) {
            String d = routeDevice(v, dstHi, dstLo);
            return d == null ? -1 : d.equals("eth0") ? 0 : 1;
        }

        @Override
        public int type(int route) {
            return UNICAST;
        }

        @Override
        public String device(int route) {
            return route == 0 ? "eth0" : "eth1";
        }
    };

    @Test
    void owner() throws Exception {
        String r = "-m owner ! --uid-owner 0-10 ! --gid-owner 5 --suppl-groups ! --socket-exists";
        assertEquals("-m owner ! --socket-exists ! --uid-owner 0-10 ! --gid-owner 5 --suppl-groups",
                save(r, TableKind.FILTER, Hook.OUTPUT));
        assertEquals("! owner socket exists ! owner UID match 0-10 ! owner GID match 5 incl. suppl. groups",
                list(r, TableKind.FILTER, Hook.OUTPUT, true));
        assertEquals("-m owner --uid-owner 0", save("-m owner --uid-owner root", TableKind.FILTER, Hook.OUTPUT));
        assertEquals("owner UID match root", list("-m owner --uid-owner 0", TableKind.FILTER, Hook.OUTPUT, false));
        assertEquals("owner: Bad value for \"--uid-owner\" option: \"nosuchuser\"",
                Harness.error("-m owner --uid-owner nosuchuser"));
        assertEquals("owner: At least one of --uid-owner, --gid-owner or --socket-exists is required", Harness.error("-m owner"));
        assertEquals(Xt.EINVAL, Harness.error("-m owner --uid-owner root"), "INPUT is not allowed");
        Matcher m = m("-m owner --uid-owner 1000-1999", TableKind.FILTER, Hook.OUTPUT);
        Skb s = Packets.udp(1, 2);
        assertFalse(m.matches(s), "no socket");
        s.uid = 1500;
        s.gid = 1500;
        assertTrue(m.matches(s));
        assertFalse(m("-m owner ! --socket-exists", TableKind.FILTER, Hook.OUTPUT).matches(s));
        s.uid = -1;
        assertTrue(m("-m owner ! --socket-exists", TableKind.FILTER, Hook.OUTPUT).matches(s));
        // --gid-owner: the fsgid, or with --suppl-groups any supplementary group (xt_owner).
        Matcher gid = m("-m owner --gid-owner 27", TableKind.FILTER, Hook.OUTPUT);
        Matcher suppl = m("-m owner --gid-owner 20-29 --suppl-groups", TableKind.FILTER, Hook.OUTPUT);
        Matcher notSuppl = m("-m owner ! --gid-owner 20-29 --suppl-groups", TableKind.FILTER, Hook.OUTPUT);
        s.uid = 1000;
        s.gid = 1000;
        s.groups[0] = 4;
        s.groups[1] = 27;
        s.groupCount = 2;
        assertFalse(gid.matches(s), "supplementary groups only count with --suppl-groups");
        assertTrue(suppl.matches(s));
        assertFalse(notSuppl.matches(s));
        s.groupCount = 1;
        assertFalse(suppl.matches(s), "27 is past groupCount");
        assertTrue(notSuppl.matches(s));
        s.gid = 21;
        assertTrue(suppl.matches(s), "the fsgid still matches");
    }

    @Test
    void addrtype() throws Exception {
        String r = "-m addrtype --src-type LOCAL,UNICAST ! --dst-type BROADCAST --limit-iface-in";
        assertEquals("-m addrtype --src-type UNICAST,LOCAL ! --dst-type BROADCAST --limit-iface-in",
                save(r, TableKind.FILTER, Hook.INPUT));
        assertEquals("ADDRTYPE match src-type UNICAST,LOCAL dst-type !BROADCAST limit-in", list(r, TableKind.FILTER, Hook.INPUT, true));
        assertEquals("addrtype: bad type \"wrong\"", Harness.error("-m addrtype --src-type wrong"));
        assertEquals("addrtype: you must specify --src-type or --dst-type", Harness.error("-m addrtype"));
        assertEquals(Xt.EINVAL, Harness.error("-m addrtype --src-type LOCAL --limit-iface-out"));
        Matcher local = m("-m addrtype --dst-type LOCAL --limit-iface-in", TableKind.FILTER, Hook.INPUT);
        Skb s = Packets.ipv4(17, "192.0.2.9", "10.0.0.1", 1, 2, new byte[8], null);
        s.addressTypes = HOST;
        s.inIface = "eth0";
        assertTrue(local.matches(s));
        s.inIface = "eth1";
        assertFalse(local.matches(s), "10.0.0.1 is not local to eth1");
        assertTrue(m("-m addrtype ! --dst-type MULTICAST", TableKind.FILTER, Hook.INPUT).matches(s));
    }

    @Test
    void rpfilter() throws Exception {
        assertEquals("-m rpfilter --loose --validmark --accept-local --invert",
                save("-m rpfilter --loose --validmark --accept-local --invert", TableKind.MANGLE, Hook.PREROUTING));
        assertEquals("rpfilter loose validmark accept-local invert",
                list("-m rpfilter --loose --validmark --accept-local --invert", TableKind.MANGLE, Hook.PREROUTING, true));
        assertEquals(Xt.EINVAL, Harness.error("-m rpfilter"), "filter/INPUT is not allowed");
        Matcher strict = m("-m rpfilter", TableKind.RAW, Hook.PREROUTING);
        Matcher loose = m("-m rpfilter --loose", TableKind.RAW, Hook.PREROUTING);
        Skb s = Packets.ipv4(17, "192.0.2.9", "10.0.0.1", 1, 2, new byte[8], null);
        s.addressTypes = HOST;
        s.inIface = "eth1";
        assertTrue(strict.matches(s));
        s.inIface = "eth0";
        assertFalse(strict.matches(s), "spoofed: the route back leaves through eth1");
        assertTrue(loose.matches(s));
        Skb unknown = Packets.ipv4(17, "203.0.113.1", "10.0.0.1", 1, 2, new byte[8], null);
        unknown.addressTypes = HOST;
        unknown.inIface = "eth0";
        assertFalse(loose.matches(unknown), "no route back at all");
        assertTrue(m("-m rpfilter --invert", TableKind.RAW, Hook.PREROUTING).matches(unknown));
    }

    @Test
    void connbytes() throws Exception {
        String r = "-m connbytes ! --connbytes 10 --connbytes-mode avgpkt --connbytes-dir reply";
        assertEquals(r, Harness.save(r));
        assertEquals("! connbytes 10 connbytes mode avgpkt connbytes direction reply", Harness.list(r, true));
        assertEquals("1000 should be less than 0",
                Harness.error("-m connbytes --connbytes 1000:0 --connbytes-mode packets --connbytes-dir original"));
        assertEquals("Unknown --connbytes-mode `wrong'",
                Harness.error("-m connbytes --connbytes 0:1000 --connbytes-mode wrong --connbytes-dir both"));
        assertEquals("connbytes: option \"--connbytes-dir\" must be specified\n", Harness.error("-m connbytes --connbytes 0:1000"));
        Skb s = Packets.udp(1, 2);
        Matcher first = (Matcher) Harness.run("-m connbytes --connbytes 0:3 --connbytes-mode packets --connbytes-dir both",
                Family.IPV4).specs().get(0);
        assertFalse(first.matches(s), "no entry");
        s.conn = new Conn();
        s.conn.packets[0] = 2;
        s.conn.packets[1] = 1;
        s.conn.bytes[0] = 200;
        s.conn.bytes[1] = 1000;
        assertTrue(first.matches(s));
        s.conn.packets[1] = 2;
        assertFalse(first.matches(s));
        Matcher avg = (Matcher) Harness.run(r, Family.IPV4).specs().get(0);
        assertFalse(avg.matches(s), "reply average 500 is not below 10 and not above the max");
        s.conn.bytes[1] = 10;
        assertTrue(avg.matches(s), "reply average 5 < 10");
    }
}
