package io.stockade.rules;

/**
 * A control-plane error as iptables reports it: the message iptables prints and its exit status
 * (2 = PARAMETER_PROBLEM for bad usage, 1 = OTHER_PROBLEM for e.g. a missing chain or rule).
 * Thrown only while parsing or committing rules, never on the packet path.
 */
public final class ParameterProblem extends Exception {
    private static final long serialVersionUID = 1L;

    /** iptables' PARAMETER_PROBLEM exit code. */
    public static final int PARAMETER = 2;
    /** iptables' OTHER_PROBLEM exit code. */
    public static final int OTHER = 1;

    private final int exitCode;

    public ParameterProblem(String message) {
        this(PARAMETER, message);
    }

    public ParameterProblem(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
