/**
 * Capture files: {@link io.stockade.io.CaptureReader} (pcap and pcapng, memory-mapped, no
 * per-packet allocation) and {@link io.stockade.io.PcapngWriter}. Malformed files are
 * {@link io.stockade.io.CaptureFormatException}s naming the byte offset and what was expected.
 */
package io.stockade.io;
