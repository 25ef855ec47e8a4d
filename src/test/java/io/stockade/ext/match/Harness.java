package io.stockade.ext.match;

import io.stockade.ext.Extensions;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
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
 * A small stand-in for the command parser, enough to drive match modules from the text of a rule
 * ({@code [!] -p P -m NAME [!] --opt ARG …}): tokenises with shell double quotes, hands options to
 * the module, runs finish and the kernel check, and renders the save form as iptables-save does
 * for these parts. Lines using anything else are reported as unsupported (null).
 */
final class Harness {
    /** What a rule turned into. */
    record Result(String save, List<MatchSpec> specs, IpHeaderFilter ip) {
    }

    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String what) {
            super(what, null, false, false);
        }
    }

    private Harness() {
    }

    static String protoName(int p) {
        return switch (p) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "ipv6-icmp";
            case 132 -> "sctp";
            case 33 -> "dccp";
            case 136 -> "udplite";
            default -> Integer.toString(p);
        };
    }

    /** Parses, finishes and checks a rule; throws ParameterProblem like iptables would fail. */
    static Result run(String rule, Family family) throws ParameterProblem, Unsupported {
        return run(rule, family, TableKind.FILTER);
    }

    static Result run(String rule, Family family, TableKind table) throws ParameterProblem, Unsupported {
        return run(rule, family, table, io.stockade.rules.Hook.INPUT.bit());
    }

    static Result run(String rule, Family family, TableKind table, int hookMask) throws ParameterProblem, Unsupported {
        List<String> t = UpstreamVectors.words(rule);
        int proto = 0;
        boolean protoInv = false;
        boolean protoSeen = false;
        List<MatchSpec> specs = new ArrayList<>();
        MatchExtension cur = null;
        MatchExtension.Parser parser = null;
        boolean inv = false;
        for (int i = 0; i < t.size(); i++) {
            String w = t.get(i);
            if (w.equals("!")) {
                inv = true;
                continue;
            }
            if (w.equals("-p") || w.equals("--protocol")) {
                if (protoSeen) {
                    throw new ParameterProblem("multiple -p flags not allowed");
                }
                protoSeen = true;
                proto = Xt.protocol(t.get(++i));
                protoInv = inv;
                inv = false;
                continue;
            }
            if (w.equals("-m") || w.equals("--match")) {
                if (parser != null) {
                    specs.add(parser.finish());
                }
                String name = t.get(++i);
                cur = Extensions.match(name, family);
                if (cur == null) {
                    throw new ParameterProblem("Couldn't load match `" + name + "':No such file or directory");
                }
                parser = cur.newParser(new ParseEnv(family, table, proto, protoInv));
                continue;
            }
            if (w.startsWith("--") && cur == null && proto != 0) {
                // iptables loads the protocol's match implicitly for an unknown option after -p.
                MatchExtension implicit = Extensions.match(protoName(proto).replace("ipv6-icmp", "icmp6"), family);
                if (implicit != null) {
                    cur = implicit;
                    parser = cur.newParser(new ParseEnv(family, table, proto, protoInv));
                }
            }
            if (w.startsWith("--") && cur != null) {
                String n = w.substring(2);
                Option opt = null;
                for (Option o : cur.options()) {
                    if (o.name().equals(n)) {
                        opt = o;
                    }
                }
                if (opt == null) {
                    throw new ParameterProblem("unknown option \"" + w + "\"");
                }
                if (inv && !opt.invertible()) {
                    throw Xt.notInvertible(cur.name(), n);
                }
                String arg = null;
                switch (opt.arg()) {
                    case REQUIRED -> {
                        if (i + 1 >= t.size()) {
                            throw new ParameterProblem("option \"" + w + "\" requires an argument");
                        }
                        arg = t.get(++i);
                    }
                    case TWO -> {
                        if (i + 2 >= t.size()) {
                            throw new ParameterProblem(w + " requires two args.");
                        }
                        arg = t.get(i + 1) + " " + t.get(i + 2);
                        i += 2;
                    }
                    case OPTIONAL -> {
                        if (i + 1 < t.size() && !t.get(i + 1).startsWith("-") && !t.get(i + 1).equals("!")) {
                            arg = t.get(++i);
                        }
                    }
                    case NONE -> {
                    }
                }
                parser.parse(opt, arg, inv);
                inv = false;
                continue;
            }
            if (w.startsWith("--")) {
                throw new ParameterProblem("unknown option \"" + w + "\"");
            }
            if (!w.startsWith("-")) {
                throw new ParameterProblem("Bad argument `" + w + "'");
            }
            throw new Unsupported(w);
        }
        if (parser != null) {
            specs.add(parser.finish());
        }
        IpHeaderFilter ip = new IpHeaderFilter(family, 0, 0, 0, 0, 0, 0, 0, 0, "", "", proto, false,
                protoInv ? IpHeaderFilter.INV_PROTO : 0);
        for (MatchSpec s : specs) {
            String err = s.check(new CheckEnv(family, table, hookMask, ip));
            if (err != null) {
                throw new ParameterProblem(ParameterProblem.OTHER, err);
            }
        }
        StringBuilder sb = new StringBuilder();
        if (protoSeen) {
            sb.append(protoInv ? "! -p " : "-p ").append(protoName(proto));
        }
        for (MatchSpec s : specs) {
            sb.append(sb.isEmpty() ? "" : " ").append("-m ").append(s.name());
            s.save(sb);
        }
        return new Result(sb.toString(), specs, ip);
    }

    /** The save text of a rule (IPv4). */
    static String save(String rule) throws Exception {
        return run(rule, Family.IPV4).save();
    }

    static String save6(String rule) throws Exception {
        return run(rule, Family.IPV6).save();
    }

    /** The -L text of the rule's single match. */
    static String list(String rule, boolean numeric) throws Exception {
        Result r = run(rule, Family.IPV4);
        StringBuilder sb = new StringBuilder();
        r.specs().get(r.specs().size() - 1).print(sb, numeric);
        return sb.toString();
    }

    /** The error message of a rule that must fail. */
    static String error(String rule, Family family) {
        try {
            run(rule, family);
        } catch (ParameterProblem e) {
            return e.getMessage();
        } catch (Unsupported e) {
            throw new AssertionError("unsupported: " + e.getMessage());
        }
        throw new AssertionError("accepted: " + rule);
    }

    static String error(String rule) {
        return error(rule, Family.IPV4);
    }
}
