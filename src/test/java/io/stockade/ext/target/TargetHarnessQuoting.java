package io.stockade.ext.target;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stockade.rules.Family;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.TableKind;

/** The LOG prefix escape case, which the shell-like tokenizer cannot express. Test-only. */
final class TargetHarnessQuoting {
    private TargetHarnessQuoting() {
    }

    /** iptables-legacy-save printed {@code --log-prefix "a\"b\\c\'d"} for the prefix a"b\c'd. */
    static void assertLogPrefixEscapes() {
        LogTarget ext = new LogTarget();
        var p = ext.newParser(new io.stockade.rules.ParseEnv(Family.IPV4, TableKind.RAW));
        try {
            p.parse(ext.options().get(1), "a\"b\\c'd", false);
            assertEquals("-j LOG --log-prefix \"a\\\"b\\\\c\\'d\"", TargetHarness.save(p.finish()));
        } catch (ParameterProblem e) {
            throw new AssertionError(e);
        }
    }
}
