package io.stockade.ext.match;

import io.stockade.rules.MatchExtension;
import java.util.List;

/** Every match module Stockade implements. Add a module here and nowhere else. */
public final class MatchModules {
    private MatchModules() {
    }

    public static final List<MatchExtension> ALL = List.of(
            new CommentMatch()
    );
}
