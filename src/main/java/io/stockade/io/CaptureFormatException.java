package io.stockade.io;

import java.io.IOException;

/**
 * A capture file that is not what its format says: names the byte offset of the record or block
 * and what was expected there, e.g. {@code "x.pcapng: block at offset 1234: total length 13 is not a
 * multiple of 4"}.
 */
public final class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Byte offset in the file of the header, record or block at fault. */
    public final long offset;

    public CaptureFormatException(String file, String what, long offset, String problem) {
        super(file + ": " + what + " at offset " + offset + ": " + problem);
        this.offset = offset;
    }
}
