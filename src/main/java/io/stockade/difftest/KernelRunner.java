package io.stockade.difftest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a {@link DiffCase} through the real kernel in a {@link KernelLab}: loads the rules, sends
 * the packets one at a time, and after each one reads the counters of its family, so every packet
 * gets the exact set of rules (and policies) it matched. Finally reads local deliveries, the final
 * counters and the conntrack table.
 */
final class KernelRunner {
    private final KernelLab lab;

    KernelRunner(KernelLab lab) {
        this.lab = lab;
    }

    Observation run(DiffCase c) throws IOException {
        // Another process on the machine may reset nf_log_all_netns while a case runs: the case's
        // log lines are then incomplete, so it runs again.
        Observation o = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            lab.ensureLogAllNetns();
            o = runOnce(c);
            if (lab.logAllNetns()) {
                return o;
            }
        }
        return new Observation(o.packets(), o.counters(), o.conntrack(),
                "net.netfilter.nf_log_all_netns was reset by another process during every attempt: log lines incomplete");
    }

    private Observation runOnce(DiffCase c) throws IOException {
        String err = lab.load(c.rules4(), c.rules6(), c.forward());
        if (err != null) {
            return new Observation(List.of(), null, null, err);
        }
        Map<String, Integer> handles = KernelTrace.handles(lab.exec("", "nft", "-j", "-a", "list", "ruleset").stdout());
        boolean[] ownRaw = {false, false, false, false, KernelTrace.hasRaw(c.rules4()), false, KernelTrace.hasRaw(c.rules6())};
        java.util.Set<String> skip4 = LogLines.untaggable(c.rules4());
        java.util.Set<String> skip6 = LogLines.untaggable(c.rules6());
        lab.trace.clear();
        Map<Integer, Map<String, long[]>> counters = new HashMap<>();
        boolean[] used = new boolean[7];
        for (CasePacket p : c.packets()) {
            used[p.family()] = true;
        }
        for (int fam : new int[] {4, 6}) {
            counters.put(fam, familyCounters(fam));
        }
        List<KernelLab.Sent> sent = new ArrayList<>();
        List<List<String>> rules = new ArrayList<>();
        List<List<KernelTrace.Verdict>> traced = new ArrayList<>();
        List<List<String>> traceLines = new ArrayList<>();
        String failure = null;
        for (CasePacket p : c.packets()) {
            KernelLab.Sent s = lab.send(p.via(), p.ip());
            if (s.error() != null && failure == null) {
                failure = "packet " + (sent.size() + 1) + ": " + s.error();
            }
            KernelLab.Traced t = lab.traceUntilSentinel();
            List<String> trace = t == null ? null : t.lines();
            if (t != null && !t.complete()) {
                traced.add(null); // the monitor died: the counters decide
                traceLines.add(null);
            } else if (trace == null) {
                if (failure == null) {
                    failure = "packet " + (sent.size() + 1) + ": the trace sentinel did not show up";
                }
                traced.add(List.of());
                traceLines.add(null);
            } else {
                traced.add(KernelTrace.verdicts(trace, p.family(), p.identity(), p.via(), handles, ownRaw[p.family()]));
                traceLines.add(TraceLines.normalise(trace, p.identity(), lab.logTag));
                if (System.getenv("SDT_DEBUG_TRACE") != null) {
                    System.err.println("trace of packet " + (sent.size() + 1) + ":\n  " + String.join("\n  ", trace));
                }
            }
            sent.add(s);
            Map<String, long[]> after = familyCounters(p.family());
            rules.add(Counters.grown(counters.get(p.family()), after));
            counters.put(p.family(), after);
        }
        Set<Integer> del4 = used[4] ? lab.delivered(4) : Set.of();
        Set<Integer> del6 = used[6] ? lab.delivered(6) : Set.of();
        Map<String, Integer> lastOfIdentity = new HashMap<>();
        for (int k = 0; k < c.packets().size(); k++) {
            CasePacket p = c.packets().get(k);
            lastOfIdentity.put(p.family() + ":" + p.identity(), k);
        }
        List<Observation.PacketOutcome> outcomes = new ArrayList<>();
        for (int k = 0; k < c.packets().size(); k++) {
            CasePacket p = c.packets().get(k);
            boolean delivered = lastOfIdentity.get(p.family() + ":" + p.identity()) == k
                    && (p.family() == 4 ? del4 : del6).contains(p.identity());
            Map<String, List<byte[]>> seen = new LinkedHashMap<>();
            for (Map.Entry<String, List<byte[]>> e : sent.get(k).out().entrySet()) {
                List<byte[]> ips = new ArrayList<>();
                for (byte[] frame : e.getValue()) {
                    byte[] ip = Classifier.ipOfEthernet(frame);
                    if (ip != null) {
                        ips.add(ip);
                    }
                }
                seen.put(e.getKey(), ips);
            }
            List<String> log = LogLines.normalise(LogLines.fromKernel(sent.get(k).log(), lab.logTag), p.identity(),
                    p.family() == 4 ? skip4 : skip6);
            Observation.PacketOutcome o = Classifier.outcome(p.ip(), seen, delivered, rules.get(k), sent.get(k).timeNanos());
            String decided = traced.get(k) == null ? null : KernelTrace.decided(traced.get(k), o.fate().equals("drop"));
            outcomes.add(o.withTraceAndLog(decided, log, traceLines.get(k)));
        }
        Map<String, long[]> finalCounters = new LinkedHashMap<>();
        finalCounters.putAll(counters.get(4));
        finalCounters.putAll(counters.get(6));
        return new Observation(outcomes, finalCounters, lab.conntrack(), failure);
    }

    private Map<String, long[]> familyCounters(int family) throws IOException {
        KernelLab.Exec e = lab.exec("", family == 4 ? "iptables-save" : "ip6tables-save", "-c");
        return Counters.parseSave(family, e.stdout());
    }
}
