package dev.devemu.kunit;

import java.util.ArrayList;
import java.util.List;

/**
 * A suite ({@code struct kunit_suite}): a name, its cases, and {@code init}/{@code exit} run around every case
 * (exit runs even when the case failed an assertion). Built with {@link #named(String)}.
 */
public record KunitSuite(String name, String driver, KunitCase.Body init, KunitCase.Body exit, List<KunitCase> cases) {
  public KunitSuite {
    cases = List.copyOf(cases);
  }

  public static Builder named(String name) {
    return new Builder(name);
  }

  /** Builds a suite. */
  public static final class Builder {
    private final String name;
    private String driver;
    private KunitCase.Body init = t -> {};
    private KunitCase.Body exit = t -> {};
    private final List<KunitCase> cases = new ArrayList<>();

    Builder(String name) {
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException("bad suite name " + name);
      this.name = name;
      this.driver = name;
    }

    /** The driver under test (its name in scenarios), when it differs from the suite's name. */
    public Builder driver(String driver) {
      this.driver = driver;
      return this;
    }

    /** Runs before every case, in the case's context ({@code suite->init}). */
    public Builder init(KunitCase.Body init) {
      this.init = init;
      return this;
    }

    /** Runs after every case, even one an assertion ended ({@code suite->exit}). */
    public Builder exit(KunitCase.Body exit) {
      this.exit = exit;
      return this;
    }

    /** A case ({@code KUNIT_CASE}). */
    public Builder test(String name, KunitCase.Body body) {
      cases.add(new KunitCase(name, List.of(), 1, body));
      return this;
    }

    /**
     * A case about concurrent code, run under seeds 1..{@code seeds} (and every strategy asked for) so that it
     * explores interleavings, not one; it fails if any run fails.
     */
    public Builder concurrent(String name, int seeds, KunitCase.Body body) {
      cases.add(new KunitCase(name, List.of(), seeds, body));
      return this;
    }

    /** A parameterised case ({@code KUNIT_CASE_PARAM}): the body runs once per parameter, {@link Kunit#param()}. */
    public Builder param(String name, List<String> params, KunitCase.Body body) {
      if (params.isEmpty()) throw new IllegalArgumentException("a parameterised case needs parameters");
      cases.add(new KunitCase(name, params, 1, body));
      return this;
    }

    public KunitSuite build() {
      return new KunitSuite(name, driver, init, exit, cases);
    }
  }
}
