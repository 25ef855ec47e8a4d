package io.stockade.ext.match;

import io.stockade.engine.Matcher;
import io.stockade.engine.Skb;
import io.stockade.rules.CheckEnv;
import io.stockade.rules.Hook;
import io.stockade.rules.MatchSpec;
import io.stockade.rules.ParameterProblem;
import io.stockade.rules.ParseEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code -m owner [!] --uid-owner ID[-ID] [!] --gid-owner ID[-ID] [--suppl-groups]
 * [!] --socket-exists} (libxt_owner revision 1 / xt_owner): the owning socket of a locally
 * generated packet ({@code Skb.uid/gid}, -1 when there is none); {@code --gid-owner} matches the
 * fsgid or, with {@code --suppl-groups}, any of the supplementary groups ({@code Skb.groups}). Names resolve through
 * /etc/passwd and /etc/group, as getpwnam/getgrnam on the host. Only in OUTPUT and POSTROUTING.
 */
public final class OwnerMatch extends XtOptMatch {
    static final int O_UID = 0;
    static final int O_GID = 1;
    static final int O_SOCKET = 2;
    static final int O_SUPPL = 3;
    /** XT_OWNER_* bits. */
    static final int UID = 1;
    static final int GID = 2;
    static final int SOCKET = 4;
    static final int SUPPL = 8;

    public OwnerMatch() {
        super("owner",
                entry("uid-owner", O_UID, Type.STRING, INVERT),
                entry("gid-owner", O_GID, Type.STRING, INVERT),
                entry("socket-exists", O_SOCKET, Type.NONE, INVERT),
                entry("suppl-groups", O_SUPPL, Type.NONE, 0));
    }

    /** A name's id from an /etc/passwd-style file (field 3), or -1. */
    static long lookup(String file, String name) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.split(":", -1);
                if (f.length > 2 && f[0].equals(name)) {
                    return Long.parseLong(f[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The name of an id in an /etc/passwd-style file, or null. */
    static String nameOf(String file, long id) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.split(":", -1);
                if (f.length > 2 && f[2].equals(Long.toString(id))) {
                    return f[0];
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    static long[] idRange(String arg, String file, String opt) throws ParameterProblem {
        long id = lookup(file, arg);
        if (id >= 0) {
            return new long[] {id, id};
        }
        int dash = arg.indexOf('-', 1);
        long a = strictUint(dash < 0 ? arg : arg.substring(0, dash), 0, 0xfffffffeL);
        long b = dash < 0 ? a : strictUint(arg.substring(dash + 1), 0, 0xfffffffeL);
        if (a < 0 || b < 0) {
            throw new ParameterProblem("owner: Bad value for \"--" + opt + "\" option: \"" + arg + "\"");
        }
        return new long[] {a, b};
    }

    @Override
    protected State newState(ParseEnv env) {
        return new State() {
            private int match;
            private int invert;
            private long[] uid = {0, 0};
            private long[] gid = {0, 0};

            @Override
            void parse(Call cb) throws ParameterProblem {
                switch (cb.entry.id()) {
                    case O_UID -> {
                        uid = idRange(cb.arg, "/etc/passwd", "uid-owner");
                        flag(UID, cb.invert);
                    }
                    case O_GID -> {
                        gid = idRange(cb.arg, "/etc/group", "gid-owner");
                        flag(GID, cb.invert);
                    }
                    case O_SOCKET -> flag(SOCKET, cb.invert);
                    case O_SUPPL -> {
                        if ((match & GID) == 0) {
                            throw new ParameterProblem(
                                    "owner: Bad value for \"--suppl-groups\" option: \"you need to use --gid-owner first\"");
                        }
                        flag(SUPPL, false);
                    }
                    default -> throw new IllegalArgumentException(cb.entry.name());
                }
            }

            private void flag(int bit, boolean inv) {
                match |= bit;
                if (inv) {
                    invert |= bit;
                }
            }

            @Override
            MatchSpec finish(int xflags) throws ParameterProblem {
                if (match == 0) {
                    throw new ParameterProblem("owner: At least one of --uid-owner, --gid-owner or --socket-exists is required");
                }
                return new Spec(match, invert, uid[0], uid[1], gid[0], gid[1]);
            }
        };
    }

    /** The parsed match (struct xt_owner_match_info). */
    public record Spec(int match, int invert, long uidMin, long uidMax, long gidMin, long gidMax)
            implements MatchSpec, Matcher {
        @Override
        public String name() {
            return "owner";
        }

        private static void range(StringBuilder out, long a, long b, String file, boolean numeric) {
            String n = !numeric && a == b ? nameOf(file, a) : null;
            if (n != null) {
                out.append(n);
            } else {
                out.append(a);
                if (a != b) {
                    out.append('-').append(b);
                }
            }
        }

        @Override
        public void save(StringBuilder out) {
            if ((match & SOCKET) != 0) {
                out.append((invert & SOCKET) != 0 ? " !" : "").append(" --socket-exists");
            }
            if ((match & UID) != 0) {
                out.append((invert & UID) != 0 ? " !" : "").append(" --uid-owner ");
                range(out, uidMin, uidMax, null, true);
            }
            if ((match & GID) != 0) {
                out.append((invert & GID) != 0 ? " !" : "").append(" --gid-owner ");
                range(out, gidMin, gidMax, null, true);
            }
            if ((match & SUPPL) != 0) {
                out.append(" --suppl-groups");
            }
        }

        @Override
        public void print(StringBuilder out, boolean numeric) {
            StringBuilder sb = new StringBuilder();
            if ((match & SOCKET) != 0) {
                sb.append((invert & SOCKET) != 0 ? " !" : "").append(" owner socket exists");
            }
            if ((match & UID) != 0) {
                sb.append((invert & UID) != 0 ? " !" : "").append(" owner UID match ");
                range(sb, uidMin, uidMax, "/etc/passwd", numeric);
            }
            if ((match & GID) != 0) {
                sb.append((invert & GID) != 0 ? " !" : "").append(" owner GID match ");
                range(sb, gidMin, gidMax, "/etc/group", numeric);
            }
            if ((match & SUPPL) != 0) {
                sb.append(" incl. suppl. groups");
            }
            out.append(sb, 1, sb.length());
        }

        @Override
        public String check(CheckEnv env) {
            if (!env.onlyHooks(Hook.OUTPUT.bit() | Hook.POSTROUTING.bit())) {
                return Xt.EINVAL;
            }
            if (((match & UID) != 0 && uidMin > uidMax) || ((match & GID) != 0 && gidMin > gidMax)) {
                return Xt.EINVAL;
            }
            return null;
        }

        @Override
        public boolean matches(Skb skb) {
            if (skb.uid < 0) {
                return (match ^ invert) == 0;
            }
            if ((match & invert & SOCKET) != 0) {
                return false;
            }
            if ((match & UID) != 0) {
                boolean in = inRange(skb.uid, uidMin, uidMax);
                if (in == ((invert & UID) != 0)) {
                    return false;
                }
            }
            if ((match & GID) != 0) {
                boolean in = inRange(skb.gid, gidMin, gidMax);
                if (!in && (match & SUPPL) != 0) {
                    for (int i = 0; i < skb.groupCount; i++) {
                        if (inRange(skb.groups[i], gidMin, gidMax)) {
                            in = true;
                            break;
                        }
                    }
                }
                if (in == ((invert & GID) != 0)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean inRange(int id, long min, long max) {
            long v = id & 0xffffffffL;
            return v >= min && v <= max;
        }
    }
}
