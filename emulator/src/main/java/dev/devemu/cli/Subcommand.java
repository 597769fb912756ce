package dev.devemu.cli;

/**
 * A command of {@code ./devemu} ({@code run}, {@code campaign}, …): a picocli {@code @Command} class with a public
 * no-argument constructor, listed in {@code META-INF/services/dev.devemu.cli.Subcommand}. {@link Main} finds them
 * there, so a new command — in any package or jar — is added without editing a list.
 */
public interface Subcommand {}
