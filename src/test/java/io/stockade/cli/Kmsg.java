package io.stockade.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel log as {@code /dev/kmsg} hands it out, for kernel-comparison tests: opened
 * non-blocking and positioned at the end ({@code SEEK_END}), so only records written afterwards
 * are read; one record per {@code read}. Each record is returned as {@code <level>message}, the
 * message byte for byte as the kernel wrote it (trailing spaces kept, non-printable bytes in
 * /dev/kmsg's {@code \xNN} escapes). Uses the C library through the FFM API (Java cannot seek
 * /dev/kmsg to its end or read it without blocking otherwise). Root only.
 */
final class Kmsg implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_NONBLOCK = 04000;
    private static final int SEEK_END = 2;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle LSEEK = fn("lseek", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle READ = fn("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(16384);
    private final int fd;

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    Kmsg() throws IOException {
        try {
            fd = (int) OPEN.invokeExact(arena.allocateFrom("/dev/kmsg"), O_RDONLY | O_NONBLOCK);
            if (fd < 0) {
                throw new IOException("cannot open /dev/kmsg");
            }
            long end = (long) LSEEK.invokeExact(fd, 0L, SEEK_END);
            if (end < 0) {
                throw new IOException("cannot seek /dev/kmsg to its end");
            }
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IOException(t);
        }
    }

    /** Every record written since the last call (or since opening), as {@code <level>message}. */
    List<String> drain() throws IOException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            long n;
            try {
                n = (long) READ.invokeExact(fd, buf, buf.byteSize());
            } catch (Throwable t) {
                throw new IOException(t);
            }
            if (n <= 0) {
                break;
            }
            String rec = new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // "prio,seq,usec,flags[,more];message\n" followed by optional " KEY=value" lines
            int semi = rec.indexOf(';');
            int comma = rec.indexOf(',');
            if (semi < 0 || comma < 0 || comma > semi) {
                continue;
            }
            int nl = rec.indexOf('\n', semi);
            String msg = rec.substring(semi + 1, nl < 0 ? rec.length() : nl);
            int level = Integer.parseInt(rec.substring(0, comma)) & 7;
            out.add("<" + level + ">" + msg);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable ignored) {
            // closing a read-only descriptor cannot lose data
        }
        arena.close();
    }
}
