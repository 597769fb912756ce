package dev.devemu.scenario;

/**
 * A scenario that cannot run: a syntax error, an unknown or misspelt key, a value of the wrong type or out of
 * range, an impossible topology. The message always starts with {@code file:line:} and names the key.
 */
public final class ScenarioException extends RuntimeException {
  private final String file;
  private final int line;
  private final String key;

  public ScenarioException(String file, int line, String key, String message) {
    super(file + ":" + (line > 0 ? line : "?") + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + message);
    this.file = file;
    this.line = line;
    this.key = key;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String key() {
    return key;
  }
}
