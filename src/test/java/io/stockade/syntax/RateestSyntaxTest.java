package io.stockade.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.stockade.rules.Family;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RATEEST / rateest syntax: save, -L and -nL exactly as iptables 1.8.9 prints them (golden lines
 * taken from iptables 1.8.9 in a namespace, and re-checked live by the kernel-tagged test), the
 * optional separate-word rate arguments, and checkentry's estimator lookup across tables and
 * families.
 */
class RateestSyntaxTest {
    static final String[] DEFS = {
        "-I INPUT -j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms",
        "-I INPUT -j RATEEST --rateest-name RE2 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms",
    };
    static final String[] RULES = {
        "-m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit",
        "-m rateest --rateest RE1 --rateest-eq --rateest-pps 5",
        "-m rateest --rateest RE1 --rateest-gt --rateest-bps 5kbit",
        "-m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit",
        "-m rateest --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2",
        "-m rateest --rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2",
        "-m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9",
        "-m rateest --rateest RE1 ! --rateest-lt --rateest-bps 8000000bit",
        "-m rateest --rateest RE1 --rateest-lt --rateest-bps 9mbit",
        "-m rateest --rateest RE1 --rateest-lt --rateest-bps 2000mbit",
        "-m rateest --rateest RE1 --rateest-lt --rateest-bps 1234",
        "-m rateest --rateest RE1 --rateest-bps --rateest-lt",
        "-m rateest --rateest-delta --rateest RE1 --rateest-bps1 --rateest-lt --rateest-bps2 16bit",
        "-m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-pps1 3 --rateest-lt --rateest-bps2 16bit --rateest-pps2 5",
    };
    /** iptables 1.8.9's -S lines for RULES, in order. */
    static final String[] SAVED = {
        "--rateest RE1 --rateest-lt --rateest-bps 8bit",
        "--rateest RE1 --rateest-eq --rateest-pps 5",
        "--rateest RE1 --rateest-gt --rateest-bps 5000bit",
        "--rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit",
        "--rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2",
        "--rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2",
        "--rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9",
        "--rateest RE1 ! --rateest-lt --rateest-bps 8000Kbit",
        "--rateest RE1 --rateest-lt --rateest-bps 9000Kbit",
        "--rateest RE1 --rateest-lt --rateest-bps 2000Mbit",
        "--rateest RE1 --rateest-lt --rateest-bps 1232bit",
        "--rateest RE1 --rateest-lt --rateest-bps 0bit",
        "--rateest-delta --rateest RE1 --rateest-bps1 0bit --rateest-lt --rateest-bps2 16bit",
        "--rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit --rateest-pps1 3 --rateest-lt --rateest-pps2 5",
    };
    /** iptables 1.8.9's -L and -nL last column for RULES. */
    static final String[] LISTED = {
        "rateest match RE1 bps 8bit lt|rateest match RE1 bps 1 lt",
        "rateest match RE1 pps eq 5|rateest match RE1 pps eq 5",
        "rateest match RE1 bps 5000bit gt|rateest match RE1 bps 625 gt",
        "rateest match RE1 delta bps 8bit 16bit lt|rateest match RE1 delta bps 1 2 lt",
        "rateest match RE1 bps lt RE2 bps|rateest match RE1 bps lt RE2 bps",
        "rateest match RE1 delta pps 0 lt RE2 pps 42|rateest match RE1 delta pps 0 lt RE2 pps 42",
        "rateest match RE1 delta pps 8 gt 9|rateest match RE1 delta pps 8 gt 9",
        "rateest match RE1 bps 8000Kbit ! lt|rateest match RE1 bps 1000000 ! lt",
        "rateest match RE1 bps 9000Kbit lt|rateest match RE1 bps 1125000 lt",
        "rateest match RE1 bps 2000Mbit lt|rateest match RE1 bps 250000000 lt",
        "rateest match RE1 bps 1232bit lt|rateest match RE1 bps 154 lt",
        "rateest match RE1 bps 0bit lt|rateest match RE1 bps 0 lt",
        "rateest match RE1 delta bps 0bit 16bit lt|rateest match RE1 delta bps 0 2 lt",
        "rateest match RE1 delta bps 8bit 16bit lt pps 3 lt 5|rateest match RE1 delta bps 1 2 lt pps 3 lt 5",
    };

    @Test
    void saveAndListAsIptables189() {
        Harness h = new Harness();
        for (String d : DEFS) {
            assertEquals(0, h.run(Family.IPV4, d), h.lastErr);
        }
        for (int i = 0; i < RULES.length; i++) {
            assertEquals(0, h.run(Family.IPV4, "-A INPUT " + RULES[i]), RULES[i] + ": " + h.lastErr);
        }
        String[] saved = h.save(Family.IPV4).lines().filter(l -> l.contains("-m rateest")).toArray(String[]::new);
        assertEquals(SAVED.length, saved.length);
        for (int i = 0; i < SAVED.length; i++) {
            assertEquals("-A INPUT -m rateest " + SAVED[i], saved[i]);
        }
        assertEquals(0, h.run(Family.IPV4, "-L INPUT"));
        String[] listed = h.lastOut.lines().filter(l -> l.contains("rateest match")).toArray(String[]::new);
        assertEquals(0, h.run(Family.IPV4, "-nL INPUT"));
        String[] numeric = h.lastOut.lines().filter(l -> l.contains("rateest match")).toArray(String[]::new);
        for (int i = 0; i < LISTED.length; i++) {
            String[] want = LISTED[i].split("\\|");
            assertEquals(want[0], listed[i].substring(listed[i].indexOf("rateest match")));
            assertEquals(want[1], numeric[i].substring(numeric[i].indexOf("rateest match")));
        }
        // every saved line is accepted again and deletes its rule
        for (String s : SAVED) {
            assertEquals(0, h.run(Family.IPV4, "-D INPUT -m rateest " + s), s + ": " + h.lastErr);
        }
    }

    @Test
    void estimatorsAreLookedUpInTheWholeRuleset() {
        Harness h = new Harness();
        String rule = "-A INPUT -m rateest --rateest RE1 --rateest-lt --rateest-pps 5";
        assertEquals(4, h.run(Family.IPV4, rule));
        assertEquals("iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain INPUT",
                h.lastErr.lines().findFirst().orElse(""));
        // defined in the mangle table of the other family: estimators are per network namespace
        assertEquals(0, h.run(Family.IPV6, "-t mangle -A FORWARD -j RATEEST --rateest-name RE1"
                + " --rateest-interval 1s --rateest-ewmalog 4s"));
        assertEquals(0, h.run(Family.IPV4, rule), h.lastErr);
        // relative mode needs both
        assertEquals(4, h.run(Family.IPV4, "-A INPUT -m rateest --rateest1 RE1 --rateest-gt --rateest-bps --rateest2 X"));
        // a second definition with other parameters is refused by checkentry
        assertEquals(4, h.run(Family.IPV4, "-A OUTPUT -j RATEEST --rateest-name RE1 --rateest-interval 250ms"
                + " --rateest-ewmalog 4s"));
        assertEquals(0, h.run(Family.IPV4, "-A OUTPUT -j RATEEST --rateest-name RE1 --rateest-interval 1s"
                + " --rateest-ewmalog 4s"), h.lastErr);
    }

    @Test
    void parseErrors() {
        Harness h = new Harness();
        h.run(Family.IPV4, DEFS[0]);
        String[][] cases = {
            {"-m rateest --rateest RE1 --rateest-lt --rateest-bps 8foo", "rateest: could not parse rate `8foo'"},
            {"-m rateest --rateest RE1 --rateest-lt --rateest-pps 1.5", "rateest: could not parse pps `1.5'"},
            {"-m rateest --rateest RE1 --rateest RE1", "rateest: can't specify --rateest1 twice"},
            {"-m rateest --rateest RE1 --rateest-lt --rateest-lt", "rateest: can't specify lt/gt/eq twice"},
            {"-m rateest --rateest RE1 --rateest-pps 5 --rateest-pps 6", "rateest: can't specify --rateest-pps2 twice"},
            {"-m rateest --rateest RE1 ! --rateest-delta", "rateest: rateest-delta can't be inverted"},
            {"-m rateest ! --rateest RE1", "rateest: rateest can't be inverted"},
            {"-m rateest --rateest RE1 ! --rateest-bps 5", "rateest: rateest-bps can't be inverted"},
        };
        for (String[] c : cases) {
            assertNotEquals(0, h.run(Family.IPV4, "-A INPUT " + c[0]), c[0]);
            assertEquals(c[1], h.lastErr.lines().findFirst().orElse("").replaceFirst("^ip6?tables v[^:]*: ", ""), c[0]);
        }
        // no bps/pps, or no mode: the kernel's EINVAL
        assertEquals(4, h.run(Family.IPV4, "-A INPUT -m rateest --rateest RE1 --rateest-lt"));
        assertEquals(4, h.run(Family.IPV4, "-A INPUT -m rateest --rateest RE1 --rateest-pps 5"));
        assertEquals(4, h.run(Family.IPV4, "-A INPUT -m rateest"));
        // lt then gt: both accepted, the last one counts
        assertEquals(0, h.run(Family.IPV4, "-A INPUT -m rateest --rateest RE1 --rateest-lt --rateest-gt --rateest-pps 4"));
        assertEquals(0, h.run(Family.IPV4, "-C INPUT -m rateest --rateest RE1 --rateest-gt --rateest-pps 4"));
        // names are cut to 15 characters (IFNAMSIZ) in the target and the match
        assertEquals(0, h.run(Family.IPV4, "-A INPUT -j RATEEST --rateest-name ABCDEFGHIJKLMNOPQRST"
                + " --rateest-interval 1s --rateest-ewmalog 2s"));
        assertEquals(0, h.run(Family.IPV4, "-A INPUT -m rateest --rateest ABCDEFGHIJKLMNOxyz --rateest-lt --rateest-pps 3"));
        assertEquals(true, h.save(Family.IPV4).contains("--rateest-name ABCDEFGHIJKLMNO --rateest-interval 1.0s"));
    }

    /** The same rules through iptables 1.8.9 in a namespace: -S, -L and -nL agree line for line. */
    @Test
    @Tag("kernel")
    void sameListingAsTheInstalledIptables() throws Exception {
        LiveIptablesTest.requireRoot();
        String ns = "stkd-rateest-" + ProcessHandle.current().pid();
        assertEquals(0, LiveIptablesTest.run(List.of("ip", "netns", "add", ns)).rc());
        List<String> mismatches = new ArrayList<>();
        try {
            Cli c = new Cli();
            List<String> cmds = new ArrayList<>(List.of(DEFS));
            for (String r : RULES) {
                cmds.add("-A INPUT " + r);
            }
            cmds.add("-A INPUT -m rateest --rateest NOPE --rateest-lt --rateest-pps 5");
            cmds.add("-A INPUT -m rateest --rateest RE1 --rateest-lt --rateest-bps 8foo");
            cmds.addAll(List.of("-S", "-L", "-nL", "-L -v -x"));
            for (String cmd : cmds) {
                List<String> args = ShellWords.split(cmd);
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "iptables-legacy"));
                argv.addAll(args);
                LiveIptablesTest.Proc real = LiveIptablesTest.run(argv);
                Cli.Result ours = c.run("iptables", args.toArray(new String[0]));
                if ((real.rc() == 0) != (ours.rc() == 0) || !real.out().equals(ours.out())) {
                    mismatches.add(LiveIptablesTest.mismatch(cmd, real, ours));
                }
            }
        } finally {
            LiveIptablesTest.run(List.of("ip", "netns", "del", ns));
        }
        assertEquals(List.of(), mismatches);
    }
}
