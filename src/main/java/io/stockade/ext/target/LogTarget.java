package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import io.stockade.syntax.Quoting;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code -j LOG} (libxt_LOG / xt_LOG with nf_log_syslog) for IPv4 and IPv6. Options:
 * {@code --log-level} (a syslog name or a number 0–7, default 4), {@code --log-prefix} (1 to 29
 * bytes are kept: longer prefixes are cut as the kernel's 30-byte field does, no newlines),
 * and the flags {@code --log-tcp-sequence} (1), {@code --log-tcp-options} (2),
 * {@code --log-ip-options} (4), {@code --log-uid} (8), {@code --log-macdecode} (0x20).
 * Save order: prefix, level (when not 4), flags. Per packet: formats the kernel's log line
 * ({@link LogLine}) and hands it to {@link Emitter#log}; continues with the next rule.
 */
public final class LogTarget implements TargetExtension {
    private static final int O_LOG_LEVEL = 0;
    private static final int O_LOG_PREFIX = 1;
    private static final int O_LOG_TCPSEQ = 2;
    private static final int O_LOG_TCPOPTS = 3;
    private static final int O_LOG_IPOPTS = 4;
    private static final int O_LOG_UID = 5;
    private static final int O_LOG_MAC = 6;
    private static final List<Option> OPTIONS = List.of(
            Option.value("log-level", O_LOG_LEVEL),
            Option.value("log-prefix", O_LOG_PREFIX),
            Option.flag("log-tcp-sequence", O_LOG_TCPSEQ),
            Option.flag("log-tcp-options", O_LOG_TCPOPTS),
            Option.flag("log-ip-options", O_LOG_IPOPTS),
            Option.flag("log-uid", O_LOG_UID),
            Option.flag("log-macdecode", O_LOG_MAC));

    /** NF_LOG_* flag bits (include/uapi/linux/netfilter/nf_log.h). */
    public static final int TCPSEQ = 0x01;
    public static final int TCPOPT = 0x02;
    public static final int IPOPT = 0x04;
    public static final int UID = 0x08;
    public static final int MACDECODE = 0x20;
    /** Prefix field of struct xt_log_info is 30 bytes including the NUL. */
    static final int MAX_PREFIX = 29;

    private static final String[] LEVEL_NAMES = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"};

    @Override
    public String name() {
        return "LOG";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    /** The level of a syslog name or number as libxt_LOG accepts it, or -1. */
    static int parseLevel(String arg) {
        switch (arg) {
            case "emerg", "panic" -> {
                return 0;
            }
            case "alert" -> {
                return 1;
            }
            case "crit" -> {
                return 2;
            }
            case "err", "error" -> {
                return 3;
            }
            case "warn", "warning" -> {
                return 4;
            }
            case "notice" -> {
                return 5;
            }
            case "info" -> {
                return 6;
            }
            case "debug" -> {
                return 7;
            }
            default -> {
                return (int) TargetArgs.parseUnsigned(arg, 7);
            }
        }
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("LOG", OPTIONS);
            private int level = 4;
            private String prefix = "";
            private int flags;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_LOG_LEVEL -> {
                        level = parseLevel(arg);
                        if (level < 0) {
                            throw new ParameterProblem("log level \"" + arg + "\" unknown\n");
                        }
                    }
                    case O_LOG_PREFIX -> {
                        if (arg.isEmpty()) {
                            throw new ParameterProblem("Argument must have a minimum length of 1 characters\n");
                        }
                        if (arg.indexOf('\n') >= 0) {
                            throw new ParameterProblem("Newlines not allowed in --log-prefix");
                        }
                        prefix = truncate(arg, MAX_PREFIX);
                    }
                    case O_LOG_TCPSEQ -> flags |= TCPSEQ;
                    case O_LOG_TCPOPTS -> flags |= TCPOPT;
                    case O_LOG_IPOPTS -> flags |= IPOPT;
                    case O_LOG_UID -> flags |= UID;
                    default -> flags |= MACDECODE;
                }
            }

            @Override
            public TargetSpec finish() {
                return new Spec(level, prefix, flags);
            }
        };
    }

    /** Cuts {@code s} to at most {@code max} UTF-8 bytes (strncpy into the kernel's fixed field). */
    static String truncate(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= max ? s : new String(b, 0, max, StandardCharsets.UTF_8);
    }

    /** The parsed target ({@code struct xt_log_info}). */
    public record Spec(int level, String prefix, int flags) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "LOG";
        }

        @Override
        public void save(StringBuilder out) {
            if (!prefix.isEmpty()) {
                out.append(" --log-prefix ");
                Quoting.appendSaveString(out, prefix);
            }
            if (level != 4) {
                out.append(" --log-level ").append(level);
            }
            appendFlags(out, " --log-");
        }

        private void appendFlags(StringBuilder out, String lead) {
            if ((flags & TCPSEQ) != 0) {
                out.append(lead).append("tcp-sequence");
            }
            if ((flags & TCPOPT) != 0) {
                out.append(lead).append("tcp-options");
            }
            if ((flags & IPOPT) != 0) {
                out.append(lead).append("ip-options");
            }
            if ((flags & UID) != 0) {
                out.append(lead).append("uid");
            }
            if ((flags & MACDECODE) != 0) {
                out.append(lead).append("macdecode");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("LOG");
            if (numeric) {
                out.append(" flags ").append(flags).append(" level ").append(level);
            } else {
                out.append(" level ").append(level < LEVEL_NAMES.length ? LEVEL_NAMES[level] : String.valueOf(level));
                appendFlags(out, " ");
                if ((flags & ~(TCPSEQ | TCPOPT | IPOPT | UID | MACDECODE)) != 0) {
                    out.append(" unknown-flags");
                }
            }
            if (!prefix.isEmpty()) {
                out.append(" prefix \"").append(prefix).append('"');
            }
        }

        @Override
        public String check(CheckEnv env) {
            return level > 7 ? TargetArgs.EINVAL : null;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            StringBuilder line = skb.scratchText;
            line.setLength(0);
            LogLine.format(line, skb, prefix, flags);
            emitter.log(level, line);
            return Verdict.CONTINUE;
        }
    }
}
