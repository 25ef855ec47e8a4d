package io.stockade.engine;

import io.stockade.host.Addresses;
import io.stockade.rules.Chain;
import io.stockade.rules.Family;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Rule;
import io.stockade.rules.RuleTarget;
import io.stockade.rules.Ruleset;
import io.stockade.rules.Table;
import io.stockade.rules.TableKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test helper: the iptables-save subset the engine tests need without any match or target
 * module ({@code *table}, {@code :CHAIN POLICY}, {@code -A CHAIN} with -s -d -i -o -p -f and
 * {@code !}, {@code -j ACCEPT|DROP|RETURN|QUEUE|CHAIN}, {@code -g CHAIN}, {@code COMMIT}), plus
 * extra target objects by name for tests that need an extension target.
 */
final class MiniRules {
    private MiniRules() {
    }

    static Ruleset parse(Family family, String text) {
        return parse(family, text, Map.of());
    }

    static Ruleset parse(Family family, String text, Map<String, RuleTarget> extra) {
        Ruleset rs = new Ruleset();
        Table table = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
                continue;
            }
            if (line.startsWith("*")) {
                table = rs.table(family, TableKind.byName(line.substring(1)));
                continue;
            }
            String[] w = line.split("\\s+");
            if (line.startsWith(":")) {
                String name = w[0].substring(1);
                Chain c = table.chain(name);
                if (c == null) {
                    table.addUserChain(name);
                } else if (!w[1].equals("-")) {
                    c.policy(RuleTarget.Standard.Kind.valueOf(w[1]));
                }
                continue;
            }
            if (!w[0].equals("-A")) {
                throw new IllegalArgumentException("unsupported line: " + line);
            }
            table.chain(w[1]).rules().add(rule(family, w, extra));
        }
        return rs;
    }

    private static Rule rule(Family f, String[] w, Map<String, RuleTarget> extra) {
        long[] src = {0, 0, 0, 0};
        long[] dst = {0, 0, 0, 0};
        String in = "";
        String out = "";
        int proto = 0;
        boolean frag = false;
        int inv = 0;
        boolean not = false;
        RuleTarget target = RuleTarget.NONE;
        for (int i = 2; i < w.length; i++) {
            switch (w[i]) {
                case "!" -> {
                    not = true;
                    continue;
                }
                case "-s" -> {
                    src = prefix(w[++i]);
                    inv |= not ? IpHeaderFilter.INV_SRC : 0;
                }
                case "-d" -> {
                    dst = prefix(w[++i]);
                    inv |= not ? IpHeaderFilter.INV_DST : 0;
                }
                case "-i" -> {
                    in = w[++i];
                    inv |= not ? IpHeaderFilter.INV_IN : 0;
                }
                case "-o" -> {
                    out = w[++i];
                    inv |= not ? IpHeaderFilter.INV_OUT : 0;
                }
                case "-p" -> {
                    String p = w[++i];
                    proto = switch (p) {
                        case "tcp" -> 6;
                        case "udp" -> 17;
                        case "icmp" -> 1;
                        case "ipv6-icmp" -> 58;
                        case "all" -> 0;
                        default -> Integer.parseInt(p);
                    };
                    inv |= not ? IpHeaderFilter.INV_PROTO : 0;
                }
                case "-f" -> {
                    frag = true;
                    inv |= not ? IpHeaderFilter.INV_FRAG : 0;
                }
                case "-j" -> {
                    String t = w[++i];
                    if (extra.containsKey(t)) {
                        target = extra.get(t);
                    } else {
                        target = switch (t) {
                            case "ACCEPT", "DROP", "RETURN", "QUEUE" -> new RuleTarget.Standard(RuleTarget.Standard.Kind.valueOf(t));
                            default -> new RuleTarget.Jump(t, false);
                        };
                    }
                }
                case "-g" -> target = new RuleTarget.Jump(w[++i], true);
                default -> throw new IllegalArgumentException("unsupported option " + w[i]);
            }
            not = false;
        }
        IpHeaderFilter ip = new IpHeaderFilter(f, src[0], src[1], src[2], src[3], dst[0], dst[1], dst[2], dst[3],
                in, out, proto, frag, inv);
        return new Rule(ip, List.of(), target, 0, 0);
    }

    private static long[] prefix(String s) {
        Addresses.Prefix p = Addresses.parsePrefix(s, false);
        return new long[] {p.hi(), p.lo(), Addresses.maskHi(p.version(), p.length()), Addresses.maskLo(p.version(), p.length())};
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
