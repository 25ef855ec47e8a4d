package io.stockade.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.rules.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * iptables-restore semantics (FORMAT.md §B, ipt-restore/* shell tests) and its error wording as
 * iptables-restore 1.8.9 (nf_tables) printed it here for the same inputs.
 */
class RestoreTest {
    static final Restore.Options NOFLUSH = new Restore.Options(true, false, false, 0, null);
    static final Restore.Options COUNTERS = new Restore.Options(false, false, true, 0, null);

    /** libxtables' messages end in a newline: iptables-restore 1.8.9 prints a blank line before the line number. */
    @Test
    void moduleErrorsKeepTheirBlankLine() {
        Harness h = new Harness();
        assertEquals("iptables-restore v1.8.9 (nf_tables): mark: option \"--mark\" must be specified\n\n"
                + "Error occurred at line: 2\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
                h.restore(Family.IPV4, "*filter\n-A INPUT -m mark\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore v1.8.9 (nf_tables): invalid port/service `x' specified\n"
                + "Error occurred at line: 2\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
                h.restore(Family.IPV4, "*filter\n-A INPUT -p tcp --dport x\nCOMMIT\n", Restore.Options.DEFAULT));
    }

    @Test
    void orderingInsideOneBatchUsesIndicesOfThatPoint() {
        Harness h = new Harness();
        assertNull(h.restore(Family.IPV4, """
                *filter
                -A FORWARD -m comment --comment "rule 4" -j ACCEPT
                -I FORWARD -m comment --comment "rule 1" -j ACCEPT
                -I FORWARD 2 -m comment --comment "rule 2" -j ACCEPT
                -I FORWARD 3 -m comment --comment "rule 3" -j ACCEPT
                -A FORWARD -m comment --comment "rule 5" -j ACCEPT
                -D FORWARD -m comment --comment "rule 5" -j ACCEPT
                -A FORWARD -m comment --comment "rule x" -j ACCEPT
                -R FORWARD 5 -m comment --comment "rule 5" -j ACCEPT
                COMMIT
                """, Restore.Options.DEFAULT));
        h.run(Family.IPV4, "-S FORWARD");
        assertEquals("""
                -P FORWARD ACCEPT
                -A FORWARD -m comment --comment "rule 1" -j ACCEPT
                -A FORWARD -m comment --comment "rule 2" -j ACCEPT
                -A FORWARD -m comment --comment "rule 3" -j ACCEPT
                -A FORWARD -m comment --comment "rule 4" -j ACCEPT
                -A FORWARD -m comment --comment "rule 5" -j ACCEPT
                """, h.lastOut);
    }

    @Test
    void flushOnlyTablesInTheInputAndNoflushKeeps() {
        Harness h = new Harness();
        h.run(Family.IPV4, "-A INPUT -j ACCEPT");
        h.run(Family.IPV4, "-t nat -A OUTPUT -j ACCEPT");
        h.run(Family.IPV4, "-N foo");
        assertNull(h.restore(Family.IPV4, "*filter\n-A FORWARD -j DROP\nCOMMIT\n", NOFLUSH));
        assertTrue(h.save(Family.IPV4).contains("-A INPUT -j ACCEPT\n-A FORWARD -j DROP\n"));
        assertNull(h.restore(Family.IPV4, "*filter\n-A FORWARD -j DROP\nCOMMIT\n", Restore.Options.DEFAULT));
        String s = h.save(Family.IPV4);
        assertTrue(!s.contains("-A INPUT -j ACCEPT") && !s.contains(":foo"), s);
        assertTrue(s.contains("-A OUTPUT -j ACCEPT"), "nat was not in the input and stays: " + s);
    }

    @Test
    void tableOptionSelectsOneTable() {
        Harness h = new Harness();
        assertNull(h.restore(Family.IPV4, "*nat\n-A OUTPUT -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -j DROP\nCOMMIT\n",
                new Restore.Options(false, false, false, 0, "filter")));
        assertEquals("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n",
                h.save(Family.IPV4));
    }

    @Test
    void familyPrefixedLinesAreSkippedByTheOtherFamily() {
        Harness h = new Harness();
        assertNull(h.restore(Family.IPV4, "*filter\n-6 -A INPUT -j DROP\n-4 -A INPUT -j ACCEPT\nCOMMIT\n",
                Restore.Options.DEFAULT));
        assertTrue(h.save(Family.IPV4).contains("-A INPUT -j ACCEPT\nCOMMIT"));
        assertTrue(!h.save(Family.IPV4).contains("DROP"));
    }

    @Test
    void countersOnlyWithDashC() {
        Harness h = new Harness();
        String in = "*filter\n:INPUT DROP [7:8]\n:foo - [23:42]\n[13:37] -A INPUT -j foo\nCOMMIT\n";
        assertNull(h.restore(Family.IPV4, in, Restore.Options.DEFAULT));
        assertEquals("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:foo - [0:0]\n"
                + "[0:0] -A INPUT -j foo\nCOMMIT\n", h.saveCounters(Family.IPV4));
        assertNull(h.restore(Family.IPV4, in, COUNTERS));
        assertEquals("*filter\n:INPUT DROP [7:8]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:foo - [0:0]\n"
                + "[13:37] -A INPUT -j foo\nCOMMIT\n", h.saveCounters(Family.IPV4));
    }

    @Test
    void testModeChangesNothing() {
        Harness h = new Harness();
        assertNull(h.restore(Family.IPV4, "*filter\n-A INPUT -j DROP\nCOMMIT\n", new Restore.Options(false, true, false, 0, null)));
        assertEquals("", h.save(Family.IPV4));
    }

    @Test
    void aFailingTableChangesNothingAndEarlierTablesStay() {
        Harness h = new Harness();
        h.run(Family.IPV4, "-A INPUT -j ACCEPT");
        String err = h.restore(Family.IPV4, "*nat\n-A OUTPUT -j ACCEPT\nCOMMIT\n*filter\n-A FORWARD -j DROP\n-A nochain -j DROP\nCOMMIT\n",
                Restore.Options.DEFAULT);
        assertEquals("iptables-restore: line 6 failed: No chain/target/match by that name.", err);
        String s = h.save(Family.IPV4);
        assertTrue(s.contains("-A INPUT -j ACCEPT") && !s.contains("FORWARD -j DROP") && s.contains("-A OUTPUT -j ACCEPT"), s);
    }

    @Test
    void errorsAreWordedAsIptablesRestore() {
        assertEquals("iptables-restore v1.8.9 (nf_tables): unknown option \"--foo\"\nError occurred at line: 2\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
                new Harness().restore(Family.IPV4, "*filter\n-A INPUT --foo\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore: COMMIT expected at line 3",
                new Harness().restore(Family.IPV4, "*filter\n-A INPUT -j ACCEPT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore v1.8.9 (nf_tables): iptables-restore: line 1 table name 'foo' invalid\n"
                + "Error occurred at line: 1\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.",
                new Harness().restore(Family.IPV4, "*foo\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore: line 2 failed: Bad policy name.",
                new Harness().restore(Family.IPV4, "*filter\n:INPUT FOO [0:0]\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore v1.8.9 (nf_tables): The -t option cannot be used in iptables-restore.\n\n"
                + "Error occurred at line: 2\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.",
                new Harness().restore(Family.IPV4, "*filter\n-A INPUT -t filter -j ACCEPT\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore v1.8.9 (nf_tables): Chain 'nochain' does not exist\nError occurred at line: 3\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
                new Harness().restore(Family.IPV4, "*filter\n-A INPUT -j nochain\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore v1.8.9 (nf_tables): Bad line 2: need ]\nError occurred at line: 2\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
                new Harness().restore(Family.IPV4, "*filter\n[1:2 -A INPUT\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore: line 3 failed: Chain already exists.",
                new Harness().restore(Family.IPV4, "*filter\n-N foo\n-N foo\nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore v1.8.9 (nf_tables): no command specified\nError occurred at line: 2\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
                new Harness().restore(Family.IPV4, "*filter\n  \nCOMMIT\n", Restore.Options.DEFAULT));
        assertEquals("iptables-restore v1.8.9 (nf_tables): invalid policy counters for chain 'FORWARD'\nError occurred at line: 2\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
                new Harness().restore(Family.IPV4, "*filter\n:FORWARD ACCEPT bar\nCOMMIT\n", Restore.Options.DEFAULT));
    }

    @Test
    void quotingCrlfJunkAndHugeLinesNeverCrash() {
        Harness h = new Harness();
        assertNull(h.restore(Family.IPV4, "*filter\r\n-A INPUT -m comment --comment \"a b\\\" c\" -j ACCEPT \r\nCOMMIT\r\n",
                Restore.Options.DEFAULT));
        assertTrue(h.save(Family.IPV4).contains("-A INPUT -m comment --comment \"a b\\\" c\" -j ACCEPT\n"), h.save(Family.IPV4));
        String junk = "*filter\n" + "\u0000\u0001\u00ff binary \"junk\n" + "COMMIT\n";
        assertTrue(new Harness().restore(Family.IPV4, junk, Restore.Options.DEFAULT).startsWith("Bad argument"));
        String huge = "*filter\n-A INPUT -m comment --comment " + "x".repeat(10 * 1024 * 1024) + "\nCOMMIT\n";
        assertTrue(new Harness().restore(Family.IPV4, huge, Restore.Options.DEFAULT).contains("Parameter too long!"));
        assertNull(new Harness().restore(Family.IPV4, "*filter\n-A INPUT -m comment --comment \"unterminated\nCOMMIT\n",
                Restore.Options.DEFAULT));
    }

    @Test
    void upstreamSaveDumpsRoundTrip() throws IOException {
        Path dir = Path.of("..", "shared", "conformance", "iptables-extensions", "shell-dumps", "ipt-save", "dumps");
        assumeTrue(Files.isDirectory(dir), "../shared shell-dumps absent; skipping");
        for (String name : new String[] {"ipt-save-filter.txt", "policy-drop.txt", "wireless.txt"}) {
            String text = Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
            Harness h = new Harness();
            String err = h.restore(Family.IPV4, text, Restore.Options.DEFAULT);
            if (err != null && RealWorldRulesetsTest.missingModule(err) != null) {
                System.out.println(name + ": waiting for " + RealWorldRulesetsTest.missingModule(err));
                continue;
            }
            assertNull(err, name);
            StringBuilder expected = new StringBuilder();
            text.lines().filter(l -> !l.startsWith("#")).forEach(l -> expected.append(l).append('\n'));
            assertEquals(expected.toString(), h.save(Family.IPV4), name);
        }
    }
}
