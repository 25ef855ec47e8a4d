package io.stockade.ext.target;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.Option;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import io.stockade.rules.TargetExtension;
import io.stockade.rules.TargetSpec;
import java.util.List;

/**
 * {@code -j CONNMARK} revision 1 (libxt_CONNMARK / xt_CONNMARK). Three modes, as the kernel's
 * {@code xt_connmark_tginfo1}:
 * <ul>
 * <li>set ({@code --set-xmark v[/m]}, {@code --set-mark v[/m]} = v/(m|v), {@code --and-mark b} =
 * 0/~b, {@code --or-mark b} = b/b, {@code --xor-mark b} = b/0):
 * {@code ctmark = (ctmark & ~ctmask) ^ ctmark'};</li>
 * <li>{@code --save-mark}: {@code ctmark = (ctmark & ~ctmask) ^ (nfmark & nfmask)};</li>
 * <li>{@code --restore-mark}: {@code nfmark = (nfmark & ~nfmask) ^ (ctmark & ctmask)}.</li>
 * </ul>
 * {@code --mask m} sets both masks, {@code --nfmask}/{@code --ctmask} one each (default
 * 0xffffffff), applied in command-line order. Packets without a conntrack entry are left alone.
 */
public final class ConnmarkTarget implements TargetExtension {
    private static final int O_SET_MARK = 0;
    private static final int O_SAVE_MARK = 1;
    private static final int O_RESTORE_MARK = 2;
    private static final int O_AND_MARK = 3;
    private static final int O_OR_MARK = 4;
    private static final int O_XOR_MARK = 5;
    private static final int O_SET_XMARK = 6;
    private static final int O_CTMASK = 7;
    private static final int O_NFMASK = 8;
    private static final int O_MASK = 9;
    private static final int F_OP_ANY = 0x7f;
    private static final List<Option> OPTIONS = List.of(
            Option.value("set-mark", O_SET_MARK),
            Option.flag("save-mark", O_SAVE_MARK),
            Option.flag("restore-mark", O_RESTORE_MARK),
            Option.value("and-mark", O_AND_MARK),
            Option.value("or-mark", O_OR_MARK),
            Option.value("xor-mark", O_XOR_MARK),
            Option.value("set-xmark", O_SET_XMARK),
            Option.value("ctmask", O_CTMASK),
            Option.value("nfmask", O_NFMASK),
            Option.value("mask", O_MASK));

    /** XT_CONNMARK_SET / SAVE / RESTORE. */
    public enum Mode { SET, SAVE, RESTORE }

    @Override
    public String name() {
        return "CONNMARK";
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public Parser newParser(ParseEnv env) {
        return new Parser() {
            private final OptionSet seen = new OptionSet("CONNMARK", OPTIONS);
            private Mode mode;
            private int ctmark;
            private int ctmask = -1;
            private int nfmask = -1;

            @Override
            public void parse(Option opt, String arg, boolean inverted) throws ParameterProblem {
                seen.once(opt);
                switch (opt.id()) {
                    case O_SET_XMARK, O_SET_MARK -> {
                        long mm = TargetArgs.markMask("CONNMARK", opt.name(), arg);
                        mode = Mode.SET;
                        ctmark = (int) mm;
                        ctmask = (int) (mm >>> 32);
                        if (opt.id() == O_SET_MARK) {
                            ctmask |= ctmark;
                        }
                    }
                    case O_SAVE_MARK -> mode = Mode.SAVE;
                    case O_RESTORE_MARK -> mode = Mode.RESTORE;
                    default -> {
                        long v = TargetArgs.parseUnsigned(arg, 0xffffffffL);
                        if (v < 0) {
                            throw new ParameterProblem("CONNMARK: bad value for option \"--" + opt.name()
                                    + "\", or out of range (0-4294967295).\n");
                        }
                        int b = (int) v;
                        switch (opt.id()) {
                            case O_AND_MARK -> {
                                mode = Mode.SET;
                                ctmark = 0;
                                ctmask = ~b;
                            }
                            case O_OR_MARK -> {
                                mode = Mode.SET;
                                ctmark = b;
                                ctmask = b;
                            }
                            case O_XOR_MARK -> {
                                mode = Mode.SET;
                                ctmark = b;
                                ctmask = 0;
                            }
                            case O_CTMASK -> ctmask = b;
                            case O_NFMASK -> nfmask = b;
                            default -> {
                                ctmask = b;
                                nfmask = b;
                            }
                        }
                    }
                }
            }

            @Override
            public TargetSpec finish() throws ParameterProblem {
                seen.exclusive(F_OP_ANY);
                seen.exclusive((1 << O_MASK) | (1 << O_NFMASK));
                seen.exclusive((1 << O_MASK) | (1 << O_CTMASK));
                if (mode == null) {
                    throw new ParameterProblem("CONNMARK target: No operation specified");
                }
                return new Spec(mode, ctmark, ctmask, nfmask);
            }
        };
    }

    /** The parsed target ({@code xt_connmark_tginfo1}). */
    public record Spec(Mode mode, int ctmark, int ctmask, int nfmask) implements TargetSpec, TargetAction {
        @Override
        public String name() {
            return "CONNMARK";
        }

        @Override
        public void save(StringBuilder out) {
            switch (mode) {
                case SET -> out.append(" --set-xmark ").append(TargetArgs.hex(ctmark)).append('/')
                        .append(TargetArgs.hex(ctmask));
                case SAVE -> out.append(" --save-mark --nfmask ").append(TargetArgs.hex(nfmask))
                        .append(" --ctmask ").append(TargetArgs.hex(ctmask));
                case RESTORE -> out.append(" --restore-mark --nfmask ").append(TargetArgs.hex(nfmask))
                        .append(" --ctmask ").append(TargetArgs.hex(ctmask));
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            switch (mode) {
                case SET -> MarkTarget.printMarkOp(out, "CONNMARK", ctmark, ctmask);
                case SAVE -> {
                    if (nfmask == -1 && ctmask == -1) {
                        out.append("CONNMARK save");
                    } else if (nfmask == ctmask) {
                        out.append("CONNMARK save mask ").append(TargetArgs.hex(nfmask));
                    } else {
                        out.append("CONNMARK save nfmask ").append(TargetArgs.hex(nfmask))
                                .append(" ctmask ~").append(TargetArgs.hex(ctmask));
                    }
                }
                case RESTORE -> {
                    if (nfmask == -1 && ctmask == -1) {
                        out.append("CONNMARK restore");
                    } else if (nfmask == ctmask) {
                        out.append("CONNMARK restore mask ").append(TargetArgs.hex(ctmask));
                    } else {
                        out.append("CONNMARK restore ctmask ").append(TargetArgs.hex(ctmask))
                                .append(" nfmask ~").append(TargetArgs.hex(nfmask));
                    }
                }
            }
        }

        @Override
        public int execute(Skb skb, Emitter emitter) {
            Conn ct = skb.conn;
            if (ct == null) {
                return Verdict.CONTINUE;
            }
            switch (mode) {
                case SET -> ct.mark = (ct.mark & ~ctmask) ^ ctmark;
                case SAVE -> ct.mark = (ct.mark & ~ctmask) ^ (skb.mark & nfmask);
                case RESTORE -> skb.mark = (skb.mark & ~nfmask) ^ (ct.mark & ctmask);
            }
            return Verdict.CONTINUE;
        }
    }
}
