package dev.devemu.kunit;

import java.util.List;

/**
 * One test case of a suite: a body run with a fresh {@link Kunit} context, once per parameter if it has any
 * ({@code KUNIT_CASE_PARAM}).
 *
 * @param name as KTAP prints it (letters, digits and underscores, as C identifiers)
 * @param params parameter descriptions, or empty for a plain case
 * @param seeds how many seeds (1..N) the case runs under by default; a concurrency case asks for more
 * @param body the test; {@link Kunit#param()} is the current parameter
 */
public record KunitCase(String name, List<String> params, int seeds, Body body) {
  /** The code of a case. */
  @FunctionalInterface
  public interface Body {
    void run(Kunit test) throws Exception;
  }

  public KunitCase {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException("bad case name " + name);
    params = List.copyOf(params);
    if (seeds < 1) throw new IllegalArgumentException("seeds must be >= 1");
  }

  public boolean parameterised() {
    return !params.isEmpty();
  }
}
