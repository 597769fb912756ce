package dev.devemu.kunit;

import dev.devemu.kernel.Variant;
import dev.devemu.replay.StrategySpec;
import dev.devemu.sim.SimHost;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The context of one running case ({@code struct kunit}): the variant, seed and strategy it runs under, its
 * parameter, the testbeds it builds ({@link #testbed()}), and the checks. An <em>expectation</em>
 * ({@code expect*}, {@code KUNIT_EXPECT_*}) records a failure and lets the case go on; an <em>assertion</em>
 * ({@code assert*}, {@code KUNIT_ASSERT_*}) records it and ends the case (exit still runs). Failures are printed as
 * KUnit prints them:
 *
 * <pre>
 *     # probe_refuses_old_revision: EXPECTATION FAILED at MyPcieSuite.java:42
 *     Expected rc == -ENODEV, but
 *         rc == 0 (0x0)
 *         -ENODEV == -19 (0xffffffffffffffed)
 * </pre>
 */
public final class Kunit {
  /** The outcome of one run of a case. */
  enum Status { PASS, FAIL, SKIP }

  private final SimHost host;
  private final KunitSuite suite;
  private final String caseName;
  private final Variant variant;
  private final long seed;
  private final StrategySpec strategy;
  private final String param;
  private final List<String> log = new ArrayList<>();
  private final Map<String, Object> state = new TreeMap<>();
  private final dev.devemu.kernel.ErrorPaths coverage;
  private Status status = Status.PASS;
  private String skipReason = "";
  private int beds;

  Kunit(SimHost host, KunitSuite suite, String caseName, Variant variant, long seed, StrategySpec strategy,
      String param, dev.devemu.kernel.ErrorPaths coverage) {
    this.host = host;
    this.suite = suite;
    this.caseName = caseName;
    this.variant = variant;
    this.seed = seed;
    this.strategy = strategy;
    this.param = param;
    this.coverage = coverage;
  }

  // ---- what the case runs under ----

  public Variant variant() {
    return variant;
  }

  public boolean raw() {
    return variant == Variant.RAW;
  }

  public long seed() {
    return seed;
  }

  public StrategySpec strategy() {
    return strategy;
  }

  /** The current parameter of a parameterised case; null for a plain case. */
  public String param() {
    return param;
  }

  public String name() {
    return caseName;
  }

  public String suite() {
    return suite.name();
  }

  /** Data init leaves for the case and the case for exit ({@code test->priv}). */
  @SuppressWarnings("unchecked")
  public <T> T get(String key) {
    return (T) state.get(key);
  }

  public void put(String key, Object value) {
    state.put(key, value);
  }

  /**
   * A new testbed for the suite's driver in this case's variant, run under this case's seed and strategy. Every
   * testbed of a case is its own machine; a detector report in any of them fails the case.
   */
  public MockBed testbed() {
    return new MockBed(this, suite.driver(), beds++);
  }

  SimHost host() {
    return host;
  }

  dev.devemu.kernel.ErrorPaths coverage() {
    return coverage;
  }

  // ---- expectations (the case goes on) ----

  /** {@code KUNIT_EXPECT_EQ(test, left, right)}, with the expressions as the source writes them. */
  public boolean expectEq(String leftText, long left, String rightText, long right) {
    if (left == right) return true;
    failure("EXPECTATION", binary(leftText, left, "==", rightText, right));
    return false;
  }

  /** {@code KUNIT_EXPECT_EQ(test, rc, -ENODEV)}: a return code against an errno name ({@code "ENODEV"}, or 0). */
  public boolean expectErrno(String leftText, long rc, String errno) {
    return expectEq(leftText, rc, rightTextOf(errno), errnoValue(errno));
  }

  /** {@code KUNIT_EXPECT_NE}. */
  public boolean expectNe(String leftText, long left, String rightText, long right) {
    if (left != right) return true;
    failure("EXPECTATION", binary(leftText, left, "!=", rightText, right));
    return false;
  }

  /** {@code KUNIT_EXPECT_TRUE}. */
  public boolean expectTrue(String text, boolean condition) {
    if (condition) return true;
    failure("EXPECTATION", List.of("Expected " + text + " to be true, but is false"));
    return false;
  }

  /** {@code KUNIT_EXPECT_FALSE}. */
  public boolean expectFalse(String text, boolean condition) {
    if (!condition) return true;
    failure("EXPECTATION", List.of("Expected " + text + " to be false, but is true"));
    return false;
  }

  /** {@code KUNIT_EXPECT_STREQ}. */
  public boolean expectStreq(String leftText, String left, String rightText, String right) {
    if (java.util.Objects.equals(left, right)) return true;
    failure("EXPECTATION", List.of("Expected " + leftText + " == " + rightText + ", but",
        "    " + leftText + " == \"" + left + "\"", "    " + rightText + " == \"" + right + "\""));
    return false;
  }

  /** {@code KUNIT_FAIL}: fails the case with a message and goes on. */
  public void fail(String message) {
    failure("EXPECTATION", List.of(message));
  }

  // ---- assertions (the case ends) ----

  public void assertEq(String leftText, long left, String rightText, long right) {
    if (left == right) return;
    failure("ASSERTION", binary(leftText, left, "==", rightText, right));
    throw new KunitAbort();
  }

  public void assertErrno(String leftText, long rc, String errno) {
    if (rc == errnoValue(errno)) return;
    failure("ASSERTION", binary(leftText, rc, "==", rightTextOf(errno), errnoValue(errno)));
    throw new KunitAbort();
  }

  public void assertTrue(String text, boolean condition) {
    if (condition) return;
    failure("ASSERTION", List.of("Expected " + text + " to be true, but is false"));
    throw new KunitAbort();
  }

  /** {@code kunit_skip}: ends the case as skipped with a reason. */
  public void skip(String reason) {
    if (status != Status.FAIL) status = Status.SKIP;
    skipReason = reason;
    throw new KunitAbort();
  }

  /** Adds a diagnostic line to the case's log ({@code kunit_info}). */
  public void info(String message) {
    log.add("# " + caseName + ": " + message);
  }

  // ---- results ----

  Status status() {
    return status;
  }

  String skipReason() {
    return skipReason;
  }

  List<String> log() {
    return log;
  }

  /** A detector report in one of the case's testbeds: the case fails with the report. */
  void report(dev.devemu.kernel.Oops oops, String where) {
    status = Status.FAIL;
    log.add("# " + caseName + ": detector report " + where + ": " + oops.title());
    for (String line : oops.format().split("\n")) log.add("# " + line);
  }

  /** The case failed outside a check (a bad testbed, an exception in the test code). */
  void error(String message) {
    status = Status.FAIL;
    log.add("# " + caseName + ": " + message);
  }

  private void failure(String kind, List<String> lines) {
    status = Status.FAIL;
    log.add("# " + caseName + ": " + kind + " FAILED at " + callSite());
    log.addAll(lines);
  }

  static List<String> binary(String leftText, long left, String op, String rightText, long right) {
    List<String> out = new ArrayList<>();
    out.add("Expected " + leftText + " " + op + " " + rightText + ", but");
    if (!isLiteral(leftText, left)) out.add("    " + leftText + " == " + left + " (0x" + Long.toHexString(left) + ")");
    if (!isLiteral(rightText, right)) {
      out.add("    " + rightText + " == " + right + " (0x" + Long.toHexString(right) + ")");
    }
    return out;
  }

  private static boolean isLiteral(String text, long value) {
    return text.trim().equals(Long.toString(value));
  }

  private static String rightTextOf(String errno) {
    if (errno.equals("0")) return "0";
    return errno.startsWith("-") ? errno : "-" + errno;
  }

  private static long errnoValue(String errno) {
    return errno.equals("0") ? 0 : Errno.parse(errno);
  }

  /** file:line of the test code that made the check (the first frame outside this package's machinery). */
  private static String callSite() {
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> !f.getClassName().startsWith(Kunit.class.getName())
            && !f.getClassName().startsWith(MockBed.class.getName()))
        .findFirst()
        .map(f -> (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber())
        .orElse("?"));
  }
}
