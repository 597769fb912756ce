package dev.devemu.kernel;

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
 * @param signature what makes two reports the same bug: detector, function and kind of access, no addresses
 */
public record Oops(String detector, String title, List<String> body, Owner owner, long timeNanos, int cpu,
    String signature) {

  public static final String SEPARATOR = "==================================================================";

  /** The report as the kernel log would show it, between two separator lines. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(SEPARATOR).append('\n').append(title).append('\n');
    for (String line : body) sb.append(line).append('\n');
    sb.append(SEPARATOR).append('\n');
    return sb.toString();
  }
}
