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

    /** Knows only {@code localhost} (and the Debian /etc/hosts aliases of ::1); never blocks. */
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
            if (address.length == 4 && address[0] == 127 && address[1] == 0 && address[2] == 0 && address[3] == 1) {
                return "localhost";
            }
            if (address.length == 16 && java.util.Arrays.equals(address, loopback6())) {
                return "localhost";
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
