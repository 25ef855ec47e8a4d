package io.stockade.packet;

/** A textual packet that does not parse: names the token (1-based position) and what was expected. */
public final class PacketTextException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** 1-based index of the offending token, 0 when the text ended early. */
    public final int token;

    public PacketTextException(int token, String found, String expected) {
        super(found == null ? "packet text ended, expected " + expected
                : "packet text: token " + token + " \"" + found + "\": expected " + expected);
        this.token = token;
    }
}
