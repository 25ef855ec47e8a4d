package io.stockade.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One policy routing rule ({@code ip rule}, the kernel's {@code struct fib_rule} with its IPv4 /
 * IPv6 selectors): a priority, selectors (source and destination prefix, TOS, fwmark/mask,
 * input and output interface, uid range — all ANDed, the result inverted by {@code not}) and an
 * action: look up a table (optionally suppressing results whose prefix is not longer than
 * {@code suppressPrefixLength}), go to a later rule, do nothing, or end the lookup with
 * unreachable, prohibit or blackhole. {@code from}/{@code to} null means "all"; {@code iif}/
 * {@code oif} null means any; {@code uidStart} -1 means no uid range; {@code tos} 0 means any.
 *
 * <p>Read from {@code ip -j rule show} objects ({@link #fromJson}) or the hand-written
 * {@code host.conf} form ({@link #fromWords}, the arguments of {@code ip rule add}). Selectors
 * Stockade does not model ({@code ipproto}, {@code sport}, {@code dport}, {@code tun_id},
 * {@code l3mdev}, {@code suppress_ifgroup}) are refused, never ignored.
 */
public record PolicyRule(int version, int priority, boolean not, Addresses.Prefix from, Addresses.Prefix to, int tos,
                         String iif, String oif, int fwmark, int fwmask, long uidStart, long uidEnd, int action,
                         int table, int gotoPriority, int suppressPrefixLength) {
    /** FR_ACT_* (include/uapi/linux/fib_rules.h). */
    public static final int TO_TABLE = 1;
    public static final int GOTO = 2;
    public static final int NOP = 3;
    public static final int BLACKHOLE = 6;
    public static final int UNREACHABLE = 7;
    public static final int PROHIBIT = 8;

    /** A plain "from all lookup TABLE" rule. */
    public static PolicyRule lookup(int version, int priority, int table) {
        return new PolicyRule(version, priority, false, null, null, 0, null, null, 0, 0, -1, -1, TO_TABLE, table, 0, -1);
    }

    /**
     * The rules a fresh network namespace has: IPv4 {@code 0: lookup local}, {@code 32766: lookup
     * main}, {@code 32767: lookup default}; IPv6 the first two.
     */
    public static List<PolicyRule> defaults(int version) {
        List<PolicyRule> l = new ArrayList<>();
        l.add(lookup(version, 0, Host.TABLE_LOCAL));
        l.add(lookup(version, 32766, Host.TABLE_MAIN));
        if (version == 4) {
            l.add(lookup(version, 32767, Host.TABLE_DEFAULT));
        }
        return l;
    }

    /**
     * One object of {@code ip -j rule show} (or {@code ip -j -6 rule show}).
     *
     * @throws IllegalArgumentException naming the key and what was expected
     */
    public static PolicyRule fromJson(int version, Map<?, ?> m) {
        for (Object k : m.keySet()) {
            String key = String.valueOf(k);
            switch (key) {
                case "priority", "not", "src", "srclen", "dst", "dstlen", "tos", "dsfield", "fwmark", "fwmask", "iif",
                     "iif_detached", "oif", "oif_detached", "table", "action", "goto", "unresolved", "nop",
                     "suppress_prefixlen", "uid_start", "uid_end", "protocol", "flags" -> {
                }
                default -> throw new IllegalArgumentException("rule selector '" + key
                        + "' is not modelled (supported: priority, not, from, to, tos, fwmark/fwmask, iif, oif, uidrange, "
                        + "table, goto, nop, unreachable, prohibit, blackhole, suppress_prefixlength)");
            }
        }
        int prio = m.get("priority") instanceof Long l ? l.intValue() : 0;
        Addresses.Prefix from = prefix(version, m.get("src"), m.get("srclen"), "src");
        Addresses.Prefix to = prefix(version, m.get("dst"), m.get("dstlen"), "dst");
        int tos = 0;
        Object t = m.containsKey("tos") ? m.get("tos") : m.get("dsfield");
        if (t != null) {
            tos = (int) number(String.valueOf(t), "a TOS value");
        }
        int mark = m.get("fwmark") instanceof String s ? (int) number(s, "an fwmark") : 0;
        int mask = m.get("fwmask") instanceof String s ? (int) number(s, "an fwmask") : (mark != 0 ? -1 : 0);
        String iif = m.get("iif") instanceof String s ? s : null;
        String oif = m.get("oif") instanceof String s ? s : null;
        long uidStart = m.get("uid_start") instanceof Long l ? l : -1;
        long uidEnd = m.get("uid_end") instanceof Long l ? l : -1;
        int action = TO_TABLE;
        int table = 0;
        int gotoPrio = 0;
        if (m.get("action") instanceof String a) {
            action = switch (a) {
                case "unreachable" -> UNREACHABLE;
                case "prohibit" -> PROHIBIT;
                case "blackhole" -> BLACKHOLE;
                default -> throw new IllegalArgumentException("expected action unreachable, prohibit or blackhole, found '" + a + "'");
            };
        } else if (m.get("goto") instanceof Long g) {
            action = GOTO;
            gotoPrio = g.intValue();
        } else if (m.containsKey("nop")) {
            action = NOP;
        } else if (m.get("table") instanceof String tb) {
            table = tableId(tb);
        } else {
            throw new IllegalArgumentException("expected \"table\", \"goto\", \"nop\" or \"action\" in rule " + prio);
        }
        int suppress = m.get("suppress_prefixlen") instanceof Long l ? l.intValue() : -1;
        return new PolicyRule(version, prio, m.containsKey("not"), from, to, tos, iif, oif, mark, mask, uidStart, uidEnd,
                action, table, gotoPrio, suppress);
    }

    private static Addresses.Prefix prefix(int version, Object addr, Object len, String key) {
        if (!(addr instanceof String a) || a.equals("all")) {
            return null;
        }
        Addresses.Ip ip = Addresses.parse(a);
        if (ip.version() != version) {
            throw new IllegalArgumentException("\"" + key + "\": expected an IPv" + version + " address, found '" + a + "'");
        }
        int full = version == 4 ? 32 : 128;
        int l = len instanceof Long n ? n.intValue() : full;
        if (l < 0 || l > full) {
            throw new IllegalArgumentException("\"" + key + "len\": expected 0.." + full + ", found " + l);
        }
        return new Addresses.Prefix(version, ip.hi() & Addresses.maskHi(version, l), ip.lo() & Addresses.maskLo(version, l), l);
    }

    /**
     * The arguments of {@code ip [-6] rule add}: {@code [not] [pref N] [from PREFIX|all] [to PREFIX|all]
     * [tos N] [fwmark N[/M]] [iif DEV] [oif DEV] [uidrange A-B] [lookup|table T]
     * [suppress_prefixlength N] [goto N | nop | unreachable | prohibit | blackhole]}.
     *
     * @param version     4 or 6 ({@code -6} given or an IPv6 prefix seen)
     * @param defaultPref the priority when none is given
     * @throws IllegalArgumentException naming the word and what was expected
     */
    public static PolicyRule fromWords(int version, List<String> w, int defaultPref) {
        boolean not = false;
        int prio = -1;
        Addresses.Prefix from = null;
        Addresses.Prefix to = null;
        int tos = 0;
        int mark = 0;
        int mask = 0;
        String iif = null;
        String oif = null;
        long uidStart = -1;
        long uidEnd = -1;
        int action = 0;
        int table = 0;
        int gotoPrio = 0;
        int suppress = -1;
        for (int i = 0; i < w.size(); i++) {
            String k = w.get(i);
            switch (k) {
                case "not" -> not = true;
                case "nop" -> action = NOP;
                case "unreachable" -> action = UNREACHABLE;
                case "prohibit" -> action = PROHIBIT;
                case "blackhole" -> action = BLACKHOLE;
                default -> {
                    if (i + 1 >= w.size()) {
                        throw new IllegalArgumentException("expected a value after '" + k + "'");
                    }
                    String v = w.get(++i);
                    switch (k) {
                        case "pref", "priority", "preference" -> prio = (int) number(v, "a priority");
                        case "from" -> from = confPrefix(version, v);
                        case "to" -> to = confPrefix(version, v);
                        case "tos", "dsfield" -> tos = (int) number(v, "a TOS value");
                        case "fwmark" -> {
                            int slash = v.indexOf('/');
                            mark = (int) number(slash < 0 ? v : v.substring(0, slash), "an fwmark");
                            mask = slash < 0 ? (mark != 0 ? -1 : 0) : (int) number(v.substring(slash + 1), "an fwmark mask");
                        }
                        case "iif", "dev" -> iif = v;
                        case "oif" -> oif = v;
                        case "uidrange" -> {
                            int dash = v.indexOf('-');
                            uidStart = number(dash < 0 ? v : v.substring(0, dash), "a uid");
                            uidEnd = dash < 0 ? uidStart : number(v.substring(dash + 1), "a uid");
                        }
                        case "lookup", "table" -> {
                            table = tableId(v);
                            if (action == 0) {
                                action = TO_TABLE;
                            }
                        }
                        case "suppress_prefixlength", "sup_pl" -> suppress = (int) number(v, "a prefix length");
                        case "goto" -> {
                            action = GOTO;
                            gotoPrio = (int) number(v, "a rule priority");
                        }
                        default -> throw new IllegalArgumentException("expected a rule selector or action (not, pref, from, to, "
                                + "tos, fwmark, iif, oif, uidrange, lookup, suppress_prefixlength, goto, nop, unreachable, "
                                + "prohibit, blackhole), found '" + k + "'");
                    }
                }
            }
        }
        if (action == 0) {
            // ip rule add without an action looks up table main.
            action = TO_TABLE;
            table = Host.TABLE_MAIN;
        }
        if (action == GOTO && gotoPrio <= (prio < 0 ? defaultPref : prio)) {
            throw new IllegalArgumentException("goto " + gotoPrio + ": the target must come after the rule (the kernel refuses backward jumps)");
        }
        return new PolicyRule(version, prio < 0 ? defaultPref : prio, not, from, to, tos, iif, oif, mark, mask,
                uidStart, uidEnd, action, table, gotoPrio, suppress);
    }

    private static Addresses.Prefix confPrefix(int version, String v) {
        if (v.equals("all") || v.equals("default")) {
            return null;
        }
        Addresses.Prefix p = Addresses.parsePrefix(v, version == 6);
        if (p.version() != version) {
            throw new IllegalArgumentException("expected an IPv" + version + " prefix, found '" + v + "'");
        }
        return p;
    }

    /** A routing table name (local, main, default) or number. */
    static int tableId(String t) {
        return switch (t) {
            case "local" -> Host.TABLE_LOCAL;
            case "main" -> Host.TABLE_MAIN;
            case "default" -> Host.TABLE_DEFAULT;
            default -> {
                long n = number(t, "a table (local, main, default or a number)");
                yield (int) n;
            }
        };
    }

    private static long number(String s, String what) {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v < 0 || v > 0xffffffffL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + what + ", found '" + s + "'");
        }
    }
}
