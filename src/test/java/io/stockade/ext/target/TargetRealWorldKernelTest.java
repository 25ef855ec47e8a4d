package io.stockade.ext.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stockade.ext.Extensions;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.TableKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Differential test against Linux: every distinct target usage in ../shared's real-world rulesets
 * ({@code [-p P] -j TARGET options}, with its table) is added to an unreferenced user chain by
 * iptables-legacy / ip6tables-legacy in a throwaway network namespace and by Stockade's target
 * modules; both must accept or both refuse, and the saved text after {@code -j} must be the same.
 */
@Tag("kernel")
class TargetRealWorldKernelTest {
    static final Path DIR = Path.of("..", "shared", "conformance", "real-world-rulesets");
    private static final Pattern TARGET = Pattern.compile(" -j ([A-Z]+)((?: .*)?)$");
    private static final Pattern PROTO = Pattern.compile("(^| )(! )?-p (\\S+)");

    record Usage(Family family, String table, String rule) {
    }

    static Set<Usage> usages() throws IOException {
        Set<Usage> out = new LinkedHashSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(DIR)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path p : files) {
            String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            Family fam = p.toString().contains("ip6") || text.substring(0, Math.min(2000, text.length())).contains("::")
                    ? Family.IPV6 : Family.IPV4;
            String table = "filter";
            for (String line : text.split("\n")) {
                if (line.startsWith("*")) {
                    table = line.substring(1).trim();
                    continue;
                }
                Matcher m = TARGET.matcher(line);
                if (!line.startsWith("-A ") || !m.find() || m.group(2).contains("'")
                        || Extensions.target(m.group(1), fam) == null || TableKind.byName(table) == null) {
                    continue;
                }
                Matcher pm = PROTO.matcher(line);
                String proto = pm.find() ? (pm.group(2) == null ? "" : "! ") + "-p " + pm.group(3) + " " : "";
                String syn = m.group(1).equals("TCPMSS") && line.contains("--tcp-flags") ? "-m tcp --tcp-flags SYN,RST SYN " : "";
                out.add(new Usage(fam, table, proto + syn + "-j " + m.group(1) + m.group(2)));
            }
        }
        return out;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + cmd);
        }
        String s = new String(out, StandardCharsets.UTF_8);
        return p.exitValue() == 0 ? "OK " + s : "ERR " + s;
    }

    private static boolean protocolKnown(String rule) {
        Matcher pm = PROTO.matcher(rule);
        if (!pm.find()) {
            return true;
        }
        try {
            TargetHarness.protoNumber(pm.group(3));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Test
    void realWorldTargetsAsLinux() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true: kernel comparison tests need root and network namespaces");
        }
        assumeTrue(root, "needs root, network namespaces and iptables-legacy; skipped");
        assumeTrue(Files.isDirectory(DIR), "../shared/conformance/real-world-rulesets is absent; skipped");
        String ns = "stk-tgt-" + ProcessHandle.current().pid();
        List<String> bad = new ArrayList<>();
        int compared = 0;
        run(List.of("ip", "netns", "add", ns));
        try {
            for (Usage u : usages()) {
                if (!protocolKnown(u.rule())) {
                    continue;
                }
                String tool = u.family() == Family.IPV4 ? "iptables-legacy" : "ip6tables-legacy";
                List<String> base = List.of("ip", "netns", "exec", ns, tool, "-t", u.table());
                run(concat(base, "-N", "X"));
                List<String> add = new ArrayList<>(concat(base, "-A", "X"));
                add.addAll(io.stockade.testing.UpstreamVectors.words(u.rule()));
                String linux = run(add);
                String want = null;
                if (linux.startsWith("OK")) {
                    String save = run(List.of("ip", "netns", "exec", ns, tool + "-save", "-t", u.table()));
                    for (String l : save.split("\n")) {
                        if (l.startsWith("-A X ")) {
                            want = l.substring(l.indexOf("-j "));
                        }
                    }
                }
                run(concat(base, "-F", "X"));
                run(concat(base, "-X", "X"));
                String got;
                TableKind t = TableKind.byName(u.table());
                try {
                    TargetHarness.Rule r = TargetHarness.parse(u.family(), t, u.rule());
                    CheckEnv env = TargetHarness.env(u.family(), t, io.stockade.rules.Hook.INPUT, r.proto(), r.invProto(),
                            r.matches());
                    String err = r.target().check(new CheckEnv(u.family(), t, 0, env.ip(), r.matches()));
                    got = err == null ? TargetHarness.save(r.target()) : null;
                } catch (ParameterProblem e) {
                    got = null;
                }
                compared++;
                if ((want == null) != (got == null) || want != null && !want.equals(got)) {
                    bad.add(u + "\n    linux:    " + (want == null ? linux.strip() : want) + "\n    stockade: " + got);
                }
            }
        } finally {
            run(List.of("ip", "netns", "del", ns));
        }
        assertTrue(compared > 100, "usages compared: " + compared);
        assertEquals("", String.join("\n", bad), bad.size() + " of " + compared + " real-world target usages differ");
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(b));
        return l;
    }
}
