package io.stockade.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stockade.engine.AddressTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host model read from real {@code ip -j} output (captured in a network namespace with
 * eth0 192.0.2.1/24 + 2001:db8::1/64 mtu 1400, ppp0 198.51.100.1/24, default via
 * 198.51.100.254 metric 100, 10.9.0.0/16 via 192.0.2.254 mtu 1300, blackhole 203.0.113.0/24,
 * IPv6 default via 2001:db8::fe) and from host.conf.
 */
class HostLoaderTest {
    private static final Path NS1 = Path.of("src/test/resources/host/ns1");

    private static Addresses.Ip ip(String s) {
        return Addresses.parse(s);
    }

    private static String dev(Host h, String addr) {
        Addresses.Ip a = ip(addr);
        return h.routeDevice(a.version(), a.hi(), a.lo());
    }

    private static int type(Host h, String addr, String dev) {
        Addresses.Ip a = ip(addr);
        return h.typeMask(a.version(), a.hi(), a.lo(), dev);
    }

    @Test
    void realIpJsonOutput() throws IOException {
        Host h = HostLoader.load(NS1);
        assertEquals(1400, h.iface("eth0").mtu());
        assertTrue(h.iface("lo").loopback());
        assertEquals(3, h.interfaces().size());
        assertEquals("ppp0", dev(h, "8.8.8.8"));
        assertEquals("eth0", dev(h, "192.0.2.77"));
        assertEquals("eth0", dev(h, "10.9.3.4"));
        assertEquals("lo", dev(h, "192.0.2.1"));
        assertNull(dev(h, "203.0.113.9"), "blackhole");
        assertEquals("eth0", dev(h, "2001:db8::77"));
        assertEquals("eth0", dev(h, "2001:4860::1"));
        Addresses.Ip a = ip("10.9.3.4");
        assertEquals(1300, h.mtu(h.lookup(4, a.hi(), a.lo())), "route mtu metric");
        a = ip("192.0.2.77");
        assertEquals(1400, h.mtu(h.lookup(4, a.hi(), a.lo())), "interface mtu");
        // IPv6 routes appear in route.json and route6.json: loaded once.
        long v6 = h.routes().stream().filter(r -> r.version() == 6).count();
        assertEquals(10, v6);
    }

    @Test
    void addrtypeAnswersLikeInetDevAddrType() throws IOException {
        Host h = HostLoader.load(NS1);
        assertEquals(AddressTypes.LOCAL, type(h, "192.0.2.1", ""));
        assertEquals(AddressTypes.LOCAL, type(h, "192.0.2.1", "eth0"));
        assertEquals(AddressTypes.UNICAST, type(h, "192.0.2.1", "ppp0"), "limited to another interface");
        assertEquals(AddressTypes.BROADCAST, type(h, "192.0.2.255", ""));
        assertEquals(AddressTypes.BROADCAST, type(h, "255.255.255.255", ""));
        assertEquals(AddressTypes.BROADCAST, type(h, "0.0.0.0", ""));
        assertEquals(AddressTypes.MULTICAST, type(h, "224.0.0.1", ""));
        assertEquals(AddressTypes.LOCAL, type(h, "127.0.0.5", ""));
        assertEquals(AddressTypes.UNICAST, type(h, "8.8.8.8", ""));
        assertEquals(AddressTypes.UNICAST | AddressTypes.LOCAL, type(h, "2001:db8::1", ""));
        assertEquals(AddressTypes.UNICAST, type(h, "2001:db8::2", ""));
        assertEquals(AddressTypes.MULTICAST, type(h, "ff02::1", ""));
    }

    @Test
    void hostConfWithDerivedRoutes() throws IOException {
        Host h = HostLoader.fromConf("""
                # a small router
                iface eth0 192.168.0.1/24 2001:db8::1/64 mtu 1500
                iface ppp0 198.51.100.1/32 mtu 1492
                route default via 198.51.100.254 dev ppp0
                route blackhole 10.0.0.0/8
                sysctl net.ipv4.ip_forward=1
                """);
        assertEquals(1, h.sysctls.ipForward);
        assertTrue(h.forwarding(4));
        assertFalse(h.forwarding(6));
        assertEquals("eth0", dev(h, "192.168.0.7"));
        assertEquals("ppp0", dev(h, "1.1.1.1"));
        assertNull(dev(h, "10.1.1.1"));
        assertEquals("lo", dev(h, "127.0.0.1"), "lo is implicit");
        assertEquals("eth0", dev(h, "2001:db8::5"));
        assertNull(dev(h, "2001:db9::5"), "no IPv6 default route");
        Addresses.Ip a = ip("1.1.1.1");
        assertEquals(1492, h.mtu(h.lookup(4, a.hi(), a.lo())));
        assertEquals(AddressTypes.BROADCAST, type(h, "192.168.0.255", ""));
    }

    @Test
    void longestPrefixThenLowestMetric() throws IOException {
        Host h = HostLoader.fromConf("""
                iface a 10.0.0.1/24
                iface b 10.0.1.1/24
                route 172.16.0.0/12 via 10.0.0.254 metric 20
                route 172.16.0.0/12 via 10.0.1.254 metric 10
                route 172.16.5.0/24 via 10.0.0.254 metric 50
                """);
        assertEquals("b", dev(h, "172.17.0.1"));
        assertEquals("a", dev(h, "172.16.5.1"));
    }

    @Test
    void errorsNameTheLine(@TempDir Path dir) throws IOException {
        IOException e = assertThrows(IOException.class, () -> HostLoader.fromConf("iface eth0 10.0.0.1/24\nroute 10.0.0.0/33 dev eth0\n"));
        assertEquals("host.conf:2: expected a prefix length 0-32, found '10.0.0.0/33'", e.getMessage());
        e = assertThrows(IOException.class, () -> HostLoader.fromConf("sysctl net.ipv4.ip_forward=yes\n"));
        assertEquals("host.conf:1: sysctl net.ipv4.ip_forward: expected a number, found 'yes'", e.getMessage());
        Files.writeString(dir.resolve("address.json"), "[{\"ifname\":\"eth0\",]");
        e = assertThrows(IOException.class, () -> HostLoader.load(dir));
        assertTrue(e.getMessage().contains("address.json: JSON: at offset 18: expected a string key"), e.getMessage());
    }

    @Test
    void defaultHost() {
        Host h = HostLoader.defaultHost();
        assertEquals("eth0", dev(h, "8.8.8.8"));
        assertEquals(AddressTypes.LOCAL, type(h, "192.0.2.1", ""));
        assertEquals(0, h.sysctls.ipForward);
        assertEquals(1000, h.sysctls.icmpRatelimit);
        assertEquals(6168, h.sysctls.icmpRatemask);
    }
}
