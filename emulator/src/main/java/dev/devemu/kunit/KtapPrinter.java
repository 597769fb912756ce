package dev.devemu.kunit;

import dev.devemu.kunit.KunitResults.Case;
import dev.devemu.kunit.KunitResults.Param;
import dev.devemu.kunit.KunitResults.Status;
import dev.devemu.kunit.KunitResults.Suite;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints results as KTAP version 1, line for line as the kernel's KUnit does (lib/kunit/test.c and executor.c):
 * the version and plan, each suite as a subtest indented by four spaces ({@code KUNIT_SUBTEST_INDENT}) with its own
 * version, {@code # Subtest:} and plan lines, a parameterised case as a subtest of its own (eight spaces, no plan,
 * as the kernel prints it), the counts lines when a suite has more than one case, and {@code # SKIP} directives.
 */
public final class KtapPrinter {
  private static final String INDENT = "    ";

  private KtapPrinter() {}

  public static void print(KunitResults results, PrintWriter out) {
    out.println("KTAP version 1");
    out.println("1.." + results.suites().size());
    int n = 1;
    for (Suite s : results.suites()) printSuite(s, n++, out);
    out.flush();
  }

  public static String toText(KunitResults results) {
    java.io.StringWriter w = new java.io.StringWriter();
    print(results, new PrintWriter(w));
    return w.toString();
  }

  private static void printSuite(Suite s, int number, PrintWriter out) {
    out.println(INDENT + "KTAP version 1");
    out.println(INDENT + "# Subtest: " + s.name());
    out.println(INDENT + "1.." + s.cases().size());
    long[] suite = new long[3];
    long[] total = new long[3];
    int i = 1;
    for (Case c : s.cases()) {
      if (c.params().isEmpty()) {
        log(c.log(), INDENT, out);
        count(total, c.status());
      } else {
        out.println(INDENT + INDENT + "KTAP version 1");
        out.println(INDENT + INDENT + "# Subtest: " + c.name());
        long[] params = new long[3];
        int p = 1;
        for (Param param : c.params()) {
          log(param.log(), INDENT + INDENT, out);
          out.println(INDENT + INDENT + word(param.status()) + " " + p++ + " " + param.description()
              + directive(param.status(), ""));
          count(params, param.status());
          count(total, param.status());
        }
        stats(INDENT + "# " + c.name(), params, out);
        log(c.log(), INDENT, out);
      }
      out.println(INDENT + word(c.status()) + " " + i++ + " " + c.name() + directive(c.status(), c.skipReason()));
      count(suite, c.status());
    }
    stats("# " + s.name(), suite, out);
    stats("# Totals", total, out);
    out.println(word(s.status()) + " " + number + " " + s.name() + directive(s.status(), ""));
  }

  private static void log(List<String> lines, String indent, PrintWriter out) {
    for (String l : lines) out.println(indent + l);
  }

  /** As kunit_print_test_stats: only when there was more than one result. */
  private static void stats(String prefix, long[] c, PrintWriter out) {
    long all = c[0] + c[1] + c[2];
    if (all <= 1) return;
    out.println(prefix + ": pass:" + c[0] + " fail:" + c[1] + " skip:" + c[2] + " total:" + all);
  }

  private static void count(long[] c, Status s) {
    c[s == Status.PASS ? 0 : s == Status.FAIL ? 1 : 2]++;
  }

  private static String word(Status s) {
    return s == Status.FAIL ? "not ok" : "ok";
  }

  private static String directive(Status s, String reason) {
    return s == Status.SKIP ? " # SKIP " + reason : "";
  }
}
