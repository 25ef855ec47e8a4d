package io.stockade.rules;

/**
 * What an extension's parser may know while the command line is read: the family and table.
 * (The chain and hooks are only known at check time, see {@link CheckEnv}.)
 */
public record ParseEnv(Family family, TableKind table) {
}
