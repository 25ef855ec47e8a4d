package io.stockade.engine;

/**
 * Verdict codes targets return, as ints so the hot path never allocates
 * (the kernel's NF_DROP/NF_ACCEPT/NF_QUEUE and XT_CONTINUE/XT_RETURN).
 */
public final class Verdict {
    public static final int DROP = 0;
    public static final int ACCEPT = 1;
    public static final int STOLEN = 2;
    /** Queue to userspace; the queue number is in the upper 16 bits ({@link #queue(int)}). */
    public static final int QUEUE = 3;
    /** Keep evaluating the next rule (MARK, LOG, …). */
    public static final int CONTINUE = -1;
    /** Return to the calling chain. */
    public static final int RETURN = -2;

    private Verdict() {
    }

    public static int queue(int num) {
        return QUEUE | (num << 16);
    }

    /**
     * The verdict without its queue number. (Queue numbers of 32768 and above make the int
     * negative, so CONTINUE and RETURN are recognised by value, not by sign.)
     */
    public static int code(int verdict) {
        return verdict == CONTINUE || verdict == RETURN ? verdict : verdict & 0xffff;
    }

    /** The queue number of a {@link #QUEUE} verdict (0–65535). */
    public static int queueNumber(int verdict) {
        return verdict >>> 16;
    }

    public static String name(int verdict) {
        return switch (code(verdict)) {
            case DROP -> "DROP";
            case ACCEPT -> "ACCEPT";
            case STOLEN -> "STOLEN";
            case QUEUE -> "QUEUE";
            case CONTINUE -> "CONTINUE";
            case RETURN -> "RETURN";
            default -> "UNKNOWN";
        };
    }
}
