package dev.devemu.scenario;

import dev.devemu.fault.Moments;
import java.util.List;
import java.util.Map;

/**
 * What goes wrong in a run: probabilities of failure at named kernel points, actions at fixed times or at
 * life-cycle moments ({@code when = during-probe}, {@code with-irq-pending} …), and actions that recur at random
 * (a Poisson process per entry). Keys are documented in {@code docs/scenarios.md}.
 */
public record FaultPlan(Map<String, Double> probabilities, List<Event> events, List<Recurring> recurring) {
  public static final FaultPlan NONE = new FaultPlan(Map.of(), List.of(), List.of());

  /** What a fault plan can do. */
  public enum Action {
    PLUG("plug", true, null),
    UNPLUG("unplug", true, "plug"),
    SURPRISE_UNPLUG("surprise-unplug", true, "plug"),
    LINK_DOWN("link-down", true, "link-up"),
    LINK_UP("link-up", true, null),
    /** The device stops answering: reads end in a completion timeout (all ones), no interrupts, no DMA. */
    STALL("stall", true, "unstall"),
    /** The device answers again after a stall. */
    UNSTALL("unstall", true, null),
    /** One interrupt with nothing to report: the device's vector, or (without a slot) a vector nobody registered. */
    SPURIOUS_IRQ("spurious-irq", false, null),
    /** {@code count} interrupts at {@code rate} per second with nothing to report. */
    IRQ_STORM("irq-storm", false, null),
    /** The next {@code count} calls at fault point {@code point} fail. */
    FAIL("fail", false, null),
    /**
     * The time domain {@code domain} is lost, as when the node running it dies: its devices are surprise-removed
     * at the first round boundary at or after {@code at} (docs/domains.md, "A lost domain").
     */
    LOSE_DOMAIN("lose-domain", false, null);

    private final String word;
    private final boolean needsSlot;
    private final String inverse;

    Action(String word, boolean needsSlot, String inverse) {
      this.word = word;
      this.needsSlot = needsSlot;
      this.inverse = inverse;
    }

    public String word() {
      return word;
    }

    /** Whether the action acts on the device in a slot (otherwise {@code slot} is optional). */
    public boolean needsSlot() {
      return needsSlot;
    }

    /** What {@code restore-after} does after this action (plug after unplug …), or null if nothing undoes it. */
    public Action inverse() {
      return inverse == null ? null : parse(inverse);
    }

    public static Action parse(String word) {
      for (Action a : values()) {
        if (a.word.equals(word)) return a;
      }
      return null;
    }

    public static String words() {
      StringBuilder sb = new StringBuilder();
      for (Action a : values()) sb.append(sb.length() == 0 ? "" : ", ").append(a.word);
      return sb.toString();
    }
  }

  /**
   * What an action needs besides its slot.
   *
   * @param count interrupts of a storm, or calls that fail for {@code fail}
   * @param ratePerSecond interrupts per second of a storm
   * @param point the fault point of {@code fail}
   * @param domain the time domain of {@code lose-domain}
   */
  public record Params(int count, double ratePerSecond, String point, String domain) {
    public static final Params NONE = new Params(1, 0, null, null);

    public Params(int count, double ratePerSecond, String point) {
      this(count, ratePerSecond, point, null);
    }

    /** Virtual time between two interrupts of a storm (at least 1 ns). */
    public long intervalNanos() {
      return ratePerSecond <= 0 ? 1 : Math.max(1, (long) (1e9 / ratePerSecond));
    }
  }

  /**
   * {@code action} on {@code slot} at virtual time {@code atNanos} — or, with {@code when}, at the first moment
   * {@code when} happens on the slot from {@code atNanos} on. {@code restoreAfterNanos > 0} undoes it that long
   * after (plug after unplug, link-up after link-down, unstall after stall).
   *
   * @param slot null for actions that need none ({@code fail}, {@code spurious-irq} on no device)
   */
  public record Event(long atNanos, Moments.Moment when, Action action, String slot, Params params,
      long restoreAfterNanos, int line) {
    public Event(long atNanos, Action action, String slot, int line) {
      this(atNanos, null, action, slot, Params.NONE, 0, line);
    }
  }

  /**
   * {@code action} on {@code slot} again and again, on average every {@code meanIntervalNanos} (with {@code when},
   * at the first such moment after each interval); the action is undone {@code restoreAfterNanos} later (0 =
   * never).
   */
  public record Recurring(Action action, String slot, long meanIntervalNanos, long restoreAfterNanos,
      Moments.Moment when, Params params, int line) {
    public Recurring(Action action, String slot, long meanIntervalNanos, long restoreAfterNanos, int line) {
      this(action, slot, meanIntervalNanos, restoreAfterNanos, null, Params.NONE, line);
    }
  }
}
