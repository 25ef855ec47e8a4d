package io.stockade.difftest;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Seeded, reproducible cases: case {@code i} of seed {@code s} depends only on (s, i), so any
 * single case can be re-run alone ({@code --seed s --case i}). About a third of the cases are
 * IPv6. With a user ruleset ({@link #withRules}) only the packets are random. Generated rule
 * lines Stockade's parser refuses are left out ({@link StockadeSyntax}), so a case also depends on
 * which modules this build of Stockade has.
 */
final class CaseGenerator {
    private final long seed;
    private final String userRules4;
    private final String userRules6;

    CaseGenerator(long seed) {
        this(seed, null, null);
    }

    private CaseGenerator(long seed, String userRules4, String userRules6) {
        this.seed = seed;
        this.userRules4 = userRules4;
        this.userRules6 = userRules6;
    }

    /** Cases that all use the given rulesets (either may be null) with random packets. */
    static CaseGenerator withRules(long seed, String rules4, String rules6) {
        return new CaseGenerator(seed, rules4 == null ? "" : rules4, rules6 == null ? "" : rules6);
    }

    static RandomGenerator rng(long seed, int index) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed * 0x9E3779B97F4A7C15L + index);
    }

    DiffCase generate(int index) {
        RandomGenerator rnd = rng(seed, index);
        boolean user = userRules4 != null;
        int family;
        if (user) {
            boolean has4 = !userRules4.isBlank();
            boolean has6 = !userRules6.isBlank();
            family = has4 && has6 ? (rnd.nextInt(3) == 0 ? 6 : 4) : has6 ? 6 : 4;
        } else {
            family = rnd.nextInt(3) == 0 ? 6 : 4;
        }
        Set<Area> areas = EnumSet.noneOf(Area.class);
        String rules4 = "";
        String rules6 = "";
        if (user) {
            rules4 = userRules4;
            rules6 = userRules6;
            areas.addAll(areasOf(family == 4 ? rules4 : rules6));
        } else {
            RuleGenerator rg = new RuleGenerator(rnd, family, "sdt" + index);
            String r = StockadeSyntax.filter(family, rg.ruleset(rnd.nextInt(4) != 0));
            areas.addAll(areasOf(r));
            if (family == 4) {
                rules4 = r;
            } else {
                rules6 = r;
            }
        }
        if (family == 6) {
            areas.add(Area.IPV6);
        }
        boolean forward = rnd.nextInt(10) != 0;
        List<CasePacket> packets = new PacketGenerator(rnd, family, (family == 4 ? rules4 : rules6).contains("-o eth1 ")).sequence(2 + rnd.nextInt(9), true);
        for (CasePacket p : packets) {
            int proto = Classifier.protocol(p.ip());
            if (proto == Pkt.SCTP) {
                areas.add(Area.SCTP);
            } else if (proto == Pkt.DCCP || proto == Pkt.UDPLITE) {
                areas.add(Area.DCCP_UDPLITE);
            }
        }
        return new DiffCase(seed, index, areas, rules4, rules6, forward, packets);
    }

    /** Areas a (user) ruleset exercises, by the modules and targets it names. */
    static Set<Area> areasOf(String rules) {
        Set<Area> a = EnumSet.of(Area.FILTER);
        if (rules.contains("--state") || rules.contains("--ctstate")) {
            a.add(Area.CONNTRACK);
        }
        if (rules.contains("-j REJECT")) {
            a.add(Area.REJECT);
        }
        if (rules.contains("-j LOG")) {
            a.add(Area.LOG);
        }
        if (rules.contains("-m limit") || rules.contains("-m recent") || rules.contains("-m hashlimit")) {
            a.add(Area.LIMIT_RECENT);
        }
        if (rules.contains("-p sctp")) {
            a.add(Area.SCTP);
        }
        if (Ipsets.used(rules)) {
            a.add(Area.SET);
        }
        if (rules.contains("-p dccp") || rules.contains("-p udplite")) {
            a.add(Area.DCCP_UDPLITE);
        }
        if (rules.contains("-j SNAT") || rules.contains("-j DNAT") || rules.contains("-j MASQUERADE")
                || rules.contains("-j REDIRECT") || rules.contains("-j NETMAP")) {
            a.add(Area.NAT);
        }
        return a;
    }
}
