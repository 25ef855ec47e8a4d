package io.stockade.engine;

/**
 * The packet half of a kernel log line (nf_log_syslog's {@code IN=… OUT=… MAC=… SRC=…} fields),
 * appended after a prefix the caller has already written. The LOG module implements it; the TRACE
 * target hands it to the engine on the packet ({@link Skb#traceFormat}) so that the evaluator can
 * write the kernel's trace lines without depending on the extension modules. Implementations
 * append to {@code out} only and do not allocate.
 */
public interface PacketLogFormat {
    /**
     * Appends the fields of {@code skb}'s packet.
     *
     * @param logflags NF_LOG_* bits (TCPSEQ 1, TCPOPT 2, IPOPT 4, UID 8, MACDECODE 0x20)
     */
    void append(StringBuilder out, Skb skb, int logflags);
}
