package io.stockade.syntax;

import io.stockade.rules.Chain;
import io.stockade.rules.Table;
import java.util.ArrayList;
import java.util.List;

/** The order iptables prints chains in: built-ins in hook order, then user chains sorted by name (strcmp). */
public final class Chains {
    private Chains() {
    }

    public static List<Chain> ordered(Table t) {
        List<Chain> builtin = new ArrayList<>();
        List<Chain> user = new ArrayList<>();
        for (Chain c : t.chains()) {
            (c.builtin() ? builtin : user).add(c);
        }
        user.sort((a, b) -> a.name().compareTo(b.name()));
        builtin.addAll(user);
        return builtin;
    }
}
