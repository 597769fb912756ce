package dev.devemu.kernel;

import dev.devemu.sim.Cause;
import java.util.List;

/**
 * A detected kernel bug, in the words kernel engineers read ({@code BUG: KASAN: slab-use-after-free in …}).
 *
 * @param detector which checker found it: {@code kasan}, {@code null-deref}, {@code bad-mmio}, {@code lockdep},
 *     {@code atomic-sleep}, {@code hung-task}, {@code kcsan}, {@code leak}, {@code soft-lockup}, {@code bug}
 * @param title the first line, e.g. {@code BUG: KASAN: slab-use-after-free in my_usb_complete}
 * @param body the rest of the report, without the separators
 * @param owner the driver blamed for it
 * @param timeNanos virtual time of detection
 * @param cpu CPU where it was detected, or {@link Cause#NO_CPU}
 * @param signature what makes two reports the same bug: detector, kind of access, function and object type;
 *     never a counter, an address, a tag or a seed, so that one defect has one signature in every run
 */
public record Oops(String detector, String title, List<String> body, Owner owner, long timeNanos, int cpu,
    String signature) {

  public static final String SEPARATOR = "==================================================================";

  /**
   * The report as the kernel log would show it. KASAN and KCSAN frame theirs with 66 '=' (mm/kasan/report.c,
   * kernel/kcsan/report.c); lockdep frames each kind of report with its own width (kernel/locking/lockdep.c);
   * page-fault oopses, BUG(), WARN() and the hung-task warning have no frame — so a run's output ends each
   * unframed report with a blank line instead.
   */
  public String format() {
    String frame = frame(title);
    StringBuilder sb = new StringBuilder();
    if (frame != null) sb.append(frame).append('\n');
    sb.append(title).append('\n');
    for (String line : body) sb.append(line).append('\n');
    if (frame != null) sb.append(frame).append('\n');
    return sb.toString();
  }

  private static String frame(String title) {
    if (title.startsWith("BUG: KASAN") || title.startsWith("BUG: KCSAN")) return SEPARATOR;
    if (title.startsWith("WARNING: possible circular locking")) return "=".repeat(54);
    if (title.startsWith("WARNING: possible recursive locking")) return "=".repeat(44);
    if (title.startsWith("WARNING: inconsistent lock state")) return "=".repeat(32);
    if (title.startsWith("WARNING: bad unlock balance")) return "=".repeat(37);
    return null;
  }
}
