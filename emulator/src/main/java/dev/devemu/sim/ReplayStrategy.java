package dev.devemu.sim;

import java.util.List;

/**
 * Makes the choices recorded in a trace again. Strict replay fails loudly at the first choice that is not
 * possible; lenient replay (used by the shrinker) skips impossible choices and, once the recording runs out,
 * falls back to the first runnable actor.
 *
 * <p>A trace of a run that steered its faults ({@code +steer}) also holds fault decisions ({@link FaultChoices}),
 * each right after the delivery that made the call; a replay that steers makes them again at the same calls.
 * Leniently, a call whose entry is missing passes (so dropping a {@code fail} entry drops that fault), and entries
 * of calls that no longer happen are skipped.
 */
public final class ReplayStrategy implements SchedulingStrategy {
  private final List<String> choices;
  private final boolean strict;
  private final boolean steer;
  private int position;
  private long divergences;

  public ReplayStrategy(List<String> choices, boolean strict) {
    this(choices, strict, false);
  }

  /** @param steer the trace was recorded by a run that steered its faults: replay its fault decisions too */
  public ReplayStrategy(List<String> choices, boolean strict, boolean steer) {
    this.choices = List.copyOf(choices);
    this.strict = strict;
    this.steer = steer;
  }

  @Override
  public void start(SimRandom random) {
    position = 0;
    divergences = 0;
  }

  @Override
  public int choose(ChoicePoint point) {
    while (position < choices.size()) {
      String wanted = choices.get(position++);
      int found = find(point, wanted);
      if (found != Integer.MIN_VALUE) return found;
      if (strict) {
        throw new TraceDivergedException(point.step(), wanted, describe(point));
      }
      divergences++;
    }
    if (strict && !point.onlyTimer()) {
      throw new TraceDivergedException(point.step(), "<end of trace>", describe(point));
    }
    return point.runnableCount() == 0 ? FIRE_TIMER : 0;
  }

  @Override
  public boolean steersFaults() {
    return steer;
  }

  @Override
  public boolean chooseFault(FaultQuery query) {
    if (!steer) return SchedulingStrategy.super.chooseFault(query);
    while (position < choices.size()) {
      String next = choices.get(position);
      if (!FaultChoices.isFault(next)) break; // the entry of this call is missing: see below
      if (FaultChoices.point(next).equals(query.point())) {
        position++;
        return FaultChoices.failed(next);
      }
      if (strict) throw TraceDivergedException.atFault(query, next);
      position++; // the entry of a call that no longer happens
      divergences++;
    }
    if (strict) {
      throw TraceDivergedException.atFault(query, position < choices.size() ? choices.get(position) : "<end of trace>");
    }
    return false; // lenient: a call with no recorded decision passes
  }

  private static int find(ChoicePoint point, String wanted) {
    if (FaultChoices.isFault(wanted)) return Integer.MIN_VALUE; // a fault decision of a call that did not happen
    if (PctStrategy.CLOCK.equals(wanted)) {
      return point.timerEligible() || point.onlyTimer() ? FIRE_TIMER : Integer.MIN_VALUE;
    }
    for (int i = 0; i < point.runnableCount(); i++) {
      if (point.actorId(i).equals(wanted)) return i;
    }
    return Integer.MIN_VALUE;
  }

  private static String describe(ChoicePoint point) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < point.runnableCount(); i++) {
      if (i > 0) sb.append(", ");
      sb.append(point.actorId(i));
    }
    if (point.timerEligible()) sb.append(point.runnableCount() > 0 ? ", " : "").append(PctStrategy.CLOCK);
    return sb.append(']').toString();
  }

  /**
   * The choices of one time domain, out of a trace of a testbed split into domains: the guest's are recorded
   * bare ({@code cpu1}), another domain's behind its name ({@code cam0|pci-0000_00_05.0}).
   */
  public ReplayStrategy forDomain(String domain, boolean guest) {
    List<String> mine = new java.util.ArrayList<>();
    String prefix = domain + DOMAIN_SEPARATOR;
    for (String c : choices) {
      int bar = c.indexOf(DOMAIN_SEPARATOR);
      if (guest ? bar < 0 : c.startsWith(prefix)) mine.add(guest ? c : c.substring(prefix.length()));
    }
    return new ReplayStrategy(mine, strict, guest && steer);
  }

  /** Every recorded choice, in order (a lost time domain's record is one: {@code sim.domain.DomainLosses}). */
  public List<String> choices() {
    return choices;
  }

  /** Between a domain's name and an actor id in a domain trace; Pekko actor names never contain it. */
  public static final String DOMAIN_SEPARATOR = "|";

  /** How many recorded choices were impossible and skipped (lenient mode only). */
  public long divergences() {
    return divergences;
  }

  /** True once every recorded choice has been consumed. */
  public boolean exhausted() {
    return position >= choices.size();
  }

  @Override
  public String name() {
    return "replay";
  }

  /** The run took a different path than the trace recorded: the scenario, the code or the trace changed. */
  public static final class TraceDivergedException extends RuntimeException {
    public TraceDivergedException(long step, String wanted, String possible) {
      super("trace diverged at choice " + step + ": recorded " + wanted + ", possible " + possible);
    }

    private TraceDivergedException(String message) {
      super(message);
    }

    /** A call at a fault point (+steer) where the trace has another entry. */
    static TraceDivergedException atFault(FaultQuery query, String wanted) {
      return new TraceDivergedException("trace diverged at fault decision " + query.index() + " (" + query.point()
          + " in " + query.where() + "): recorded " + wanted);
    }
  }
}
