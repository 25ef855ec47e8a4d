package io.stockade.ext.match;

import io.stockade.engine.CompilableMatch;
import io.stockade.engine.Matcher;
import io.stockade.engine.RuntimeState;
import io.stockade.engine.Skb;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.util.List;

/**
 * {@code -m set [!] --match-set NAME src|dst[,src|dst…]} (libxt_set revision 4 / xt_set) with
 * {@code --return-nomatch}, {@code ! --update-counters}, {@code ! --update-subcounters} and the
 * {@code [!] --packets-eq|lt|gt}, {@code [!] --bytes-eq|lt|gt} counter tests. The set must exist in
 * {@link IpSets} when the rule is parsed, as iptables asks the kernel.
 */
public final class SetMatch implements io.stockade.rules.MatchExtension {
    static final int O_MATCH_SET = 0;
    static final int O_SET = 1;
    static final int O_NOMATCH = 2;
    static final int O_UPD = 3;
    static final int O_UPDSUB = 4;
    static final int O_PKT = 5;
    static final int O_BYTES = 11;
    static final String[] OPS = {"eq", "lt", "gt"};
    private static final List<Option> OPTIONS = List.of(
            Option.twoValues("match-set", true, O_MATCH_SET), Option.twoValues("set", true, O_SET),
            Option.flag("return-nomatch", O_NOMATCH), Option.invFlag("update-counters", O_UPD),
            Option.invFlag("update-subcounters", O_UPDSUB),
            Option.invValue("packets-eq", O_PKT), Option.value("packets-lt", O_PKT + 1),
            Option.value("packets-gt", O_PKT + 2),
            Option.invValue("bytes-eq", O_BYTES), Option.value("bytes-lt", O_BYTES + 1),
            Option.value("bytes-gt", O_BYTES + 2));

    @Override
    public String name() {
        return "set";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private String set;
            private int dim;
            private int srcBits;
            private boolean inv;
            private boolean nomatch;
            private boolean noUpd;
            private boolean noUpdSub;
            private int pktOp = -1;
            private boolean pktInv;
            private long pkts;
            private int byteOp = -1;
            private boolean byteInv;
            private long bytes;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                int id = opt.id();
                switch (id) {
                    case O_MATCH_SET, O_SET -> {
                        if (set != null) {
                            throw new ParameterProblem("--match-set can be specified only once");
                        }
                        String name = SetDirs.name("match-set", arg);
                        int dirs = SetDirs.parse(arg);
                        if (IpSets.get(name) == null) {
                            throw new ParameterProblem("Set " + name + " doesn't exist.\n");
                        }
                        set = name;
                        dim = dirs >> 8;
                        srcBits = dirs & 0xff;
                        inv = inverted;
                    }
                    case O_NOMATCH -> nomatch = true;
                    case O_UPD -> noUpd = inverted;
                    case O_UPDSUB -> noUpdSub = inverted;
                    default -> {
                        long v = XtOptMatch.strictUint(arg, 0, -1L);
                        if (v == -1 && !arg.equals("18446744073709551615")) {
                            throw new ParameterProblem("set: bad value for option \"--" + opt.name() + "\"");
                        }
                        if (id < O_BYTES) {
                            if (pktOp >= 0) {
                                throw new ParameterProblem("only one of the --packets-[eq|lt|gt] is allowed");
                            }
                            pktOp = id - O_PKT;
                            pktInv = inverted;
                            pkts = v;
                        } else {
                            if (byteOp >= 0) {
                                throw new ParameterProblem("only one of the --bytes-[eq|lt|gt] is allowed");
                            }
                            byteOp = id - O_BYTES;
                            byteInv = inverted;
                            bytes = v;
                        }
                    }
                }
            }

            @Override
            public MatchSpec finish() throws ParameterProblem {
                if (set == null) {
                    throw new ParameterProblem("You must specify `--match-set' with proper arguments");
                }
                return new Spec(set, dim, srcBits, inv, nomatch, noUpd, noUpdSub, pktOp, pktInv, pkts, byteOp,
                        byteInv, bytes);
            }
        };
    }

    /** The parsed match (struct xt_set_info_match_v4). Counter tests are kept but not evaluated. */
    public record Spec(String setName, int dim, int srcBits, boolean invert, boolean returnNomatch,
            boolean noUpdateCounters, boolean noUpdateSubcounters, int packetsOp, boolean packetsInv, long packets,
            int bytesOp, boolean bytesInv, long bytes) implements MatchSpec, CompilableMatch {
        @Override
        public String name() {
            return "set";
        }

        private void dump(StringBuilder out, String p) {
            out.append(invert ? " ! " : " ").append(p).append("match-set ").append(setName);
            SetDirs.append(out, dim, srcBits);
            if (returnNomatch) {
                out.append(' ').append(p).append("return-nomatch");
            }
            if (noUpdateCounters) {
                out.append(" ! ").append(p).append("update-counters");
            }
            if (noUpdateSubcounters) {
                out.append(" ! ").append(p).append("update-subcounters");
            }
            if (packetsOp >= 0) {
                out.append(packetsInv ? " ! " : " ").append(p).append("packets-").append(OPS[packetsOp]).append(' ')
                        .append(Long.toUnsignedString(packets));
            }
            if (bytesOp >= 0) {
                out.append(bytesInv ? " ! " : " ").append(p).append("bytes-").append(OPS[bytesOp]).append(' ')
                        .append(Long.toUnsignedString(bytes));
            }
        }

        @Override
        public void save(StringBuilder out) {
            dump(out, "--");
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            dump(sb, "");
            out.append(sb, 1, sb.length());
        }

        @Override
        // LINUX-DIFF: sets carry no counters, so --packets-*/--bytes-* tests are not evaluated.
        public Matcher compile(RuntimeState state) {
            IpSets.IpSet s = IpSets.get(setName);
            return new Matcher() {
                @Override
                public boolean matches(Skb skb) {
                    boolean in = s != null && s.test(skb.pd, dim, srcBits, 0, skb.timeNanos);
                    return in != invert;
                }
            };
        }
    }
}
