package io.stockade.difftest;

import java.util.List;
import java.util.Set;

/**
 * One differential case: rulesets for both families (iptables-save text, may be empty), the
 * gateway's forwarding switch and the packets in order. {@code areas} say which agreement
 * buckets the case counts in. Immutable; the shrinker derives smaller cases with {@code with…}.
 */
record DiffCase(long seed, int index, Set<Area> areas, String rules4, String rules6, boolean forward,
        List<CasePacket> packets) {
    DiffCase {
        areas = Set.copyOf(areas);
        packets = List.copyOf(packets);
    }

    DiffCase withRules(String r4, String r6) {
        return new DiffCase(seed, index, areas, r4, r6, forward, packets);
    }

    DiffCase withPackets(List<CasePacket> p) {
        return new DiffCase(seed, index, areas, rules4, rules6, forward, p);
    }
}
