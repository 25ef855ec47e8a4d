package io.stockade.conntrack;

import java.io.PrintStream;
import java.util.List;

/**
 * The {@code conntrack} command over a {@link ConntrackTable}: {@code -L|--dump} (with
 * {@code -p|--protonum NAME|NUM}, {@code -f|--family ipv4|ipv6}, {@code -o extended} not supported),
 * {@code -F|--flush}, {@code -C|--count}. Output and the summary line on stderr are conntrack-tools
 * 1.4.7's. Errors are conntrack's wording with exit status 2 (parameter problem) or 1.
 */
public final class ConntrackCli {
    private ConntrackCli() {
    }

    /** Runs one conntrack command line against {@code table}; returns the exit status. */
    public static int run(ConntrackTable table, String[] args, PrintStream out, PrintStream err) {
        String command = null;
        int proto = -1;
        int family = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-L", "--dump", "-F", "--flush", "-C", "--count" -> {
                    if (command != null) {
                        return problem(err, "Invalid commands combination");
                    }
                    command = switch (a) {
                        case "--dump" -> "-L";
                        case "--flush" -> "-F";
                        case "--count" -> "-C";
                        default -> a;
                    };
                }
                case "-p", "--protonum", "--proto" -> {
                    if (i + 1 >= args.length) {
                        return problem(err, "option `" + a + "' requires an argument");
                    }
                    proto = protoNumber(args[++i]);
                    if (proto < 0) {
                        return problem(err, "`" + args[i] + "' unsupported protocol");
                    }
                }
                case "-f", "--family" -> {
                    if (i + 1 >= args.length) {
                        return problem(err, "option `" + a + "' requires an argument");
                    }
                    String f = args[++i];
                    if (f.equals("ipv4")) {
                        family = 4;
                    } else if (f.equals("ipv6")) {
                        family = 6;
                    } else {
                        return problem(err, "`" + f + "' unsupported protocol");
                    }
                }
                default -> {
                    return problem(err, "unknown option `" + a + "'");
                }
            }
        }
        if (command == null) {
            // LINUX-DIFF: conntrack prints its whole help text here; we print the usage line.
            out.println("Usage: conntrack [commands] [options]");
            return 0;
        }
        long now = table.now();
        switch (command) {
            case "-F" -> {
                table.flush();
                err.println(ConntrackFormat.BANNER + "connection tracking table has been emptied.");
                return 0;
            }
            case "-C" -> {
                table.reap(now);
                out.println(table.count());
                return 0;
            }
            default -> {
                List<Conn> all = table.entries(now);
                int shown = 0;
                for (Conn c : all) {
                    if (proto >= 0 && c.protocol != proto) {
                        continue;
                    }
                    if (family != 0 && c.ipVersion != family) {
                        continue;
                    }
                    out.println(ConntrackFormat.line(c, now, table.cfg.acct, table.useCount(c, now)));
                    shown++;
                }
                err.println(ConntrackFormat.BANNER + shown + " flow entries have been shown.");
                return 0;
            }
        }
    }

    private static int problem(PrintStream err, String message) {
        err.println(ConntrackFormat.BANNER + message);
        err.println("Try `conntrack -h' or 'conntrack --help' for more information.");
        return 2;
    }

    private static int protoNumber(String s) {
        return switch (s) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "udplite" -> 136;
            case "icmp" -> 1;
            case "icmpv6" -> 58;
            case "sctp" -> 132;
            case "dccp" -> 33;
            case "gre" -> 47;
            default -> {
                try {
                    int n = Integer.parseInt(s);
                    yield n >= 0 && n <= 255 ? n : -1;
                } catch (NumberFormatException e) {
                    yield -1;
                }
            }
        };
    }
}
