package io.stockade.syntax;

import io.stockade.rules.ParameterProblem;

/**
 * How iptables 1.8.9 (nf_tables) words its failures: parameter problems get the
 * {@code "iptables v1.8.9 (nf_tables): "} prefix and the "Try `iptables -h'…" line (exit 2);
 * errors reported back from the kernel are {@code "iptables: TEXT"} (exit 1).
 */
public final class Messages {
    private Messages() {
    }

    public static final String VERSION = "1.8.9";
    public static final String VARIANT = "nf_tables";

    /** "iptables v1.8.9 (nf_tables)". */
    public static String banner(String program) {
        return program + " v" + VERSION + " (" + VARIANT + ")";
    }

    /** The "Try `prog -h' …" line. */
    public static String tryHelp(String program) {
        return "Try `" + program + " -h' or '" + program + " --help' for more information.";
    }

    /** xtables_error(PARAMETER_PROBLEM, msg). */
    public static CommandFailure parameter(String program, String msg) {
        return new CommandFailure(2, CommandFailure.Kind.PARAMETER, program, msg);
    }

    /** A ParameterProblem from the parser or a module. */
    public static CommandFailure of(String program, ParameterProblem p) {
        if (p.exitCode() == ParameterProblem.PARAMETER) {
            return parameter(program, p.getMessage());
        }
        return new CommandFailure(p.exitCode(), CommandFailure.Kind.KERNEL, program, p.getMessage());
    }

    /** A kernel-reported failure: "iptables: TEXT", exit 1 (TEXT carries its final period). */
    public static CommandFailure kernel(String program, String text) {
        return new CommandFailure(1, CommandFailure.Kind.KERNEL, program, text);
    }

    public static final String NO_CHAIN = "No chain/target/match by that name.";
    public static final String BAD_RULE = "Bad rule (does a matching rule exist in that chain?).";
    public static final String INVALID_ARGUMENT = "Invalid argument. Run `dmesg' for more information.";
}
