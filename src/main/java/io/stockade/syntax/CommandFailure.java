package io.stockade.syntax;

/**
 * A failed command with the exact text the real tool prints on stderr (possibly several lines,
 * without the final newline) and its exit status. Control-plane only.
 */
public final class CommandFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CommandFailure(int exitCode, String text) {
        super(text, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The stderr text (no trailing newline). */
    public String text() {
        return getMessage();
    }
}
