package dev.devemu.scenario;

import java.util.List;
import java.util.Map;

/**
 * What goes wrong in a run: probabilities of failure at named kernel points, hot-plug events at fixed times,
 * and hot-plug events that recur at random (a Poisson process per entry).
 */
public record FaultPlan(Map<String, Double> probabilities, List<Event> events, List<Recurring> recurring) {
  public static final FaultPlan NONE = new FaultPlan(Map.of(), List.of(), List.of());

  /** Hot-plug actions a fault plan can take on a slot. */
  public enum Action {
    PLUG("plug"), UNPLUG("unplug"), SURPRISE_UNPLUG("surprise-unplug"), LINK_DOWN("link-down"), LINK_UP("link-up");

    private final String word;

    Action(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    public static Action parse(String word) {
      for (Action a : values()) {
        if (a.word.equals(word)) return a;
      }
      return null;
    }
  }

  /** {@code action} on {@code slot} at virtual time {@code atNanos}. */
  public record Event(long atNanos, Action action, String slot, int line) {}

  /**
   * {@code action} on {@code slot} again and again, on average every {@code meanIntervalNanos}; the device
   * comes back after {@code restoreAfterNanos} (0 = never).
   */
  public record Recurring(Action action, String slot, long meanIntervalNanos, long restoreAfterNanos, int line) {}
}
