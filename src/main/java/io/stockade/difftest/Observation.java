package io.stockade.difftest;

import java.util.List;
import java.util.Map;

/**
 * What one side (the kernel or Stockade) did with a case, in comparable form.
 *
 * @param packets  per injected packet, in order
 * @param counters final rule/policy counters by {@link Counters} key, or null if the side cannot report them
 * @param conntrack normalised conntrack entries (sorted), or null if the side cannot report them
 * @param error    why the side could not run the case (rules refused, driver failure), or null
 */
record Observation(List<PacketOutcome> packets, Map<String, long[]> counters, List<String> conntrack, String error) {

    /**
     * One packet's fate.
     *
     * @param fate      {@code drop}, {@code local}, or {@code forward:<iface>} (several joined by ',')
     * @param emitted   packets the gateway generated because of it (REJECT replies…), as
     *                  {@code <iface> <hex>} with the kernel-chosen fields normalised ({@link Classifier})
     * @param forwarded the packet itself as it left, {@code <iface> <hex>} exactly
     * @param rules     the counter keys that grew for this packet (kernel) or the deciding rule (Stockade)
     * @param timeNanos when it was sent (kernel) — the timestamp written for the replay
     * @param decided   the deciding rule as a counter key ({@code 4:filter:INPUT:3}, {@code …:policy}): from the
     *                  kernel's trace ({@link KernelTrace}), or Stockade's verdict {@code rule}; null if none
     * @param log       the LOG lines written for it, {@code <PRI>TEXT}, normalised ({@link LogLines})
     * @param trace     the {@code xtables-monitor --trace} lines of it and of what it caused, normalised
     *                  ({@link TraceLines}); null when not observed
     */
    record PacketOutcome(String fate, List<String> emitted, List<String> forwarded, List<String> rules, long timeNanos,
            String decided, List<String> log, List<String> trace) {
        PacketOutcome {
            log = List.copyOf(log);
            trace = trace == null ? null : List.copyOf(trace);
        }

        /** The same outcome without a trace or log lines (callers that observe neither). */
        PacketOutcome(String fate, List<String> emitted, List<String> forwarded, List<String> rules, long timeNanos) {
            this(fate, emitted, forwarded, rules, timeNanos, null, List.of(), null);
        }

        PacketOutcome withTraceAndLog(String decidedKey, List<String> lines, List<String> traceLines) {
            return new PacketOutcome(fate, emitted, forwarded, rules, timeNanos, decidedKey, lines, traceLines);
        }

        PacketOutcome withForwarded(List<String> f) {
            return new PacketOutcome(fate, emitted, f, rules, timeNanos, decided, log, trace);
        }
    }
}
