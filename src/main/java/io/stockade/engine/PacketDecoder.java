package io.stockade.engine;

import io.stockade.packet.PacketDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * Parses an IP packet (starting at offset 0 of {@code data}) into a descriptor — the packet
 * layer's parser, handed to {@link Netfilter} so packets the host generates (REJECT replies) can
 * traverse OUTPUT and POSTROUTING like the kernel's own. No allocation, no exceptions.
 */
@FunctionalInterface
public interface PacketDecoder {
    /** @return false (and {@code pd.dropReason} set) if the packet is malformed */
    boolean decode(PacketDescriptor pd, MemorySegment data, int length);
}
