package dev.devemu.cli;

/** Exit codes, one per class of outcome, so that scripts and CI can tell them apart. */
public final class ExitCodes {
  /** A clean run. */
  public static final int OK = 0;
  /** Something inside the emulator went wrong. */
  public static final int INTERNAL = 1;
  /** Bad input: usage, scenario, trace or report file. */
  public static final int BAD_INPUT = 2;
  /** A bug was detected (an oops report). */
  public static final int BUG_FOUND = 3;
  /** Not a run: a driver of the scenario never bound (its probe failed everywhere, or it matched nothing). */
  public static final int NOT_BOUND = 4;
  /** replay: the run was made again and came out different (not an internal error: a build or JVM changed it). */
  public static final int NOT_REPRODUCED = 5;

  private ExitCodes() {}
}
