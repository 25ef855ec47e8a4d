package io.stockade.syntax;

/**
 * A failed (or informational, exit 0) command, kept structured so that the same failure can be
 * worded as the command-line tool prints it and as {@code *-restore} prints it for a line.
 */
public final class CommandFailure extends Exception {
    private static final long serialVersionUID = 1L;

    /** How the message is presented. */
    public enum Kind {
        /** xtables_error(PARAMETER_PROBLEM): banner, message, (restore: line), Try-help line. */
        PARAMETER,
        /** A message printed bare followed by the Try-help line ("Bad argument `x'"). */
        BARE_TRY,
        /** Reported by the kernel: "iptables: MSG" / "iptables-restore: line N failed: MSG". */
        KERNEL,
        /** Banner and message, no help line (e.g. a missing table, exit 3). */
        BANNER,
        /** Text for stdout with exit 0 (-h, -V). */
        INFO
    }

    private final int exitCode;
    private final Kind kind;
    private final String program;

    public CommandFailure(int exitCode, Kind kind, String program, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.kind = kind;
        this.program = program;
    }

    public int exitCode() {
        return exitCode;
    }

    public Kind kind() {
        return kind;
    }

    /** The bare message. */
    public String message() {
        return getMessage();
    }

    /** The stderr (stdout for INFO) text of the command-line tool, no final newline. */
    public String text() {
        return render(program, -1);
    }

    /**
     * The text as {@code tool} prints it; {@code line} &gt; 0 adds restore's line information.
     */
    public String render(String tool, int line) {
        String msg = getMessage();
        String at = line > 0 ? "Error occurred at line: " + line + "\n" : "";
        return switch (kind) {
            case PARAMETER -> Messages.banner(tool) + ": " + msg + "\n" + at + Messages.tryHelp(tool);
            case BARE_TRY -> (msg.isEmpty() ? "" : msg + "\n") + at + Messages.tryHelp(tool);
            case KERNEL -> line > 0
                    ? tool + ": line " + line + " failed: " + msg.replace(" Run `dmesg' for more information.", "")
                    : tool + ": " + msg;
            case BANNER -> Messages.banner(tool) + ": " + msg;
            case INFO -> msg;
        };
    }
}
