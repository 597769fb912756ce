package dev.devemu.sim;

/**
 * How a steered fault decision ({@code +steer}) appears among a trace's choices: an entry
 * {@code @fault:<point>:fail} or {@code @fault:<point>:pass} right after the delivery during which the call was made,
 * so that a replay makes the same decision at the same call and the shrinker can turn a {@code fail} into a
 * {@code pass} (or drop it: a lenient replay lets a call pass when its entry is missing).
 */
public final class FaultChoices {
  /** Every fault entry starts with this; no actor id does (actor ids are paths, the clock is {@code @clock}). */
  public static final String PREFIX = "@fault:";
  private static final String FAIL = ":fail";
  private static final String PASS = ":pass";

  private FaultChoices() {}

  /** The trace entry of one decision at {@code point}. */
  public static String id(String point, boolean fail) {
    return PREFIX + point + (fail ? FAIL : PASS);
  }

  public static boolean isFault(String choice) {
    return choice.startsWith(PREFIX);
  }

  /** The fault point of a fault entry. */
  public static String point(String choice) {
    return choice.substring(PREFIX.length(), choice.lastIndexOf(':'));
  }

  /** True if the fault entry made its call fail. */
  public static boolean failed(String choice) {
    return choice.endsWith(FAIL);
  }

  /** The same decision turned into a pass (what the shrinker tries for each injected fault). */
  public static String passed(String choice) {
    return id(point(choice), false);
  }
}
