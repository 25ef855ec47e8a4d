package io.stockade.rules;

import java.util.List;

/** A target module ({@code -j NAME}), the Java form of an iptables target extension. */
public interface TargetExtension {

    /** Target name ({@code -j NAME}). */
    String name();

    default boolean supports(Family family) {
        return true;
    }

    List<Option> options();

    Parser newParser(ParseEnv env);

    /** Per-occurrence parser state (iptables' parse + final_check). */
    interface Parser {
        void parse(Option opt, String arg, boolean inverted) throws ParameterProblem;

        TargetSpec finish() throws ParameterProblem;
    }
}
