package io.stockade.rules;

/**
 * One option of an extension, declared in the extension's option table (the Java form of
 * libxtables' {@code xt_option_entry}): the generic parser finds the owner of {@code --name},
 * reads its argument and the {@code !} before it, and hands both to the extension.
 *
 * @param name       long option name without the leading dashes, e.g. {@code "dport"}
 * @param arg        whether it takes an argument
 * @param invertible whether {@code ! --name} is allowed
 * @param id         extension-private id; aliases ({@code --sport}/{@code --source-port}) share one
 */
public record Option(String name, Arg arg, boolean invertible, int id) {

    /** Argument arity of an option (getopt's no_argument / required_argument / optional_argument). */
    public enum Arg {
        NONE, REQUIRED, OPTIONAL,
        /**
         * Two arguments ({@code --tcp-flags MASK COMP}, {@code --match-set NAME FLAGS},
         * {@code --chunk-types any LIST}): the generic parser takes the next two words and hands
         * them to the extension joined by one space.
         */
        TWO,
        /**
         * No argument of its own, but the next word is taken as its argument when there is one
         * that starts neither with {@code -} nor with {@code !} (libxt_rateest's
         * {@code --rateest-bps1 [RATE]}, which reads {@code argv[optind]} itself); the extension
         * then receives that word, else null. {@code --name=value} is refused as for a flag.
         */
        OPTIONAL_WORD
    }

    public static Option flag(String name, int id) {
        return new Option(name, Arg.NONE, false, id);
    }

    public static Option invFlag(String name, int id) {
        return new Option(name, Arg.NONE, true, id);
    }

    public static Option value(String name, int id) {
        return new Option(name, Arg.REQUIRED, false, id);
    }

    public static Option invValue(String name, int id) {
        return new Option(name, Arg.REQUIRED, true, id);
    }

    /** An option with an optional separate-word argument (see {@link Arg#OPTIONAL_WORD}). */
    public static Option optionalWord(String name, boolean invertible, int id) {
        return new Option(name, Arg.OPTIONAL_WORD, invertible, id);
    }

    /** An option taking two arguments (see {@link Arg#TWO}). */
    public static Option twoValues(String name, boolean invertible, int id) {
        return new Option(name, Arg.TWO, invertible, id);
    }
}
