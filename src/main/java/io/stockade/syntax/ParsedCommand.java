package io.stockade.syntax;

import io.stockade.rules.Family;
import io.stockade.rules.Rule;
import io.stockade.rules.TableKind;
import java.util.ArrayList;
import java.util.List;

/**
 * One parsed {@code iptables}/{@code ip6tables} command line: which command, on which table and
 * chain, the rule(s) it carries (one per source/destination combination, in iptables' order) and
 * the listing flags. Produced by {@link CommandParser}, consumed by {@link CommandExecutor}.
 */
public final class ParsedCommand {
    // Command bits, in iptables' CMD_* order (cmd2char relies on it).
    public static final int CMD_INSERT = 0x0001;
    public static final int CMD_DELETE = 0x0002;
    public static final int CMD_DELETE_NUM = 0x0004;
    public static final int CMD_REPLACE = 0x0008;
    public static final int CMD_APPEND = 0x0010;
    public static final int CMD_LIST = 0x0020;
    public static final int CMD_FLUSH = 0x0040;
    public static final int CMD_ZERO = 0x0080;
    public static final int CMD_NEW_CHAIN = 0x0100;
    public static final int CMD_DELETE_CHAIN = 0x0200;
    public static final int CMD_SET_POLICY = 0x0400;
    public static final int CMD_RENAME_CHAIN = 0x0800;
    public static final int CMD_LIST_RULES = 0x1000;
    public static final int CMD_ZERO_NUM = 0x2000;
    public static final int CMD_CHECK = 0x4000;

    public Family family;
    /** "iptables" / "ip6tables" (for messages). */
    public String program;
    public int command;
    public TableKind table = TableKind.FILTER;
    public String chain;
    /** 1-based rule number (-I/-R/-D n/-L/-S/-Z n); 0 if none. -1 for -D range end "until last". */
    public int ruleNum;
    public String newName;
    public String policy;
    /** The rules to add/check/delete (several when -s/-d list several addresses). */
    public final List<Rule> rules = new ArrayList<>();
    public int verbose;
    public boolean numeric;
    public boolean exact;
    public boolean lineNumbers;
    /** -c given (counters carried in the rules, or the policy counters for -P). */
    public boolean counters;
    public long pcnt;
    public long bcnt;
    /** -w given: seconds to wait for the lock (0 = forever); -1 if not given. */
    public int waitSeconds = -1;
    /** A restore line with -4 in ip6tables-restore (or -6 in iptables-restore): skip it. */
    public boolean ignored;

    public boolean has(int bits) {
        return (command & bits) != 0;
    }
}
