package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.IpHeaderFilter;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j CT} revision 2 (libxt_CT / xt_CT): {@code --notrack}, {@code --helper NAME},
 * {@code --ctevents LIST}, {@code --expevents LIST}, {@code --zone[-orig|-reply] ID|mark},
 * {@code --timeout NAME}. Checkentry: raw table, PREROUTING/OUTPUT; a helper must be one the
 * kernel has for the rule's {@code -p} (else ENOENT, as {@code nf_conntrack_helper_try_module_get}
 * fails); {@code --timeout} names an nfct timeout policy, and Stockade has none (EINVAL).
 * Per packet: {@code --notrack} marks the packet untracked; otherwise the zone and helper are
 * left in {@link Skb#ctZone}/{@link Skb#ctHelper} for conntrack (the kernel's template).
 */
public final class CtTarget implements TargetExtension {
    private static final int O_NOTRACK = 0;
    private static final int O_HELPER = 1;
    private static final int O_CTEVENTS = 2;
    private static final int O_EXPEVENTS = 3;
    private static final int O_ZONE = 4;
    private static final int O_TIMEOUT = 5;
    private static final int O_ZONE_ORIG = 6;
    private static final int O_ZONE_REPLY = 7;
    private static final List<Option> OPTIONS = List.of(
            Option.flag("notrack", O_NOTRACK),
            Option.value("helper", O_HELPER),
            Option.value("ctevents", O_CTEVENTS),
            Option.value("expevents", O_EXPEVENTS),
            Option.value("zone-orig", O_ZONE_ORIG),
            Option.value("zone-reply", O_ZONE_REPLY),
            Option.value("zone", O_ZONE),
            Option.value("timeout", O_TIMEOUT));

    /** Conntrack event names in bit order (enum ip_conntrack_events). */
    static final List<String> CT_EVENTS = List.of("new", "related", "destroy", "reply", "assured", "protoinfo",
            "helper", "mark", "natseqinfo", "secmark");
    static final List<String> EXP_EVENTS = List.of("new");
    /** XT_CT_* flags. */
    public static final int NOTRACK = 1;
    public static final int ZONE_DIR_ORIG = 1 << 2;
    public static final int ZONE_DIR_REPL = 1 << 3;
    public static final int ZONE_MARK = 1 << 4;

    @Override
    public String name() {
        return "CT";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    static int events(List<String> table, String arg) throws ParameterProblem {
        int mask = 0;
        for (String e : arg.split(",", -1)) {
            int i = table.indexOf(e);
            if (i < 0) {
                throw new ParameterProblem("Unknown event type \"" + e + "\"");
            }
            mask |= 1 << i;
        }
        return mask;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("CT", OPTIONS);
            private int flags;
            private String helper = "";
            private String timeout = "";
            private int ctEvents;
            private int expEvents;
            private int zone;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_NOTRACK -> flags |= NOTRACK;
                    case O_HELPER -> helper = arg;
                    case O_TIMEOUT -> timeout = arg;
                    case O_CTEVENTS -> ctEvents = events(CT_EVENTS, arg);
                    case O_EXPEVENTS -> expEvents = events(EXP_EVENTS, arg);
                    default -> {
                        flags &= ~(ZONE_DIR_ORIG | ZONE_DIR_REPL | ZONE_MARK);
                        if (opt.id() == O_ZONE_ORIG) {
                            flags |= ZONE_DIR_ORIG;
                        } else if (opt.id() == O_ZONE_REPLY) {
                            flags |= ZONE_DIR_REPL;
                        }
                        if (arg.equals("mark")) {
                            flags |= ZONE_MARK;
                            zone = 0;
                        } else {
                            long z = TargetArgs.parseUnsigned(arg, 65535);
                            if (z < 0) {
                                throw new ParameterProblem("Cannot parse " + arg + " as a zone ID");
                            }
                            zone = (int) z;
                        }
                    }
                }
            }

            @Override
            public TargetSpec finish() {
                return new Spec(flags, helper, ctEvents, expEvents, zone, timeout);
            }
        };
    }

    /** Helper names the kernel registers and the protocol each serves (nf_conntrack_*). */
    static int helperProtocol(String name, int proto) {
        return switch (name) {
            case "ftp", "irc", "sane", "pptp", "Q.931" -> 6;
            case "tftp", "amanda", "netbios-ns", "snmp", "RAS" -> 17;
            case "sip" -> proto == 6 ? 6 : 17;
            default -> -1;
        };
    }

    /** The parsed target ({@code xt_ct_target_info_v1}). */
    public record Spec(int flags, String helper, int ctEvents, int expEvents, int zone, String timeout)
            implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "CT";
        }

        private void events(StringBuilder out, String label, List<String> table, int mask) {
            out.append(label);
            String sep = " ";
            for (int i = 0; i < table.size(); i++) {
                if ((mask & (1 << i)) != 0) {
                    out.append(sep).append(table.get(i));
                    sep = ",";
                }
            }
        }

        private void zone(StringBuilder out, String label) {
            int dir = flags & (ZONE_DIR_ORIG | ZONE_DIR_REPL);
            out.append(label).append(dir == ZONE_DIR_ORIG ? "-orig" : dir == ZONE_DIR_REPL ? "-reply" : "");
            if ((flags & ZONE_MARK) != 0) {
                out.append(" mark");
            } else {
                out.append(' ').append(zone);
            }
        }

        private void append(StringBuilder out, String dashes) {
            if ((flags & NOTRACK) != 0) {
                out.append(' ').append(dashes).append("notrack");
            }
            if (!helper.isEmpty()) {
                out.append(' ').append(dashes).append("helper ").append(helper);
            }
            if (ctEvents != 0) {
                events(out, " " + dashes + "ctevents", CT_EVENTS, ctEvents);
            }
            if (expEvents != 0) {
                events(out, " " + dashes + "expevents", EXP_EVENTS, expEvents);
            }
            if (zone != 0 || (flags & ZONE_MARK) != 0) {
                zone(out, " " + dashes + "zone");
            }
            if (!timeout.isEmpty()) {
                out.append(' ').append(dashes).append("timeout ").append(timeout);
            }
        }

        @Override
        public void save(StringBuilder out) {
            append(out, "--");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            out.append("CT");
            append(out, "");
        }

        @Override
        public String check(CheckEnv env) {
            String e = NotrackTarget.checkRaw(env);
            if (e != null) {
                return e;
            }
            if (!helper.isEmpty()) {
                IpHeaderFilter ip = env.ip();
                if (ip.protocol() == 0 || ip.inverted(IpHeaderFilter.INV_PROTO)
                        || helperProtocol(helper, ip.protocol()) != ip.protocol()) {
                    return TargetArgs.ENOENT;
                }
            }
            // LINUX-DIFF: nfct timeout policies ("nfct timeout add") are not modelled; naming one
            // fails as it does on Linux when the policy does not exist.
            return timeout.isEmpty() ? null : TargetArgs.EINVAL;
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            if (skb.conn != null || skb.ctinfo == NotrackTarget.UNTRACKED) {
                return Verdict.CONTINUE;
            }
            if ((flags & NOTRACK) != 0) {
                return NotrackTarget.untrack(skb);
            }
            // --zone mark takes the zone from the packet mark (as nf_ct_zone_tmpl).
            // LINUX-DIFF: a zone with a direction (--zone-orig/--zone-reply) is applied to both
            // directions: conntrack keeps one zone per entry.
            skb.ctZone = (flags & ZONE_MARK) != 0 ? skb.mark & 0xffff : zone;
            skb.ctHelper = helper.isEmpty() ? null : helper;
            return Verdict.CONTINUE;
        }
    }
}
