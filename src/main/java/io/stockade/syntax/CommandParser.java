package io.stockade.syntax;

import io.stockade.ext.Extensions;
import io.stockade.rules.Family;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code iptables}/{@code ip6tables} argument parser: iptables 1.8.9's do_parse semantics
 * (getopt_long scanning, commands and their arguments, {@code !}, {@code -m} modules and option
 * dispatch by each module's {@link Option} table, implicit loading of the protocol's match,
 * final checks, address lists expanded into one rule per source/destination pair). Errors are
 * {@link CommandFailure}s with iptables' exact wording. Stateless apart from its configuration;
 * one instance may parse many lines.
 */
public final class CommandParser {
    /** iptables' IPT_OPTSTRING (without the leading "-:" which {@link Getopt} implies). */
    private static final String OPTSTRING = "A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fvw::W::nt:m:xc:g:46";
    private static final int MAX_NAME = 29; // XT_EXTENSION_MAXNAMELEN
    private static final int IFNAMSIZ = 16;

    // Option bits (OPT_*), in iptables' order; OPT_CHARS names them as 1.8.9's messages do.
    private static final int OPT_NUMERIC = 1;
    private static final int OPT_SOURCE = 1 << 1;
    private static final int OPT_DESTINATION = 1 << 2;
    private static final int OPT_PROTOCOL = 1 << 3;
    private static final int OPT_JUMP = 1 << 4;
    private static final int OPT_VERBOSE = 1 << 5;
    private static final int OPT_EXPANDED = 1 << 6;
    private static final int OPT_VIANAMEIN = 1 << 7;
    private static final int OPT_VIANAMEOUT = 1 << 8;
    private static final int OPT_LINENUMBERS = 1 << 9;
    private static final int OPT_COUNTERS = 1 << 10;
    private static final int OPT_FRAGMENT = 1 << 11;
    private static final char[] OPT_CHARS = {'n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'};

    private static final int IDRAC = ParsedCommand.CMD_INSERT | ParsedCommand.CMD_DELETE
            | ParsedCommand.CMD_REPLACE | ParsedCommand.CMD_APPEND | ParsedCommand.CMD_CHECK;
    /** For each option bit, the commands it may be used with (options_v_commands). */
    private static final int[] OPTIONS_V_COMMANDS = {
            ParsedCommand.CMD_LIST, IDRAC, IDRAC, IDRAC, IDRAC, -1, ParsedCommand.CMD_LIST, IDRAC, IDRAC,
            ParsedCommand.CMD_LIST,
            ParsedCommand.CMD_INSERT | ParsedCommand.CMD_REPLACE | ParsedCommand.CMD_APPEND | ParsedCommand.CMD_SET_POLICY,
            IDRAC,
    };

    private static final List<Getopt.LongOpt> BASE_OPTS = List.of(
            base("append", Option.Arg.REQUIRED, 'A'), base("delete", Option.Arg.REQUIRED, 'D'),
            base("check", Option.Arg.REQUIRED, 'C'), base("insert", Option.Arg.REQUIRED, 'I'),
            base("replace", Option.Arg.REQUIRED, 'R'), base("list", Option.Arg.OPTIONAL, 'L'),
            base("list-rules", Option.Arg.OPTIONAL, 'S'), base("flush", Option.Arg.OPTIONAL, 'F'),
            base("zero", Option.Arg.OPTIONAL, 'Z'), base("new-chain", Option.Arg.REQUIRED, 'N'),
            base("delete-chain", Option.Arg.OPTIONAL, 'X'), base("rename-chain", Option.Arg.REQUIRED, 'E'),
            base("policy", Option.Arg.REQUIRED, 'P'), base("source", Option.Arg.REQUIRED, 's'),
            base("destination", Option.Arg.REQUIRED, 'd'), base("src", Option.Arg.REQUIRED, 's'),
            base("dst", Option.Arg.REQUIRED, 'd'), base("protocol", Option.Arg.REQUIRED, 'p'),
            base("in-interface", Option.Arg.REQUIRED, 'i'), base("jump", Option.Arg.REQUIRED, 'j'),
            base("table", Option.Arg.REQUIRED, 't'), base("match", Option.Arg.REQUIRED, 'm'),
            base("numeric", Option.Arg.NONE, 'n'), base("out-interface", Option.Arg.REQUIRED, 'o'),
            base("verbose", Option.Arg.NONE, 'v'), base("wait", Option.Arg.OPTIONAL, 'w'),
            base("wait-interval", Option.Arg.OPTIONAL, 'W'), base("exact", Option.Arg.NONE, 'x'),
            base("fragments", Option.Arg.NONE, 'f'), base("version", Option.Arg.NONE, 'V'),
            base("help", Option.Arg.OPTIONAL, 'h'), base("line-numbers", Option.Arg.NONE, '0'),
            base("modprobe", Option.Arg.REQUIRED, 'M'), base("set-counters", Option.Arg.REQUIRED, 'c'),
            base("goto", Option.Arg.REQUIRED, 'g'), base("ipv4", Option.Arg.NONE, '4'),
            base("ipv6", Option.Arg.NONE, '6'));

    private static final int MODULE_OPTION = -2;

    private static Getopt.LongOpt base(String name, Option.Arg arg, int val) {
        return new Getopt.LongOpt(name, arg, val, null, null);
    }

    private final Family family;
    private final String program;
    private final HostResolver resolver;
    private final boolean restore;

    /**
     * @param family   IPv4 ({@code iptables}) or IPv6 ({@code ip6tables})
     * @param program  the name used in messages ("iptables", "iptables-restore", …)
     * @param resolver host names in -s/-d
     * @param restore  parsing a line of {@code *-restore} input (no -w/-W, -t at most once, -4/-6 skip)
     */
    public CommandParser(Family family, String program, HostResolver resolver, boolean restore) {
        this.family = family;
        this.program = program;
        this.resolver = resolver;
        this.restore = restore;
    }

    /** A module loaded for this rule (match or target) and its parser state. */
    private static final class ModuleUse {
        final String name;
        final MatchExtension.Parser matchParser;
        final TargetExtension.Parser targetParser;
        final List<Getopt.LongOpt> opts = new ArrayList<>();

        ModuleUse(String name, MatchExtension.Parser mp, TargetExtension.Parser tp, List<Option> options) {
            this.name = name;
            this.matchParser = mp;
            this.targetParser = tp;
            for (Option o : options) {
                opts.add(new Getopt.LongOpt(o.name(), o.arg(), MODULE_OPTION, this, o));
            }
        }
    }

    /** Per-call parser state (iptables' iptables_command_state + xtables_args). */
    private final class State {
        final ParsedCommand cmd = new ParsedCommand();
        int options;
        int invflags;
        String tableName = "filter";
        boolean tableSet;
        String protocol;
        boolean protoUsed;
        int proto;
        String shost;
        String dhost;
        String inIface = "";
        String outIface = "";
        boolean fragment;
        boolean gotoSet;
        String jumpto;
        ModuleUse target;
        final List<ModuleUse> matches = new ArrayList<>();
        /** The long-option table: base options first, then each loaded module's, newest first. */
        final List<List<Getopt.LongOpt>> merged = new ArrayList<>(4);

        State() {
            merged.add(BASE_OPTS);
        }
        boolean waitIntervalSet;

        void merge(ModuleUse m) {
            // newest module's options take precedence after the base options (xtables_options_xfrm)
            merged.add(1, m.opts);
        }
    }

    /** Parses one command line (without the program name). */
    public ParsedCommand parse(List<String> argv) throws CommandFailure {
        try {
            return doParse(argv);
        } catch (ParameterProblem p) {
            throw Messages.of(program, p);
        } catch (RuntimeException e) {
            // A module bug must not surface as a stack trace.
            throw Messages.parameter(program, "internal error: " + e);
        }
    }

    private CommandFailure bad(String msg) {
        return Messages.parameter(program, msg);
    }

    private ParsedCommand doParse(List<String> argv) throws ParameterProblem, CommandFailure {
        State s = new State();
        ParsedCommand p = s.cmd;
        p.family = family;
        p.program = program;
        Getopt g = new Getopt(argv, OPTSTRING);
        boolean invert = false;
        Getopt.Event e;
        while ((e = g.next(s.merged)) != null) {
            String optarg = e.optarg;
            if ("!".equals(optarg) && "psdio".indexOf(e.c) >= 0 && e.c > 0) {
                // LINUX-DIFF: old-style "-s ! x" (intrapositioned negation, iptables <= 1.4) is
                // accepted as "! -s x" so that old dumps restore; iptables 1.8.9 says "Bad argument".
                if (invert) {
                    throw bad("Multiple `!' flags not allowed");
                }
                if (g.optind >= argv.size()) {
                    throw bad("no argument following `!'");
                }
                invert = true;
                optarg = argv.get(g.optind++);
            }
            switch (e.c) {
                case 'A' -> {
                    addCommand(s, ParsedCommand.CMD_APPEND, 0, invert);
                    p.chain = optarg;
                }
                case 'C' -> {
                    addCommand(s, ParsedCommand.CMD_CHECK, 0, invert);
                    p.chain = optarg;
                }
                case 'D' -> {
                    addCommand(s, ParsedCommand.CMD_DELETE, 0, invert);
                    p.chain = optarg;
                    if (g.hasArg()) {
                        parseRuleRange(p, argv.get(g.optind++));
                        p.command = ParsedCommand.CMD_DELETE_NUM;
                    }
                }
                case 'R' -> {
                    addCommand(s, ParsedCommand.CMD_REPLACE, 0, invert);
                    p.chain = optarg;
                    if (g.hasArg()) {
                        p.ruleNum = parseRuleNumber(argv.get(g.optind++));
                    } else {
                        throw bad("-R requires a rule number");
                    }
                }
                case 'I' -> {
                    addCommand(s, ParsedCommand.CMD_INSERT, 0, invert);
                    p.chain = optarg;
                    p.ruleNum = g.hasArg() ? parseRuleNumber(argv.get(g.optind++)) : 1;
                }
                case 'L', 'S' -> {
                    addCommand(s, e.c == 'L' ? ParsedCommand.CMD_LIST : ParsedCommand.CMD_LIST_RULES,
                            ParsedCommand.CMD_ZERO | ParsedCommand.CMD_ZERO_NUM, invert);
                    if (optarg != null) {
                        p.chain = optarg;
                    } else if (g.hasArg()) {
                        p.chain = argv.get(g.optind++);
                    }
                    if (g.hasArg()) {
                        p.ruleNum = parseRuleNumber(argv.get(g.optind++));
                    }
                }
                case 'F' -> {
                    addCommand(s, ParsedCommand.CMD_FLUSH, 0, invert);
                    p.chain = optionalChain(g, argv, optarg);
                }
                case 'Z' -> {
                    addCommand(s, ParsedCommand.CMD_ZERO, ParsedCommand.CMD_LIST | ParsedCommand.CMD_LIST_RULES, invert);
                    p.chain = optionalChain(g, argv, optarg);
                    if (g.hasArg()) {
                        p.ruleNum = parseRuleNumber(argv.get(g.optind++));
                        p.command = (p.command & ~ParsedCommand.CMD_ZERO) | ParsedCommand.CMD_ZERO_NUM;
                    }
                }
                case 'N' -> {
                    assertValidChainName(optarg);
                    addCommand(s, ParsedCommand.CMD_NEW_CHAIN, 0, invert);
                    p.chain = optarg;
                }
                case 'X' -> {
                    addCommand(s, ParsedCommand.CMD_DELETE_CHAIN, 0, invert);
                    p.chain = optionalChain(g, argv, optarg);
                }
                case 'E' -> {
                    addCommand(s, ParsedCommand.CMD_RENAME_CHAIN, 0, invert);
                    p.chain = optarg;
                    if (g.hasArg()) {
                        p.newName = argv.get(g.optind++);
                    } else {
                        throw bad("-E requires old-chain-name and new-chain-name");
                    }
                    assertValidChainName(p.newName);
                }
                case 'P' -> {
                    addCommand(s, ParsedCommand.CMD_SET_POLICY, 0, invert);
                    if (g.hasArg()) {
                        p.chain = optarg;
                        p.policy = argv.get(g.optind++);
                    } else {
                        throw bad("-P requires a chain and a policy");
                    }
                }
                case 'h' -> {
                    throw new CommandFailure(0, CommandFailure.Kind.INFO, program, Help.text(program, family));
                }
                case 'V' -> {
                    throw new CommandFailure(0, CommandFailure.Kind.INFO, program,
                            invert ? "Not " + Messages.banner(program) + " ;-)" : Messages.banner(program));
                }
                case 'p' -> {
                    setOption(s, OPT_PROTOCOL, invert);
                    s.protocol = optarg.toLowerCase(Locale.ROOT);
                    int proto = Protocols.parse(s.protocol);
                    if (proto < 0) {
                        throw bad("unknown protocol \"" + s.protocol + "\" specified");
                    }
                    if (proto == 0 && (s.invflags & IpHeaderFilter.INV_PROTO) != 0) {
                        throw bad("rule would never match protocol");
                    }
                    s.proto = proto;
                }
                case 's' -> {
                    setOption(s, OPT_SOURCE, invert);
                    s.shost = optarg;
                }
                case 'd' -> {
                    setOption(s, OPT_DESTINATION, invert);
                    s.dhost = optarg;
                }
                case 'g' -> {
                    setOption(s, OPT_JUMP, invert);
                    s.gotoSet = true;
                    s.jumpto = parseTargetName(optarg);
                }
                case 'j' -> {
                    setOption(s, OPT_JUMP, invert);
                    commandJump(s, optarg);
                }
                case 'i', 'o' -> {
                    if (optarg.isEmpty()) {
                        throw bad("Empty interface is likely to be undesired");
                    }
                    setOption(s, e.c == 'i' ? OPT_VIANAMEIN : OPT_VIANAMEOUT, invert);
                    if (optarg.length() >= IFNAMSIZ) {
                        throw bad("interface name `" + optarg + "' must be shorter than IFNAMSIZ (" + (IFNAMSIZ - 1) + ")");
                    }
                    if (e.c == 'i') {
                        s.inIface = optarg;
                    } else {
                        s.outIface = optarg;
                    }
                }
                case 'f' -> {
                    if (family == Family.IPV6) {
                        throw bad("`-f' is not supported in IPv6, use -m frag instead");
                    }
                    setOption(s, OPT_FRAGMENT, invert);
                    s.fragment = true;
                }
                case 'v' -> {
                    if (p.verbose == 0) {
                        setOption(s, OPT_VERBOSE, invert);
                    }
                    p.verbose++;
                }
                case 'm' -> {
                    if (invert) {
                        throw bad("unexpected ! flag before --match");
                    }
                    loadMatch(s, optarg, true);
                }
                case 'n' -> {
                    setOption(s, OPT_NUMERIC, invert);
                    p.numeric = true;
                }
                case 't' -> {
                    if (invert) {
                        throw bad("unexpected ! flag before --table");
                    }
                    if (restore && s.tableSet) {
                        throw bad("The -t option cannot be used in " + program + ".\n");
                    }
                    s.tableName = optarg;
                    s.tableSet = true;
                }
                case 'x' -> {
                    setOption(s, OPT_EXPANDED, invert);
                    p.exact = true;
                }
                case 'w' -> {
                    if (restore) {
                        throw bad("You cannot use `-w' from " + program);
                    }
                    p.waitSeconds = parseWait(g, argv, optarg);
                }
                case 'W' -> {
                    if (restore) {
                        throw bad("You cannot use `-W' from " + program);
                    }
                    String v = optarg != null ? optarg : (g.hasArg() ? argv.get(g.optind++) : null);
                    if (v != null && Numbers.parseUnsigned(v, 0L, 999999999L) < 0) {
                        throw bad("wait interval not numeric");
                    }
                    s.waitIntervalSet = true;
                }
                case '0' -> {
                    setOption(s, OPT_LINENUMBERS, invert);
                    p.lineNumbers = true;
                }
                case 'M' -> {
                    // --modprobe: Stockade loads no kernel modules; accepted and ignored.
                }
                case 'c' -> {
                    setOption(s, OPT_COUNTERS, invert);
                    String pc = optarg;
                    String bc = null;
                    int comma = pc.length() > 1 ? pc.indexOf(',', 1) : -1;
                    if (comma >= 0) {
                        bc = pc.substring(comma + 1);
                    }
                    if (bc == null && g.hasArg()) {
                        bc = argv.get(g.optind++);
                    }
                    if (bc == null) {
                        throw bad("-c requires packet and byte counter");
                    }
                    p.pcnt = Numbers.scanUnsignedLong(pc);
                    if (p.pcnt < 0) {
                        throw bad("-c packet counter not numeric");
                    }
                    p.bcnt = Numbers.scanUnsignedLong(bc);
                    if (p.bcnt < 0) {
                        throw bad("-c byte counter not numeric");
                    }
                    p.counters = true;
                }
                case '4', '6' -> {
                    Family want = e.c == '4' ? Family.IPV4 : Family.IPV6;
                    if (want != family) {
                        if (restore) {
                            p.ignored = true;
                            return p;
                        }
                        throw new CommandFailure(2, CommandFailure.Kind.BARE_TRY, program, "");
                    }
                }
                case Getopt.NON_OPTION -> {
                    if (optarg.equals("!")) {
                        if (invert) {
                            throw bad("multiple consecutive ! not allowed");
                        }
                        invert = true;
                        continue;
                    }
                    throw new CommandFailure(2, CommandFailure.Kind.BARE_TRY, program, "Bad argument `" + optarg + "'");
                }
                case MODULE_OPTION -> {
                    ModuleUse m = (ModuleUse) e.longOpt.owner();
                    Option o = e.longOpt.option();
                    if (invert && !o.invertible()) {
                        throw bad(m.name + ": option \"--" + o.name() + "\" cannot be inverted.\n");
                    }
                    if (o.arg() == Option.Arg.TWO && optarg != null && g.optind < argv.size()
                            && !argv.get(g.optind).startsWith("-") && !argv.get(g.optind).startsWith("!")) {
                        optarg = optarg + " " + argv.get(g.optind++);
                    }
                    if (o.arg() == Option.Arg.OPTIONAL_WORD) {
                        optarg = null;
                        if (g.optind < argv.size() && !argv.get(g.optind).startsWith("-")
                                && !argv.get(g.optind).startsWith("!")) {
                            optarg = argv.get(g.optind++);
                        }
                    }
                    if (m.targetParser != null) {
                        m.targetParser.parse(o, optarg, invert);
                    } else {
                        m.matchParser.parse(o, optarg, invert);
                    }
                }
                default -> {
                    // '?' or ':' — maybe an option of the protocol's match, loaded on demand
                    if (e.token != null && e.token.startsWith("--") && loadProto(s)) {
                        g.rewind();
                        continue;
                    }
                    if (e.c == Getopt.MISSING) {
                        throw bad("option \"" + e.token + "\" requires an argument");
                    }
                    String shown = e.token != null && e.token.startsWith("--") ? e.token
                            : (e.optarg != null ? e.optarg : e.token);
                    throw bad("unknown option \"" + shown + "\"");
                }
            }
            invert = false;
        }
        return finish(s, argv, g, invert);
    }

    private ParsedCommand finish(State s, List<String> argv, Getopt g, boolean invert)
            throws ParameterProblem, CommandFailure {
        ParsedCommand p = s.cmd;
        if (s.tableName.equals("nat") && ("DROP".equals(p.policy) || "DROP".equals(s.jumpto))) {
            throw bad("\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n");
        }
        if (p.waitSeconds < 0 && s.waitIntervalSet) {
            throw bad("--wait-interval only makes sense with --wait\n");
        }
        List<MatchSpec> specs = new ArrayList<>();
        for (ModuleUse m : s.matches) {
            specs.add(m.matchParser.finish());
        }
        RuleTarget target = RuleTarget.NONE;
        if (s.target != null) {
            TargetSpec ts = s.target.targetParser.finish();
            target = new RuleTarget.Extension(ts);
        } else if (s.jumpto != null) {
            target = switch (s.jumpto) {
                case "ACCEPT" -> standard(s, RuleTarget.Standard.Kind.ACCEPT);
                case "DROP" -> standard(s, RuleTarget.Standard.Kind.DROP);
                case "RETURN" -> standard(s, RuleTarget.Standard.Kind.RETURN);
                case "QUEUE" -> standard(s, RuleTarget.Standard.Kind.QUEUE);
                default -> new RuleTarget.Jump(s.jumpto, s.gotoSet);
            };
        }
        if (g.optind < argv.size()) {
            throw bad("unknown arguments found on commandline");
        }
        if (p.command == 0) {
            throw bad("no command specified");
        }
        if (invert) {
            throw bad("nothing appropriate following !");
        }
        List<Addresses.Net> srcs = List.of();
        List<Addresses.Net> dsts = List.of();
        if (p.has(IDRAC)) {
            String any = family == Family.IPV4 ? "0.0.0.0/0" : "::0/0";
            srcs = Addresses.parseMultiple(s.shost != null ? s.shost : any, family, resolver);
            dsts = Addresses.parseMultiple(s.dhost != null ? s.dhost : any, family, resolver);
            if ((srcs.size() > 1 || dsts.size() > 1)
                    && (s.invflags & (IpHeaderFilter.INV_SRC | IpHeaderFilter.INV_DST)) != 0) {
                throw bad("! not allowed with multiple source or destination IP addresses");
            }
        }
        for (int i = 0; i < OPT_CHARS.length; i++) {
            if ((s.options & (1 << i)) != 0 && (OPTIONS_V_COMMANDS[i] & p.command) == 0) {
                throw bad("Illegal option `-" + OPT_CHARS[i] + "' with this command");
            }
        }
        if (p.chain != null && p.chain.length() >= MAX_NAME) {
            throw bad("chain name `" + p.chain + "' too long (must be under " + MAX_NAME + " chars)");
        }
        if (p.has(IDRAC)) {
            if (p.chain.equals("PREROUTING") || p.chain.equals("INPUT")) {
                if ((s.options & OPT_VIANAMEOUT) != 0) {
                    throw bad("Can't use -o with " + p.chain + "\n");
                }
            }
            if (p.chain.equals("POSTROUTING") || p.chain.equals("OUTPUT")) {
                if ((s.options & OPT_VIANAMEIN) != 0) {
                    throw bad("Can't use -i with " + p.chain + "\n");
                }
            }
        }
        TableKind table = TableKind.byName(s.tableName);
        if (table == null) {
            throw new CommandFailure(3, CommandFailure.Kind.BANNER, program, "table '" + s.tableName
                    + "' does not exist\nPerhaps " + family.command + " or your kernel needs to be upgraded.");
        }
        p.table = table;
        for (Addresses.Net src : srcs) {
            for (Addresses.Net dst : dsts) {
                IpHeaderFilter ip = new IpHeaderFilter(family,
                        src.hi(), src.lo(), src.maskHi(), src.maskLo(),
                        dst.hi(), dst.lo(), dst.maskHi(), dst.maskLo(),
                        s.inIface, s.outIface, s.proto, s.fragment, s.invflags);
                p.rules.add(new Rule(ip, specs, target, p.counters ? p.pcnt : 0, p.counters ? p.bcnt : 0));
            }
        }
        return p;
    }

    private static RuleTarget standard(State s, RuleTarget.Standard.Kind k) {
        return s.gotoSet ? new RuleTarget.Jump(k.name(), true) : new RuleTarget.Standard(k);
    }

    private String optionalChain(Getopt g, List<String> argv, String optarg) {
        if (optarg != null) {
            return optarg;
        }
        return g.hasArg() ? argv.get(g.optind++) : null;
    }

    private int parseWait(Getopt g, List<String> argv, String optarg) throws CommandFailure {
        String v = optarg != null ? optarg : (g.hasArg() ? argv.get(g.optind++) : null);
        if (v == null) {
            return 0;
        }
        long n = Numbers.parseUnsigned(v, 0L, Integer.MAX_VALUE);
        if (n < 0) {
            throw bad("wait seconds not numeric");
        }
        return (int) n;
    }

    private void addCommand(State s, int newCmd, int otherCmds, boolean invert) throws CommandFailure {
        if (invert) {
            throw bad("unexpected '!' flag");
        }
        int cmd = s.cmd.command;
        if ((cmd & ~otherCmds) != 0) {
            throw bad("Cannot use -" + cmd2char(newCmd) + " with -" + cmd2char(cmd & ~otherCmds));
        }
        s.cmd.command = cmd | newCmd;
    }

    private static char cmd2char(int option) {
        char[] flags = {'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C'};
        int i = 0;
        while (option > 1) {
            option >>>= 1;
            i++;
        }
        return i < flags.length ? flags[i] : '?';
    }

    private void setOption(State s, int option, boolean invert) throws CommandFailure {
        char c = OPT_CHARS[Integer.numberOfTrailingZeros(option)];
        if ((s.options & option) != 0) {
            throw bad("multiple -" + c + " flags not allowed");
        }
        s.options |= option;
        if (invert) {
            int inv = switch (option) {
                case OPT_SOURCE -> IpHeaderFilter.INV_SRC;
                case OPT_DESTINATION -> IpHeaderFilter.INV_DST;
                case OPT_PROTOCOL -> IpHeaderFilter.INV_PROTO;
                case OPT_VIANAMEIN -> IpHeaderFilter.INV_IN;
                case OPT_VIANAMEOUT -> IpHeaderFilter.INV_OUT;
                case OPT_FRAGMENT -> IpHeaderFilter.INV_FRAG;
                default -> -1;
            };
            if (inv < 0) {
                throw bad("cannot have ! before -" + c);
            }
            s.invflags |= inv;
        }
    }

    private int parseRuleNumber(String rule) throws CommandFailure {
        int n = Numbers.parseUnsigned(rule, 1, Integer.MAX_VALUE);
        if (n < 1) {
            throw bad("Invalid rule number `" + rule + "'");
        }
        return n;
    }

    private void parseRuleRange(ParsedCommand p, String arg) throws CommandFailure {
        if (arg.indexOf(':') >= 0) {
            throw bad("Rule ranges are not supported");
        }
        long n;
        try {
            n = Long.parseLong(arg);
        } catch (NumberFormatException ex) {
            n = 0;
        }
        if (n == 0 || n > Integer.MAX_VALUE || n < Integer.MIN_VALUE) {
            throw bad("Invalid rule number `" + arg + "'");
        }
        p.ruleNum = (int) n;
    }

    private void assertValidChainName(String name) throws CommandFailure {
        if (name.length() >= MAX_NAME) {
            throw bad("chain name `" + name + "' too long (must be under " + MAX_NAME + " chars)");
        }
        if (name.startsWith("-") || name.startsWith("!")) {
            throw bad("chain name not allowed to start with `" + name.charAt(0) + "'");
        }
        if (isTargetName(name)) {
            throw bad("chain name may not clash with target name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isWhitespace(name.charAt(i))) {
                throw bad("Invalid chain name `" + name + "'");
            }
        }
    }

    /** True if {@code name} is a standard verdict or an extension target of this family. */
    public boolean isTargetName(String name) {
        return switch (name) {
            case "ACCEPT", "DROP", "RETURN", "QUEUE" -> true;
            default -> Extensions.target(name, family) != null;
        };
    }

    private String parseTargetName(String name) throws CommandFailure {
        if (name.isEmpty()) {
            throw bad("Invalid target name (too short)");
        }
        if (name.length() >= MAX_NAME) {
            throw bad("Invalid target name `" + name + "' (" + (MAX_NAME - 1) + " chars max)");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isWhitespace(name.charAt(i))) {
                throw bad("Invalid target name `" + name + "'");
            }
        }
        return name;
    }

    private void commandJump(State s, String name) throws CommandFailure {
        s.jumpto = parseTargetName(name);
        TargetExtension t = Extensions.target(name, family);
        if (t == null) {
            return;
        }
        ModuleUse m = new ModuleUse(t.name(), null, t.newParser(parseEnv(s)),
                t.options());
        s.target = m;
        s.merge(m);
    }

    private ModuleUse loadMatch(State s, String name, boolean mustSucceed) throws CommandFailure {
        if (name.length() >= MAX_NAME) {
            throw bad("Invalid match name \"" + name + "\" (" + (MAX_NAME - 1) + " chars max)");
        }
        String lookup = name;
        if (family == Family.IPV6 && (name.equals("icmpv6") || name.equals("ipv6-icmp") || name.equals("icmp6"))) {
            lookup = "icmp6";
        }
        MatchExtension ext = Extensions.match(lookup, family);
        if (ext == null) {
            if (mustSucceed) {
                throw bad("Couldn't load match `" + name + "':No such file or directory\n");
            }
            return null;
        }
        ModuleUse m = new ModuleUse(ext.name(),
                ext.newParser(parseEnv(s)), null, ext.options());
        s.matches.add(m);
        s.merge(m);
        return m;
    }

    private ParseEnv parseEnv(State s) {
        TableKind t = TableKind.byName(s.tableName);
        return new ParseEnv(family, t != null ? t : TableKind.FILTER, s.protocol == null ? 0 : s.proto,
                (s.invflags & IpHeaderFilter.INV_PROTO) != 0);
    }

    /** load_proto: the match named after -p's protocol, loaded once on the first unknown option. */
    private boolean loadProto(State s) throws CommandFailure {
        if (s.protocol == null || s.protoUsed) {
            return false;
        }
        s.protoUsed = true;
        String name = s.protocol;
        int num = Numbers.parseUnsigned(name, 0, 255);
        if (num >= 0) {
            name = Protocols.name(num, s.cmd.numeric);
            if (name == null) {
                return false;
            }
        }
        return loadMatch(s, name, false) != null;
    }
}
