package io.stockade.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.rules.Family;
import org.junit.jupiter.api.Test;

/**
 * Numeric IPv4 forms as libxtables' xtables_numeric_to_ipaddr reads them (iptables 1.8.9 saves
 * these rules exactly so; LiveIptablesTest compares two of them with the installed iptables).
 */
class NumericAddressTest {
    private static String saved(String rule) {
        Harness h = new Harness();
        assertEquals(0, h.run(Family.IPV4, "-A INPUT " + rule), h.lastErr);
        return h.save(Family.IPV4).lines().filter(l -> l.startsWith("-A INPUT")).findFirst().orElseThrow();
    }

    @Test
    void shortFormsAreCompletedOnTheRight() {
        assertEquals("-A INPUT -s 10.0.0.0/32", saved("-s 10"));
        assertEquals("-A INPUT -s 10.1.0.0/32", saved("-s 10.1"));
        assertEquals("-A INPUT -m iprange --src-range 10.0.0.0-11.0.0.0", saved("-m iprange --src-range 10-11"));
    }

    @Test
    void partsAreCNumbers() {
        assertEquals("-A INPUT -s 8.1.1.1/32", saved("-s 010.1.1.1"));
        assertEquals("-A INPUT -s 10.1.1.1/32", saved("-s 0x0a.1.1.1"));
        assertEquals("-A INPUT -m iprange --src-range 10.1.1.8-10.1.1.20", saved("-m iprange --src-range 10.1.1.010-10.1.1.20"));
        assertEquals("-A INPUT -m conntrack --ctorigsrc 8.0.0.1", saved("-m conntrack --ctorigsrc 010.0.0.1"));
    }

    @Test
    void aMaskNeedsFourParts() {
        Harness h = new Harness();
        assertEquals(2, h.run(Family.IPV4, "-A INPUT -s 1.2.3.4/255.255"));
        assertEquals(0, h.run(Family.IPV4, "-A INPUT -s 1.2.3.4/255.255.0.0"));
    }
}
