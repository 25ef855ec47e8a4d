package io.stockade.rules;

/**
 * What an extension's parser may know while the command line is read: the family and table, and
 * the rule's {@code -p} as far as it has been read when the module's options are parsed (iptables
 * parses extension options against the partially built entry, so {@code -m multiport --dports 22
 * -p tcp} fails there). (The chain and hooks are only known at check time, see {@link CheckEnv}.)
 *
 * @param protocol         the {@code -p} number seen so far (0 = all / none given), or -1 when the
 *                         caller does not track it (modules then defer protocol checks to
 *                         {@link MatchSpec#check})
 * @param protocolInverted {@code ! -p}
 */
public record ParseEnv(Family family, TableKind table, int protocol, boolean protocolInverted) {

    /** A parse environment that does not say which protocol the rule has. */
    public ParseEnv(Family family, TableKind table) {
        this(family, table, -1, false);
    }
}
