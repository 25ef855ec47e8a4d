package io.stockade.ext.target;

import io.stockade.ext.Extensions;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.testing.UpstreamVectors;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives target modules the way the command parser does (option lookup by exact long name,
 * {@code !}, argument), without depending on the syntax package: enough to check parse, save,
 * print and checkentry of one rule's target part. Test-only.
 */
final class TargetHarness {
    private TargetHarness() {
    }

    /** A rule's parts as far as targets care: protocol, its inversion, matches, target. */
    record Rule(int proto, boolean invProto, List<MatchSpec> matches, TargetSpec target) {
    }

    static int protoNumber(String p) {
        return switch (p) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "ipv6-icmp", "icmpv6" -> 58;
            case "sctp" -> 132;
            case "dccp" -> 33;
            case "all" -> 0;
            default -> Integer.parseInt(p);
        };
    }

    /** A stand-in for a match module: its name and its save text (e.g. the tcp match's flags). */
    record FakeMatch(String name, String saveText) implements MatchSpec {
        @Override
        public void save(StringBuilder out) {
            out.append(saveText);
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
        }
    }

    /** Parses {@code [-p P] [-m M opts…]… -j NAME opts…}; throws ParameterProblem like iptables. */
    static Rule parse(Family family, TableKind table, String rule) throws ParameterProblem {
        List<String> t = UpstreamVectors.words(rule);
        int proto = 0;
        boolean inv = false;
        List<MatchSpec> matches = new ArrayList<>();
        int i = 0;
        while (i < t.size() && !t.get(i).equals("-j")) {
            String tok = t.get(i);
            if (tok.equals("!") && i + 1 < t.size() && t.get(i + 1).equals("-p")) {
                inv = true;
                i++;
                continue;
            }
            if (tok.equals("-p")) {
                proto = protoNumber(t.get(i + 1));
                i += 2;
            } else if (tok.equals("-m")) {
                String name = t.get(i + 1);
                StringBuilder sb = new StringBuilder();
                i += 2;
                while (i < t.size() && !t.get(i).equals("-m") && !t.get(i).equals("-j")) {
                    sb.append(' ').append(t.get(i));
                    i++;
                }
                matches.add(new FakeMatch(name, sb.toString()));
            } else {
                throw new IllegalArgumentException("harness cannot parse " + tok + " in " + rule);
            }
        }
        if (i >= t.size() - 1) {
            throw new IllegalArgumentException("no target in " + rule);
        }
        String name = t.get(i + 1);
        TargetExtension ext = Extensions.target(name, family);
        if (ext == null) {
            throw new IllegalStateException("no target module " + name + " for " + family);
        }
        TargetExtension.Parser p = ext.newParser(new ParseEnv(family, table, proto, inv));
        i += 2;
        while (i < t.size()) {
            boolean inverted = false;
            if (t.get(i).equals("!")) {
                inverted = true;
                i++;
            }
            String tok = t.get(i++);
            if (!tok.startsWith("--")) {
                throw new ParameterProblem("Bad argument `" + tok + "'");
            }
            Option opt = null;
            for (Option o : ext.options()) {
                if (o.name().equals(tok.substring(2))) {
                    opt = o;
                }
            }
            if (opt == null) {
                throw new ParameterProblem("unknown option \"" + tok + "\"");
            }
            if (inverted && !opt.invertible()) {
                throw new ParameterProblem("cannot have ! before --" + opt.name());
            }
            String arg = null;
            if (opt.arg() == Option.Arg.REQUIRED) {
                if (i >= t.size()) {
                    throw new ParameterProblem("option \"" + tok + "\" requires an argument");
                }
                arg = t.get(i++);
            } else if (opt.arg() == Option.Arg.TWO) {
                if (i + 1 >= t.size()) {
                    throw new ParameterProblem("option \"" + tok + "\" requires an argument");
                }
                arg = t.get(i) + " " + t.get(i + 1);
                i += 2;
            } else if (opt.arg() == Option.Arg.OPTIONAL && i < t.size() && !t.get(i).startsWith("--")) {
                arg = t.get(i++);
            }
            p.parse(opt, arg, inverted);
        }
        return new Rule(proto, inv, matches, p.finish());
    }

    static TargetSpec spec(Family family, TableKind table, String rule) {
        try {
            return parse(family, table, rule).target();
        } catch (ParameterProblem e) {
            throw new AssertionError(rule + ": " + e.getMessage(), e);
        }
    }

    static TargetSpec spec(String rule) {
        return spec(Family.IPV4, TableKind.FILTER, rule);
    }

    /** The parse error message, or null when the rule parses. */
    static String error(Family family, TableKind table, String rule) {
        try {
            parse(family, table, rule);
            return null;
        } catch (ParameterProblem e) {
            return e.getMessage();
        }
    }

    static String save(TargetSpec s) {
        StringBuilder sb = new StringBuilder("-j ").append(s.name());
        s.save(sb);
        return sb.toString();
    }

    static String print(TargetSpec s, boolean numeric) {
        StringBuilder sb = new StringBuilder();
        s.print(sb, numeric);
        return sb.toString();
    }

    static CheckEnv env(Family family, TableKind table, Hook hook, int proto, boolean invProto, List<MatchSpec> m) {
        IpHeaderFilter ip = new IpHeaderFilter(family, 0, 0, 0, 0, 0, 0, 0, 0, "", "", proto, false,
                invProto ? IpHeaderFilter.INV_PROTO : 0);
        return new CheckEnv(family, table, hook.bit(), ip, m);
    }

    /** Parse then checkentry at {@code hook}: the first error (parser or kernel), or null. */
    static String addError(Family family, TableKind table, Hook hook, String rule) {
        try {
            Rule r = parse(family, table, rule);
            return r.target().check(env(family, table, hook, r.proto(), r.invProto(), r.matches()));
        } catch (ParameterProblem e) {
            return e.getMessage();
        }
    }
}
