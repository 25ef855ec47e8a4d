package io.stockade.conntrack;

import static io.stockade.conntrack.Pkt.chunk;
import static io.stockade.conntrack.Pkt.initChunk;

import io.stockade.rules.Hook;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SCTP (and DCCP, which this kernel tracks generically) through the Linux kernel's conntrack in a
 * forwarding namespace and through {@link ConntrackTable}: every packet's state (NEW, ESTABLISHED,
 * INVALID from the router's per-state rule counters) and the final {@code conntrack -L} listing,
 * SCTP states included (timeouts within 3 s), must agree. Packets carry real CRC32c checksums;
 * one carries a bad one, which the kernel verifies in PREROUTING.
 */
@Tag("kernel")
class SctpKernelOracleTest {
    static final String C = "10.0.0.1", S = "10.0.1.2", C6 = "fd00::1", S6 = "fd00:1::2";
    static final int A = 0x11111111, B = 0x22222222;
    static final byte[] NONE = new byte[0];

    private record Step(String what, boolean fromServer, Pkt pkt) {
    }

    private static Pkt c(int port, int vtag, byte[]... chunks) {
        return Pkt.ip(C, S).sctp(port, 80, vtag, chunks);
    }

    private static Pkt s(int port, int vtag, byte[]... chunks) {
        return Pkt.ip(S, C).sctp(80, port, vtag, chunks);
    }

    private static List<Step> sequence() {
        List<Step> l = new ArrayList<>();
        l.add(new Step("init", false, c(5000, 0, initChunk(SctpTracker.INIT, A))));
        l.add(new Step("init-ack", true, s(5000, A, initChunk(SctpTracker.INIT_ACK, B))));
        l.add(new Step("cookie-echo", false, c(5000, B, chunk(SctpTracker.COOKIE_ECHO, 0, new byte[16]))));
        l.add(new Step("cookie-ack", true, s(5000, A, chunk(SctpTracker.COOKIE_ACK, 0, NONE))));
        l.add(new Step("data", false, c(5000, B, chunk(SctpTracker.DATA, 3, new byte[40]))));
        l.add(new Step("data with the wrong tag", false, c(5000, A, chunk(SctpTracker.DATA, 3, new byte[40]))));
        l.add(new Step("sack", true, s(5000, A, chunk(3, 0, new byte[12]))));
        l.add(new Step("init with a bad crc", false, c(5001, 0, initChunk(SctpTracker.INIT, A)).badChecksum()));
        l.add(new Step("data without association", false, c(5002, B, chunk(SctpTracker.DATA, 3, new byte[8]))));
        l.add(new Step("init with a non-zero tag", false, c(5003, 9, initChunk(SctpTracker.INIT, A))));
        l.add(new Step("init bundled with data", false,
                c(5006, 0, initChunk(SctpTracker.INIT, A), chunk(SctpTracker.DATA, 3, new byte[8]))));
        l.add(new Step("abort out of the blue", false, c(5008, 0, chunk(SctpTracker.ABORT, 0, NONE))));
        l.add(new Step("heartbeat", false, c(5004, 0x5555, chunk(SctpTracker.HEARTBEAT, 0, new byte[8]))));
        l.add(new Step("heartbeat-ack", true, s(5004, 0x6666, chunk(SctpTracker.HEARTBEAT_ACK, 0, new byte[8]))));
        l.add(new Step("data after heartbeats, wrong tag", true, s(5004, 0x5555, chunk(SctpTracker.DATA, 3, new byte[8]))));
        // a second association, shut down
        l.add(new Step("init 2", false, c(5007, 0, initChunk(SctpTracker.INIT, A))));
        l.add(new Step("init-ack 2", true, s(5007, A, initChunk(SctpTracker.INIT_ACK, B))));
        l.add(new Step("cookie-echo 2", false, c(5007, B, chunk(SctpTracker.COOKIE_ECHO, 0, new byte[16]))));
        l.add(new Step("cookie-ack 2", true, s(5007, A, chunk(SctpTracker.COOKIE_ACK, 0, NONE))));
        l.add(new Step("shutdown", false, c(5007, B, chunk(SctpTracker.SHUTDOWN, 0, new byte[4]))));
        l.add(new Step("shutdown-ack", true, s(5007, A, chunk(SctpTracker.SHUTDOWN_ACK, 0, NONE))));
        l.add(new Step("shutdown-complete", false, c(5007, B, chunk(SctpTracker.SHUTDOWN_COMPLETE, 0, NONE))));
        l.add(new Step("init-ack with a wrong tag", true, s(5007, 77, initChunk(SctpTracker.INIT_ACK, B))));
        l.add(new Step("init only", false, c(5005, 0, initChunk(SctpTracker.INIT, A))));
        l.add(new Step("init6", false, Pkt.ip(C6, S6).sctp(6000, 80, 0, initChunk(SctpTracker.INIT, A))));
        l.add(new Step("init-ack6", true, Pkt.ip(S6, C6).sctp(80, 6000, A, initChunk(SctpTracker.INIT_ACK, B))));
        l.add(new Step("cookie-echo6", false, Pkt.ip(C6, S6).sctp(6000, 80, B, chunk(SctpTracker.COOKIE_ECHO, 0, new byte[8]))));
        l.add(new Step("cookie-ack6", true, Pkt.ip(S6, C6).sctp(80, 6000, A, chunk(SctpTracker.COOKIE_ACK, 0, NONE))));
        l.add(new Step("dccp", false, Pkt.ip(C, S).proto(33)));
        l.add(new Step("dccp, other ports: same generic flow", false, dccp(6001, 7001)));
        return l;
    }

    private static Pkt dccp(int sport, int dport) {
        return Pkt.ip(C, S).sctp(sport, dport, 0).proto33();
    }

    @Test
    void sctpStatesAndListingMatchTheKernel() throws IOException {
        OracleRig.requireRoot();
        Harness h = new Harness();
        List<String> mismatches = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        try (NetnsLab lab = new NetnsLab()) {
            for (Step st : sequence()) {
                boolean v6 = st.pkt.v6();
                String kernel = OracleRig.kernelState(lab, st.fromServer, st.pkt.bytes(), v6, "FORWARD");
                h.now = System.nanoTime();
                h.hook = Hook.PREROUTING;
                String ours = OracleRig.stateName(h.send(st.pkt));
                report.append(String.format("%-40s kernel=%-11s stockade=%s%n", st.what, kernel, ours));
                if (!kernel.equals(ours)) {
                    mismatches.add(st.what + ": kernel " + kernel + ", stockade " + ours);
                }
            }
            OracleRig.assertListingsAgree(lab, h.table, mismatches, report);
        }
    }
}
