package io.stockade.engine;

/**
 * A ruleset the kernel would refuse at commit time. {@link #errno} is the kernel's error text as
 * iptables prints it in parentheses ("Too many links" for iptables-nft's jump depth/loop check,
 * "No such file or directory" for a jump to a missing chain, "Invalid argument" for a match or
 * target the engine cannot run); {@link #chain} and {@link #ruleNumber} (1-based, 0 if none) name
 * the offending rule so the caller can map it to a command or restore line.
 */
public final class CommitException extends Exception {
    private static final long serialVersionUID = 1L;
    public final String errno;
    public final String table;
    public final String chain;
    public final int ruleNumber;

    public CommitException(String errno, String table, String chain, int ruleNumber, String detail) {
        super(detail == null ? errno + ": rule " + ruleNumber + " in chain " + chain
                : errno + ": " + detail + " (rule " + ruleNumber + " in chain " + chain + ")");
        this.errno = errno;
        this.table = table;
        this.chain = chain;
        this.ruleNumber = ruleNumber;
    }
}
