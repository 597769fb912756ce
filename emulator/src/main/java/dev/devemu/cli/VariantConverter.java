package dev.devemu.cli;

import dev.devemu.kernel.Variant;
import picocli.CommandLine;

/**
 * Reads {@code --variant raw|safe} into a {@link Variant} where the command line is parsed, so that a command gets
 * the type and a wrong word is a usage error (exit 2) naming the words that are known.
 */
public final class VariantConverter implements CommandLine.ITypeConverter<Variant> {
  @Override
  public Variant convert(String value) {
    try {
      return Variant.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
