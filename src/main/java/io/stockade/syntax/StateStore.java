package io.stockade.syntax;

import io.stockade.rules.Family;
import io.stockade.rules.Ruleset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The ruleset state file commands act on until a daemon holds the ruleset: iptables-save
 * {@code -c} text of both families (so it is human-readable and read back by the restore
 * parser), written atomically (temp file + rename) under an exclusive lock on
 * {@code FILE.lock} with xtables' {@code -w} semantics (no wait: fail at once; {@code -w N}: wait
 * up to N seconds; {@code -w}/{@code -w 0}: wait as long as it takes).
 */
public final class StateStore implements AutoCloseable {
    private static final String FAMILY_MARK = "# stockade-family: ";

    private final Path file;
    private FileChannel lockChannel;
    private FileLock lock;

    public StateStore(Path file) {
        this.file = file;
    }

    /** The default path: $STOCKADE_STATE, else /var/lib/stockade/rules.state as root, else ~/.local/state/…. */
    public static Path defaultPath(Map<String, String> env) {
        String s = env.get("STOCKADE_STATE");
        if (s != null && !s.isEmpty()) {
            return Path.of(s);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/lib/stockade/rules.state");
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "stockade", "rules.state");
    }

    public Path path() {
        return file;
    }

    /**
     * Takes the lock.
     *
     * @param waitSeconds -1: do not wait; 0: wait forever; N: wait up to N seconds
     * @throws CommandFailure xtables' "Another app is currently holding the xtables lock…" (exit 4)
     */
    public void lock(int waitSeconds, String program) throws CommandFailure, IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        lockChannel = FileChannel.open(Path.of(file + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (true) {
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock != null) {
                return;
            }
            if (waitSeconds < 0) {
                throw new CommandFailure(4, CommandFailure.Kind.INFO, program,
                        "Another app is currently holding the xtables lock. Perhaps you want to use the -w option?");
            }
            if (waitSeconds > 0 && System.nanoTime() > deadline) {
                throw new CommandFailure(4, CommandFailure.Kind.INFO, program,
                        "Another app is currently holding the xtables lock. Stopped waiting after " + waitSeconds + "s.");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the lock", e);
            }
        }
    }

    /** Reads the state (an empty ruleset if the file does not exist yet). */
    public Ruleset load() throws IOException, CommandFailure {
        Ruleset rs = new Ruleset();
        if (!Files.exists(file)) {
            return rs;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return parse(text);
    }

    /** Parses state text. */
    public static Ruleset parse(String text) throws IOException, CommandFailure {
        Ruleset rs = new Ruleset();
        StringBuilder[] parts = {new StringBuilder(), new StringBuilder()};
        int cur = 0;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith(FAMILY_MARK)) {
                cur = line.substring(FAMILY_MARK.length()).trim().equals(Family.IPV6.command) ? 1 : 0;
                continue;
            }
            parts[cur].append(line).append('\n');
        }
        Restore.Options o = new Restore.Options(false, false, true, 0, null);
        for (Family f : Family.values()) {
            new Restore(f, HostResolver.STATIC).run(rs, new BufferedReader(new StringReader(parts[f.ordinal()].toString())),
                    o, new StringBuilder());
        }
        return rs;
    }

    /** The state text for a ruleset. */
    public static String format(Ruleset rs) {
        StringBuilder out = new StringBuilder();
        out.append("# Stockade ruleset state (iptables-save -c format per family)\n");
        for (Family f : Family.values()) {
            out.append(FAMILY_MARK).append(f.command).append('\n');
            // chains in creation order (iptables-nft reports some errors for the first chain created)
            for (io.stockade.rules.TableKind k : SaveFormat.ORDER) {
                io.stockade.rules.Table t = rs.table(f, k);
                if (t.active()) {
                    SaveFormat.table(out, t, true, new java.util.ArrayList<>(t.chains()));
                }
            }
        }
        return out.toString();
    }

    /** Writes the state atomically (temp file in the same directory, fsync, rename). */
    public void store(Ruleset rs) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".rules.state", ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(format(rs).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.release();
            lock = null;
        }
        if (lockChannel != null) {
            lockChannel.close();
            lockChannel = null;
        }
    }
}
