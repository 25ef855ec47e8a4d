package io.stockade.ext.match;

import io.stockade.ext.Extensions;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchExtension;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.testing.UpstreamVectors;
import java.util.ArrayList;
import java.util.List;

/**
 * A small stand-in for the iptables command parser, enough to drive match modules in tests:
 * {@code [-p PROTO] -m NAME [!] --opt [arg] …} → parsed specs, their save text and the kernel
 * check. It knows only {@code -p} and {@code -m}; anything else makes {@link #parse} return null.
 */
final class M2Harness {
    private M2Harness() {
    }

    /** Result of one rule: the save text, or the error. */
    record Result(String save, String error, List<MatchSpec> specs) {
    }

    static int protoNumber(String p) {
        return switch (p) {
            case "ah" -> 51;
            case "esp" -> 50;
            case "all" -> 0;
            default -> {
                int n = OtherProtocols.number(p);
                yield n >= 0 ? n : Integer.parseInt(p);
            }
        };
    }

    static String protoName(int n) {
        return switch (n) {
            case 51 -> "ah";
            case 50 -> "esp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            case 33 -> "dccp";
            case 135 -> "mobility-header";
            case 108 -> "ipcomp";
            case 1 -> "icmp";
            case 58 -> "ipv6-icmp";
            default -> Integer.toString(n);
        };
    }

    /** Parses a rule; null if it uses something the harness does not know. */
    static Result parse(Family family, String rule) {
        return parse(family, rule, Hook.INPUT);
    }

    static Result parse(Family family, String rule, Hook hook) {
        List<String> t = UpstreamVectors.words(rule);
        int proto = 0;
        boolean invProto = false;
        StringBuilder save = new StringBuilder();
        List<MatchSpec> specs = new ArrayList<>();
        int i = 0;
        try {
            if (t.size() >= 2 && t.get(0).equals("-p")) {
                proto = protoNumber(t.get(1));
                i = 2;
            } else if (t.size() >= 3 && t.get(0).equals("!") && t.get(1).equals("-p")) {
                proto = protoNumber(t.get(2));
                invProto = true;
                i = 3;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        if (proto != 0) {
            save.append(invProto ? "! " : "").append("-p ").append(protoName(proto));
        }
        String target = null;
        if (t.size() >= 2 && t.get(t.size() - 2).equals("-j")
                && List.of("ACCEPT", "DROP", "RETURN").contains(t.getLast())) {
            target = t.getLast();
            t = t.subList(0, t.size() - 2);
        }
        while (i < t.size()) {
            if (!t.get(i).equals("-m") || i + 1 >= t.size()) {
                return null;
            }
            String name = t.get(i + 1);
            MatchExtension ext = Extensions.match(name, family);
            if (ext == null) {
                return null;
            }
            i += 2;
            try {
                MatchExtension.Parser p = ext.newParser(new ParseEnv(family, TableKind.FILTER));
                while (i < t.size() && !t.get(i).equals("-m")) {
                    boolean inv = false;
                    if (t.get(i).equals("!")) {
                        inv = true;
                        i++;
                    }
                    if (i >= t.size() || !t.get(i).startsWith("--")) {
                        return null;
                    }
                    String optName = t.get(i).substring(2);
                    Option opt = null;
                    for (Option o : ext.options()) {
                        if (o.name().equals(optName)) {
                            opt = o;
                        }
                    }
                    if (opt == null) {
                        return new Result(null, "unknown option \"--" + optName + "\"", specs);
                    }
                    i++;
                    String arg = null;
                    if (opt.arg() == Option.Arg.REQUIRED) {
                        if (i >= t.size()) {
                            return new Result(null, "option \"--" + optName + "\" requires an argument", specs);
                        }
                        arg = t.get(i++);
                    } else if (opt.arg() == Option.Arg.TWO) {
                        if (i >= t.size()) {
                            return new Result(null, "option \"--" + optName + "\" requires an argument", specs);
                        }
                        arg = t.get(i++);
                        if (i < t.size() && !t.get(i).startsWith("-") && !t.get(i).startsWith("!")) {
                            arg = arg + " " + t.get(i++);
                        }
                    } else if (opt.arg() == Option.Arg.OPTIONAL && i < t.size()
                            && !t.get(i).startsWith("-") && !t.get(i).equals("!")) {
                        arg = t.get(i++);
                    }
                    p.parse(opt, arg, inv);
                }
                MatchSpec spec = p.finish();
                specs.add(spec);
                if (!save.isEmpty()) {
                    save.append(' ');
                }
                save.append("-m ").append(spec.name());
                spec.save(save);
            } catch (ParameterProblem e) {
                return new Result(null, e.getMessage(), specs);
            }
        }
        IpHeaderFilter ip = new IpHeaderFilter(family, 0, 0, 0, 0, 0, 0, 0, 0, "", "", proto, false,
                invProto ? IpHeaderFilter.INV_PROTO : 0);
        CheckEnv env = new CheckEnv(family, TableKind.FILTER, hook == null ? 0 : hook.bit(), ip);
        for (MatchSpec s : specs) {
            String err = s.check(env);
            if (err != null) {
                return new Result(null, err, specs);
            }
        }
        if (target != null) {
            save.append(" -j ").append(target);
        }
        return new Result(save.toString(), null, specs);
    }

    /** The single spec of a rule that must parse. */
    static MatchSpec spec(Family family, String rule) {
        Result r = parse(family, rule);
        if (r == null || r.error() != null) {
            throw new AssertionError(rule + ": " + (r == null ? "not understood" : r.error()));
        }
        return r.specs().getLast();
    }

    /** The error message of a rule that must fail. */
    static String error(Family family, String rule) {
        Result r = parse(family, rule);
        if (r == null || r.error() == null) {
            throw new AssertionError(rule + ": expected an error, got " + (r == null ? "?" : r.save()));
        }
        return r.error();
    }

    static String print(MatchSpec s, boolean numeric) {
        StringBuilder sb = new StringBuilder();
        s.print(sb, numeric);
        return sb.toString();
    }
}
