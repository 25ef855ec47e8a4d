package io.stockade.ext.target;

import io.stockade.ext.match.ValMask;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.TableKind;
import io.stockade.syntax.Numbers;

/**
 * Argument parsing and error texts shared by the target modules, as libxtables does them
 * ({@code xtables_strtoul}, the x6 option types and their messages). Control plane only.
 */
final class TargetArgs {
    /** The text iptables prints when the kernel's checkentry refuses a rule (EINVAL). */
    static final String EINVAL = "Invalid argument. Run `dmesg' for more information.";
    /** The text iptables prints for ENOENT (e.g. an unknown conntrack helper or a missing set). */
    static final String ENOENT = "No chain/target/match by that name.";

    private TargetArgs() {
    }

    /**
     * strtoul(s, base 0) over the whole string, as {@code xtables_strtoul}: decimal, {@code 0x}
     * hex or leading-zero octal; no sign, no trailing characters. Returns -1 when invalid or
     * above {@code max}.
     */
    static long parseUnsigned(String s, long max) {
        return Numbers.parseUnsigned(s, 0, max);
    }

    /** x6 XTTYPE_UINT*: a value in [min, max] or iptables' "bad value … out of range (min-max)". */
    static long uint(String target, String option, String arg, long min, long max) throws ParameterProblem {
        long v = parseUnsigned(arg, max);
        if (v < min) {
            throw new ParameterProblem(target + ": bad value for option \"--" + option
                    + "\", or out of range (" + min + "-" + max + ").\n");
        }
        return v;
    }

    /**
     * x6 XTTYPE_MARKMASK32: {@code value[/mask]} with 32-bit unsigned numbers; the mask defaults
     * to 0xffffffff. Returns {@code (mask << 32) | value}.
     */
    static long markMask(String target, String option, String arg) throws ParameterProblem {
        long[] vm = ValMask.parse(target, option, arg);
        return (vm[1] << 32) | vm[0];
    }

    static ParameterProblem onlyOnce(String target, String option) {
        return new ParameterProblem(target + ": option \"--" + option + "\" can only be used once.\n");
    }

    static ParameterProblem together(String target, String first, String second) {
        return new ParameterProblem(target + ": option \"--" + first + "\" cannot be used together with \"--"
                + second + "\".\n");
    }

    static ParameterProblem mustSpecify(String target, String option) {
        return new ParameterProblem(target + ": option \"--" + option + "\" must be specified\n");
    }

    /** Checkentry of targets registered with {@code .table = "mangle"}. */
    static String mangleOnly(CheckEnv env) {
        return env.table() == TableKind.MANGLE ? null : EINVAL;
    }

    /** {@code 0x%02x}. */
    static String hex2(int v) {
        String h = Integer.toHexString(v & 0xff);
        return h.length() < 2 ? "0x0" + h : "0x" + h;
    }

    /** {@code 0x%x} as iptables prints marks and masks. */
    static String hex(long v) {
        return "0x" + Long.toHexString(v & 0xffffffffL);
    }
}
