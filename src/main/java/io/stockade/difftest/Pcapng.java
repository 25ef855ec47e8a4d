package io.stockade.difftest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The harness's own minimal pcapng writer and reader (SHB, IDB with {@code if_name} and
 * nanosecond {@code if_tsresol}, EPB with the direction flag), used to hand the kernel run's packets
 * to {@code stockade replay} and read its output back. Little-endian, one section.
 * <p>
 * This duplicates a slice of io.stockade.io's capture I/O because the harness
 * was written before it landed, and keeps the harness independent of the code under test.
 */
final class Pcapng {
    /** One packet: interface index into the IDB list, time, direction (0 unknown, 1 in, 2 out), bytes. */
    record Record(int iface, long timeNanos, int direction, byte[] data) {
    }

    /** An interface: name and link type (1 Ethernet, 101 raw IP). */
    record Iface(String name, int linkType) {
    }

    record Capture(List<Iface> ifaces, List<Record> records) {
    }

    private Pcapng() {
    }

    static void write(Path file, List<Iface> ifaces, List<Record> records) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        // Section header block
        block(out, 0x0A0D0D0A, bb -> bb.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L));
        for (Iface i : ifaces) {
            byte[] name = i.name().getBytes(StandardCharsets.UTF_8);
            block(out, 1, bb -> {
                bb.putShort((short) i.linkType()).putShort((short) 0).putInt(262144);
                option(bb, 2, name);
                option(bb, 9, new byte[] {9});
                bb.putShort((short) 0).putShort((short) 0);
            });
        }
        for (Record r : records) {
            block(out, 6, bb -> {
                bb.putInt(r.iface()).putInt((int) (r.timeNanos() >>> 32)).putInt((int) r.timeNanos())
                        .putInt(r.data().length).putInt(r.data().length).put(r.data());
                pad(bb);
                if (r.direction() != 0) {
                    ByteBuffer f = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(r.direction());
                    option(bb, 2, f.array());
                    bb.putShort((short) 0).putShort((short) 0);
                }
            });
        }
        Files.write(file, out.toByteArray());
    }

    private interface Body {
        void fill(ByteBuffer b);
    }

    private static void block(java.io.ByteArrayOutputStream out, int type, Body body) {
        ByteBuffer b = ByteBuffer.allocate(1 << 17).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(0);
        body.fill(b);
        int len = b.position() + 4;
        b.putInt(len);
        b.putInt(4, len);
        out.write(b.array(), 0, len);
    }

    private static void option(ByteBuffer b, int code, byte[] value) {
        b.putShort((short) code).putShort((short) value.length).put(value);
        pad(b);
    }

    private static void pad(ByteBuffer b) {
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    /** Reads EPB/SPB packets of every section; timestamps assume the nanosecond or microsecond resolution of the IDB. */
    static Capture read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Iface> ifaces = new ArrayList<>();
        List<Long> resol = new ArrayList<>();
        List<Record> records = new ArrayList<>();
        int base = 0;
        while (b.remaining() >= 12) {
            int start = b.position();
            int type = b.getInt(start);
            if (type == 0x0A0D0D0A) {
                int magic = b.getInt(start + 8);
                b.order(magic == 0x1A2B3C4D ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                base = ifaces.size();
            }
            int len = b.getInt(start + 4);
            if (len < 12 || start + len > b.limit()) {
                throw new IOException(file + ": malformed pcapng block at offset " + start);
            }
            if (type == 1) {
                int link = b.getShort(start + 8) & 0xffff;
                String name = "if" + ifaces.size();
                long res = 1000;
                int o = start + 16;
                while (o + 4 <= start + len - 4) {
                    int code = b.getShort(o) & 0xffff;
                    int olen = b.getShort(o + 2) & 0xffff;
                    if (code == 0) {
                        break;
                    }
                    if (code == 2) {
                        byte[] n = new byte[olen];
                        b.get(o + 4, n);
                        name = new String(n, StandardCharsets.UTF_8).replace("\0", "");
                    } else if (code == 9 && olen >= 1) {
                        int v = b.get(o + 4) & 0xff;
                        res = (v & 0x80) == 0 ? pow(10, 9 - v) : 1;
                    }
                    o += 4 + ((olen + 3) & ~3);
                }
                ifaces.add(new Iface(name, link));
                resol.add(res);
            } else if (type == 6) {
                int iface = base + b.getInt(start + 8);
                long ts = ((long) b.getInt(start + 12) << 32) | (b.getInt(start + 16) & 0xffffffffL);
                int cap = b.getInt(start + 20);
                byte[] d = new byte[cap];
                b.get(start + 28, d);
                int dir = 0;
                int o = start + 28 + ((cap + 3) & ~3);
                while (o + 4 <= start + len - 4) {
                    int code = b.getShort(o) & 0xffff;
                    int olen = b.getShort(o + 2) & 0xffff;
                    if (code == 0) {
                        break;
                    }
                    if (code == 2 && olen == 4) {
                        dir = b.getInt(o + 4) & 3;
                    }
                    o += 4 + ((olen + 3) & ~3);
                }
                long mult = iface < resol.size() ? resol.get(iface) : 1000;
                records.add(new Record(iface, ts * mult, dir, d));
            }
            b.position(start + len);
        }
        return new Capture(ifaces, records);
    }

    private static long pow(int base, int exp) {
        long r = 1;
        for (int k = 0; k < exp; k++) {
            r *= base;
        }
        return Math.max(r, 1);
    }
}
