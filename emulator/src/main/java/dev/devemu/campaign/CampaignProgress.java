package dev.devemu.campaign;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on the user's terminal: a bar redrawn in place when stdout is a terminal, otherwise a plain line every
 * few seconds (for logs and CI). It reads the wall clock, which is fine here: nothing it prints goes into results.
 */
public final class CampaignProgress {
  private static final long TERMINAL_EVERY_NANOS = 200_000_000L;
  private static final long PLAIN_EVERY_NANOS = 10_000_000_000L;
  private static final int BAR = 30;

  private final PrintWriter out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private long lastPrint;
  private boolean drawn;

  public CampaignProgress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
    this.lastPrint = started;
  }

  /** A progress that prints nothing (tests, library use). */
  public static CampaignProgress silent() {
    return new CampaignProgress(null, false);
  }

  /**
   * @param fraction how far along, 0..1
   * @param runs runs finished in this session
   * @param what a short description of where the campaign stands (runs, device-hours)
   */
  public void update(double fraction, long runs, String what, boolean force) {
    if (out == null) return;
    long now = System.nanoTime();
    if (!force && now - lastPrint < (terminal ? TERMINAL_EVERY_NANOS : PLAIN_EVERY_NANOS)) return;
    lastPrint = now;
    double seconds = (now - started) / 1e9;
    double rate = seconds > 0 ? runs / seconds : 0;
    double f = Math.max(0, Math.min(1, fraction));
    String eta = f > 0.001 && f < 1 ? String.format(Locale.ROOT, " eta %s", duration(seconds * (1 - f) / f)) : "";
    String line = String.format(Locale.ROOT, "%3.0f%% %s  %.1f runs/s  %s%s", 100 * f, what, rate,
        duration(seconds), eta);
    if (terminal) {
      int filled = (int) Math.round(f * BAR);
      out.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + line + "   ");
      drawn = true;
    } else {
      out.println("campaign: " + line);
    }
    out.flush();
  }

  /** Ends the bar's line so that what follows starts on a fresh one. */
  public void finish() {
    if (out != null && drawn) {
      out.println();
      out.flush();
      drawn = false;
    }
  }

  private static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) return s + "s";
    if (s < 3600) return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s / 60) % 60) + "m";
  }
}
