package io.stockade.syntax;

import io.stockade.rules.Family;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns host names in {@code -s}/{@code -d} into addresses and, for non-numeric listings,
 * addresses back into names. Tests use {@link #STATIC} (no DNS); the command line uses
 * {@link #system()}.
 */
public interface HostResolver {

    /** Addresses for {@code name} in the family (4 or 16 bytes each), empty if unknown. */
    List<byte[]> resolve(String name, Family family);

    /** A name for the address (for {@code -L} without {@code -n}), or null to print it numerically. */
    String reverse(byte[] address, Family family);

    /**
     * Knows only {@code localhost} (and the Debian /etc/hosts aliases of ::1); never blocks.
     * Reverse: Debian's /etc/networks names (default, loopback, link-local) and 127.0.0.1 =
     * "localhost"; ::1 stays numeric (as iptables prints them here).
     */
    HostResolver STATIC = new HostResolver() {
        @Override
        public List<byte[]> resolve(String name, Family family) {
            boolean v4 = family == Family.IPV4;
            switch (name) {
                case "localhost":
                    return List.of(v4 ? new byte[] {127, 0, 0, 1} : loopback6());
                case "ip6-localhost", "ip6-loopback":
                    return v4 ? List.of() : List.of(loopback6());
                default:
                    return List.of();
            }
        }

        @Override
        public String reverse(byte[] address, Family family) {
            if (address.length == 4) {
                int a = ((address[0] & 0xff) << 24) | ((address[1] & 0xff) << 16) | ((address[2] & 0xff) << 8)
                        | (address[3] & 0xff);
                // getnetbyaddr (Debian's /etc/networks) first, then the hosts file, as iptables does
                return switch (a) {
                    case 0 -> "default";
                    case 0x7f000000 -> "loopback";
                    case 0xa9fe0000 -> "link-local";
                    case 0x7f000001 -> "localhost";
                    default -> null;
                };
            }
            return null;
        }
    };

    private static byte[] loopback6() {
        byte[] b = new byte[16];
        b[15] = 1;
        return b;
    }

    /** The platform resolver (/etc/hosts, DNS), with {@link #STATIC}'s answers first. */
    static HostResolver system() {
        return new HostResolver() {
            @Override
            public List<byte[]> resolve(String name, Family family) {
                List<byte[]> s = STATIC.resolve(name, family);
                if (!s.isEmpty()) {
                    return s;
                }
                List<byte[]> out = new ArrayList<>();
                try {
                    for (InetAddress a : InetAddress.getAllByName(name)) {
                        if (family == Family.IPV4 ? a instanceof Inet4Address : a instanceof Inet6Address) {
                            out.add(a.getAddress());
                        }
                    }
                } catch (Exception e) {
                    return List.of();
                }
                return out;
            }

            @Override
            public String reverse(byte[] address, Family family) {
                return STATIC.reverse(address, family);
            }
        };
    }
}
