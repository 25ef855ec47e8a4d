package io.stockade.difftest;

import java.util.List;

/**
 * Prints a (shrunk) disagreement so it can be re-run and pasted: the differences, the rulesets,
 * the packets (entry point, label, hex), the kernel's fates, the command that re-runs the case,
 * and a JUnit snippet that asserts Stockade gives the kernel's fates and emitted packets ({@link Regression}).
 */
final class Reproduction {
    private Reproduction() {
    }

    static String format(DiffCase c, Observation kernel, List<String> diffs) {
        StringBuilder b = new StringBuilder();
        b.append("=== disagreement: seed ").append(c.seed()).append(" case ").append(c.index()).append(' ').append(c.areas()).append('\n');
        for (String d : diffs) {
            b.append("  - ").append(d).append('\n');
        }
        b.append("rerun: stockade difftest --seed ").append(c.seed()).append(" --case ").append(c.index()).append('\n');
        b.append("ip_forward=").append(c.forward() ? 1 : 0).append('\n');
        if (!c.rules4().isBlank()) {
            b.append("--- iptables-save\n").append(c.rules4());
        }
        if (!c.rules6().isBlank()) {
            b.append("--- ip6tables-save\n").append(c.rules6());
        }
        b.append("--- packets (entry, packet, kernel fate, rules matched)\n");
        long t0 = kernel.packets().isEmpty() ? 0 : kernel.packets().getFirst().timeNanos();
        StringBuilder pk = new StringBuilder();
        StringBuilder fates = new StringBuilder();
        StringBuilder times = new StringBuilder();
        for (int k = 0; k < c.packets().size(); k++) {
            CasePacket p = c.packets().get(k);
            Observation.PacketOutcome o = k < kernel.packets().size() ? kernel.packets().get(k) : null;
            b.append(String.format("%2d %-5s %s%n   %s%n", k + 1, p.via(), p.label(), Pkt.hex(p.ip())));
            if (o != null) {
                b.append("   kernel: ").append(o.fate()).append(' ').append(o.rules());
                if (!o.emitted().isEmpty()) {
                    b.append(" emitted ").append(o.emitted());
                }
                b.append('\n');
            }
            pk.append(k == 0 ? "" : ",\n").append("                Regression.packet(\"").append(p.via()).append("\", \"")
                    .append(Pkt.hex(p.ip())).append("\")");
            fates.append(k == 0 ? "" : ",\n                    ").append('"').append(o == null ? "?" : Regression.describe(o)).append('"');
            times.append(k == 0 ? "" : ", ").append(o == null ? 1_000_000L * k : o.timeNanos() - t0).append('L');
        }
        b.append("--- JUnit\n");
        b.append("    @Test\n    void difftestSeed").append(Long.toString(c.seed()).replace('-', 'm')).append("Case").append(c.index())
                .append("() throws Exception {\n");
        b.append("        assertEquals(List.of(").append(fates).append("),\n");
        b.append("            Regression.stockadeOutcomes(\"\"\"\n").append(indent(c.rules4())).append("                \"\"\", \"\"\"\n")
                .append(indent(c.rules6())).append("                \"\"\", ").append(c.forward()).append(", List.of(\n")
                .append(pk).append("),\n                new long[] {").append(times).append("}));\n    }\n");
        return b.toString();
    }

    private static String indent(String s) {
        StringBuilder b = new StringBuilder();
        for (String l : s.lines().toList()) {
            b.append("                ").append(l.replace("\\", "\\\\")).append('\n');
        }
        return b.toString();
    }
}
