package io.stockade.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.ext.match.IpSets;
import io.stockade.rules.Family;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SET target syntax as iptables 1.8.9 answers it (golden lines taken from iptables-legacy in a
 * namespace with ipset; re-checked live against the installed iptables-nft, Debian's default, whose
 * checkentry refusals exit 4 with "RULE_APPEND failed" where legacy exits 1): save order, {@code -L}, option
 * errors, and checkentry's table/hook limits for {@code --map-set}.
 */
class SetTargetSyntaxTest {
    static final String SETS = """
            create stg_foo hash:ip family inet hashsize 1024 maxelem 65536 timeout 60
            create stg_bar hash:ip,port family inet hashsize 1024 maxelem 65536
            create stg_mp hash:ip family inet hashsize 1024 maxelem 65536 skbinfo
            """;
    static final String[] OK = {
        "-A INPUT -j SET --add-set stg_foo src",
        "-A INPUT -j SET --add-set stg_foo src,dst --exist --timeout 30",
        "-A INPUT -j SET --del-set stg_bar src,dst",
        "-A INPUT -j SET --add-set stg_foo src --del-set stg_bar dst,dst",
        "-A INPUT -j SET --add-set stg_foo src --timeout 0",
        "-A INPUT -j SET ! --add-set stg_foo src",
        "-A INPUT -j SET --add-set stg_foo src --timeout 0x10",
        "-A INPUT -j SET --add-set stg_foo src --exist --exist",
        "-t mangle -A PREROUTING -j SET --map-set stg_mp src --map-mark",
        "-t mangle -A FORWARD -j SET --map-set stg_mp src --map-prio --map-queue --map-mark",
        "-t mangle -A FORWARD -j SET --timeout 5 --map-set stg_mp dst --map-queue --exist --del-set stg_bar src,dst"
                + " --add-set stg_foo src --map-mark",
    };
    static final String[] FAIL = {
        "-A INPUT -j SET --add-set stg_foo src --timeout 4294967295",
        "-A INPUT -j SET --add-set stg_foo src --timeout abc",
        "-A INPUT -j SET --add-set stg_nosuch src",
        "-A INPUT -j SET --add-set stg_foo",
        "-A INPUT -j SET --add-set stg_foo stg_foo",
        "-A INPUT -j SET --add-set stg_foo src --add-set stg_foo dst",
        "-A INPUT -j SET --exist",
        "-A INPUT -j SET",
        "-A INPUT -j SET --map-set stg_mp src --map-mark",
        "-t mangle -A PREROUTING -j SET --map-set stg_mp src --map-prio",
        "-t mangle -A FORWARD -j SET --map-set stg_mp src",
        "-A INPUT -j SET --add-set stg_foo src,dst,src,dst,src,dst,src",
        "-t mangle -A FORWARD -j SET --del-set stg_bar src,dst --exist --timeout 7",
        "-A INPUT -j SET --map-mark --add-set stg_foo src",
    };
    static final String SAVED = """
            -A INPUT -j SET --add-set stg_foo src
            -A INPUT -j SET --add-set stg_foo src,dst --exist --timeout 30
            -A INPUT -j SET --del-set stg_bar src,dst
            -A INPUT -j SET --add-set stg_foo src --del-set stg_bar dst,dst
            -A INPUT -j SET --add-set stg_foo src --timeout 0
            -A INPUT -j SET --add-set stg_foo src
            -A INPUT -j SET --add-set stg_foo src --timeout 16
            -A INPUT -j SET --add-set stg_foo src --exist
            """;
    static final String MANGLE_SAVED = """
            -A PREROUTING -j SET --map-set stg_mp src --map-mark
            -A FORWARD -j SET --map-set stg_mp src --map-mark --map-prio --map-queue
            -A FORWARD -j SET --add-set stg_foo src --exist --timeout 5 --del-set stg_bar src,dst --map-set stg_mp dst --map-mark --map-queue
            """;

    @BeforeAll
    static void sets() throws Exception {
        IpSets.load(SETS);
    }

    @Test
    void saveListAndErrors() {
        Harness h = new Harness();
        for (String c : OK) {
            assertEquals(0, h.run(Family.IPV4, c), c + ": " + h.lastErr);
        }
        for (String c : FAIL) {
            assertEquals(true, h.run(Family.IPV4, c) != 0, c);
        }
        assertEquals(SAVED, h.save(Family.IPV4).lines().filter(l -> l.startsWith("-A INPUT")).map(l -> l + "\n")
                .reduce("", String::concat));
        assertEquals(MANGLE_SAVED, h.save(Family.IPV4).lines().filter(l -> l.contains("SET --")).filter(l -> !l.startsWith("-A INPUT"))
                .map(l -> l + "\n").reduce("", String::concat));
        assertEquals(0, h.run(Family.IPV4, "-t mangle -L FORWARD -n"));
        assertEquals(true, h.lastOut.contains("SET        0    --  0.0.0.0/0            0.0.0.0/0            "
                + "add-set stg_foo src exist timeout 5 del-set stg_bar src,dst map-set stg_mp dst map-mark map-queue\n"), h.lastOut);
        assertEquals(2, h.run(Family.IPV4, "-A INPUT -j SET --add-set stg_nosuch src"));
        assertEquals("iptables v1.8.9 (nf_tables): Set stg_nosuch doesn't exist.", h.lastErr.lines().findFirst().orElse(""));
        assertEquals(2, h.run(Family.IPV4, "-A INPUT -j SET --exist"));
        assertEquals("iptables v1.8.9 (nf_tables): You must specify either `--add-set' or `--del-set' or `--map-set'",
                h.lastErr.lines().findFirst().orElse(""));
    }

    /** Every command through the installed iptables 1.8.9 (nf_tables) with the same ipsets: same exit status, -S/-L output, and usage errors. */
    @Test
    @Tag("kernel")
    void sameAsTheInstalledIptables() throws Exception {
        LiveIptablesTest.requireRoot();
        String ns = "stkd-settg-" + ProcessHandle.current().pid();
        assertEquals(0, LiveIptablesTest.run(List.of("ip", "netns", "add", ns)).rc());
        List<String> mismatches = new ArrayList<>();
        try {
            for (String l : SETS.split("\n")) {
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "ipset"));
                argv.addAll(List.of(l.split(" ")));
                assertEquals(0, LiveIptablesTest.run(argv).rc(), l);
            }
            Cli c = new Cli();
            List<String> cmds = new ArrayList<>(List.of(OK));
            cmds.addAll(List.of(FAIL));
            cmds.addAll(List.of("-S", "-L", "-nL", "-t mangle -S", "-t mangle -L", "-t mangle -nvL"));
            for (String cmd : cmds) {
                List<String> args = ShellWords.split(cmd);
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "iptables"));
                argv.addAll(args);
                LiveIptablesTest.Proc real = LiveIptablesTest.run(argv);
                Cli.Result ours = c.run("iptables", args.toArray(new String[0]));
                String realErr = real.err().replace("(legacy)", "(nf_tables)");
                if (real.rc() != ours.rc() || !real.out().equals(ours.out())
                        || real.rc() == 2 && !realErr.equals(ours.err())) {
                    mismatches.add(LiveIptablesTest.mismatch(cmd, real, ours));
                }
            }
        } finally {
            LiveIptablesTest.run(List.of("ip", "netns", "del", ns));
        }
        assertEquals(List.of(), mismatches);
    }
}
