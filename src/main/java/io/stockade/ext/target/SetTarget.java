package io.stockade.ext.target;

import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.ext.match.IpSets;
import io.stockade.ext.match.SetDirs;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TableKind;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j SET [--add-set NAME FLAGS [--exist] [--timeout N]] [--del-set NAME FLAGS]
 * [--map-set NAME FLAGS [--map-mark] [--map-prio] [--map-queue]]} (libxt_SET revision 3 /
 * xt_set {@code set_target_v3}). The sets must exist in {@link IpSets} when the rule is parsed, as
 * iptables asks the kernel. Per packet: the packet's values (FLAGS: {@code src}/{@code dst} per
 * dimension) are added to / deleted from the sets ({@link IpSets.IpSet#addFromPacket}: timeouts
 * on packet time, {@code --exist} refreshes a present element), and {@code --map-set} copies the
 * matching element's skbinfo into the mark ({@code (mark & ~mask) ^ skbmark}) and priority; the
 * verdict is CONTINUE. checkentry: {@code --map-set} only in mangle; {@code --map-prio}/
 * {@code --map-queue} only from FORWARD, OUTPUT, POSTROUTING.
 */
public final class SetTarget implements TargetExtension {
    private static final int O_ADD = 0;
    private static final int O_DEL = 1;
    private static final int O_MAP = 2;
    private static final int O_TIMEOUT = 3;
    private static final int O_EXIST = 4;
    private static final int O_MARK = 5;
    private static final int O_PRIO = 6;
    private static final int O_QUEUE = 7;
    private static final String[] SET_OPTS = {"add-set", "del-set", "map-set"};
    private static final List<Option> OPTIONS = List.of(
            new Option("add-set", Option.Arg.TWO, true, O_ADD),
            new Option("del-set", Option.Arg.TWO, true, O_DEL),
            new Option("map-set", Option.Arg.TWO, true, O_MAP),
            new Option("timeout", Option.Arg.REQUIRED, true, O_TIMEOUT),
            Option.invFlag("exist", O_EXIST),
            Option.invFlag("map-mark", O_MARK),
            Option.invFlag("map-prio", O_PRIO),
            Option.invFlag("map-queue", O_QUEUE));
    /** IPSET_NO_TIMEOUT: no --timeout given. */
    static final long NO_TIMEOUT = 0xffffffffL;

    @Override
    public String name() {
        return "SET";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    /** One of the target's set references: name, dimension and src bits (bit d: dimension d is src). */
    public record SetRef(String name, int dim, int srcBits) {
        void append(StringBuilder out, String prefix) {
            out.append(prefix).append(' ').append(name);
            SetDirs.append(out, dim, srcBits);
        }
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final SetRef[] refs = new SetRef[3];
            private long timeout = NO_TIMEOUT;
            private boolean exist;
            private boolean mark;
            private boolean prio;
            private boolean queue;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                // "! --add-set" is accepted and means nothing, as in libxt_SET
                switch (opt.id()) {
                    case O_ADD, O_DEL, O_MAP -> {
                        String what = SET_OPTS[opt.id()];
                        if (refs[opt.id()] != null) {
                            throw new ParameterProblem("--" + what + " can be specified only once");
                        }
                        String set = SetDirs.name(what, arg);
                        if (IpSets.get(set) == null) {
                            throw new ParameterProblem("Set " + set + " doesn't exist.\n");
                        }
                        int dirs = SetDirs.parse(arg);
                        refs[opt.id()] = new SetRef(set, dirs >> 8, dirs & 0xff);
                    }
                    case O_TIMEOUT -> {
                        long v = TargetArgs.parseUnsigned(arg, 0xfffffffeL);
                        if (v < 0) {
                            throw new ParameterProblem("Invalid value for option --timeout or out of range 0-4294967294");
                        }
                        timeout = v;
                    }
                    case O_EXIST -> exist = true;
                    case O_MARK -> mark = true;
                    case O_PRIO -> prio = true;
                    default -> queue = true;
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                if (refs[O_ADD] == null && refs[O_DEL] == null && refs[O_MAP] == null) {
                    throw new ParameterProblem("You must specify either `--add-set' or `--del-set' or `--map-set'");
                }
                if (refs[O_ADD] == null) {
                    if (exist) {
                        throw new ParameterProblem("Flag `--exist' can be used with `--add-set' only");
                    }
                    if (timeout != NO_TIMEOUT) {
                        throw new ParameterProblem("Option `--timeout' can be used with `--add-set' only");
                    }
                }
                if (refs[O_MAP] == null) {
                    for (int i = 0; i < 3; i++) {
                        if (i == 0 ? mark : i == 1 ? prio : queue) {
                            throw new ParameterProblem("Flag `--map-" + (i == 0 ? "mark" : i == 1 ? "prio" : "queue")
                                    + "' can be used with `--map-set' only");
                        }
                    }
                } else if (!mark && !prio && !queue) {
                    throw new ParameterProblem("You must specify flags `--map-mark' or '--map-prio` or `--map-queue'");
                }
                return new Spec(refs[O_ADD], refs[O_DEL], refs[O_MAP], timeout, exist, mark, prio, queue);
            }
        };
    }

    /** The parsed target ({@code struct xt_set_info_target_v3}); absent references are null. */
    public record Spec(SetRef add, SetRef del, SetRef map, long timeout, boolean exist, boolean mapMark,
                       boolean mapPrio, boolean mapQueue) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "SET";
        }

        private void dump(StringBuilder out, String p) {
            if (add != null) {
                add.append(out, " " + p + "add-set");
                if (exist) {
                    out.append(' ').append(p).append("exist");
                }
                if (timeout != NO_TIMEOUT) {
                    out.append(' ').append(p).append("timeout ").append(timeout);
                }
            }
            if (del != null) {
                del.append(out, " " + p + "del-set");
            }
            if (map != null) {
                map.append(out, " " + p + "map-set");
                if (mapMark) {
                    out.append(' ').append(p).append("map-mark");
                }
                if (mapPrio) {
                    out.append(' ').append(p).append("map-prio");
                }
                if (mapQueue) {
                    out.append(' ').append(p).append("map-queue");
                }
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
        public String check(CheckEnv env) {
            if (map != null) {
                if (env.table() != TableKind.MANGLE) {
                    return "Invalid argument. Run `dmesg' for more information.";
                }
                int allowed = Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit();
                if ((mapPrio || mapQueue) && !env.onlyHooks(allowed)) {
                    return "Invalid argument. Run `dmesg' for more information.";
                }
            }
            return null;
        }

        /**
         * set_target_v3; the sets are looked up by name per packet (no allocation), so a set loaded
         * again is used at once. LINUX-DIFF: {@code --map-queue} changes nothing (no transmit queues).
         */
        @Override
        public int execute(Skb skb, Emitter emitter) {
            long now = skb.timeNanos;
            if (add != null) {
                IpSets.IpSet s = IpSets.get(add.name);
                if (s != null) {
                    s.addFromPacket(skb.pd, add.dim, add.srcBits, timeout == NO_TIMEOUT ? -1 : (int) Math.min(timeout,
                            Integer.MAX_VALUE), exist, now);
                }
            }
            if (del != null) {
                IpSets.IpSet s = IpSets.get(del.name);
                if (s != null) {
                    s.delFromPacket(skb.pd, del.dim, del.srcBits, now);
                }
            }
            if (map != null) {
                IpSets.IpSet s = IpSets.get(map.name);
                if (s != null) {
                    IpSets.map(s, skb, map.dim, map.srcBits, mapMark, mapPrio);
                }
            }
            return Verdict.CONTINUE;
        }
    }
}
