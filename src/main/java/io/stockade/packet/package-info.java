/**
 * Bytes on the wire: header views, the parse-once {@link io.stockade.packet.PacketDescriptor},
 * checksums, link layers, drop reasons, and (for tests, examples and {@code stockade trace}) packet
 * construction, a textual packet form and a printer.
 *
 * <h2>The header-view contract (smoltcp {@code wire})</h2>
 * Every view ({@link io.stockade.packet.Ipv4}, {@link io.stockade.packet.Ipv6},
 * {@link io.stockade.packet.Ipv6Fragment}, {@link io.stockade.packet.Tcp},
 * {@link io.stockade.packet.Udp}, {@link io.stockade.packet.Icmp}) is a reusable flyweight over a
 * {@link java.lang.foreign.MemorySegment}: {@code wrap(segment, offset, length)} points it at
 * {@code length} bytes; {@code check()} returns {@link io.stockade.packet.DropReason#NONE} when the
 * fixed header (and, where the header says so, its variable part) lies within those bytes. Only
 * after a successful {@code check()} may the accessors be called: they read without bounds
 * reasoning of their own (a skipped check surfaces as {@code IndexOutOfBoundsException}, a bug).
 * Setters write the field only; a setter that changes a length field (total length, IHL, data
 * offset, payload length) invalidates the previous {@code check()}, and every setter leaves
 * checksums stale until {@link io.stockade.packet.Checksum} updates them (incrementally, RFC 1624,
 * or from scratch). Offsets are big-endian network fields named after the RFC
 * ({@code *_OFFSET}); {@link io.stockade.packet.Wire} is the one place bytes become unsigned ints.
 *
 * <h2>The packet path</h2>
 * {@link io.stockade.packet.LinkLayer} finds the IP header in a frame;
 * {@link io.stockade.packet.PacketParser} fills a descriptor (absolute offsets, see its Javadoc)
 * without allocating or throwing; malformed input is a {@code DropReason}. Walks over options and
 * extension headers are bounded and always advance.
 */
package io.stockade.packet;
