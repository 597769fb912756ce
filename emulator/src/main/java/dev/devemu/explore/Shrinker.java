package dev.devemu.explore;

import dev.devemu.kernel.Oops;
import dev.devemu.replay.RunRecipe;
import dev.devemu.replay.Sessions;
import dev.devemu.sim.DeliveryTrace;
import dev.devemu.sim.FaultChoices;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.Runner;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a failing trace small while the same bug (same signature) still happens: first it drops injected
 * faults — every probabilistic fault point at once, then each hot-plug event of the fault plan, then (in a trace of
 * a run that steered its faults, {@code +steer}) each recorded fault decision that failed, turned into a pass — then it
 * removes recorded choices by delta debugging (Zeller's ddmin: remove one of n chunks, halve the chunks when
 * none can go). A candidate runs under the lenient {@link dev.devemu.sim.ReplayStrategy}: choices that became
 * impossible are skipped, and once the list runs out the first runnable actor runs. The result is the shortest
 * choice list found, which replays the bug the same way (leniently) in any JVM.
 */
public final class Shrinker {
  private Shrinker() {}

  /**
   * What shrinking achieved.
   *
   * @param recipe the shrunk recipe: the kept choices, replayed leniently, and the faults it dropped
   * @param kept the kept deliveries of the original trace (their step, time and message), in order
   * @param outcome the run of the shrunk recipe, with its trace kept
   * @param signature the bug that every accepted candidate reproduced
   * @param runs how many candidate runs it took
   * @param deliveriesBefore length of the original run
   */
  public record Result(RunRecipe recipe, List<DeliveryTrace.Delivery> kept, Runner.Outcome outcome,
      String signature, int runs, int choicesBefore, long deliveriesBefore, int faultsBefore,
      int steeredFaultsBefore) {
    public int choicesAfter() {
      return kept.size();
    }

    public long deliveriesAfter() {
      return outcome.result().choices();
    }

    public int faultsAfter() {
      return RunRecipe.faultIds(recipe.scenario().faults()).size();
    }

    /** Steered fault decisions ({@code +steer}) that fail, among the kept choices. */
    public int steeredFaultsAfter() {
      return failedFaults(kept);
    }
  }

  /** Thrown when the original trace does not show a bug: there is nothing to keep while shrinking. */
  public static final class NoBugException extends RuntimeException {
    public NoBugException(String message) {
      super(message);
    }
  }

  /**
   * Shrinks a recorded run.
   *
   * @param original the recipe of the recorded run, with its choices
   * @param deliveries the recorded deliveries (one per choice)
   * @param maxRuns how many candidate runs to try at most
   */
  public static Result shrink(SimHost host, RunRecipe original, List<DeliveryTrace.Delivery> deliveries,
      int maxRuns) {
    if (original.choices() == null) throw new IllegalArgumentException("shrinking needs recorded choices");
    Runner.Outcome baseline = Sessions.run(host, original, Runner.TraceMode.HASH);
    if (!baseline.result().bugFound()) {
      throw new NoBugException("the recorded run reports no bug: there is nothing to shrink towards");
    }
    String signature = baseline.result().oopses().get(0).signature();
    Search s = new Search(host, signature, maxRuns);

    // Candidates replay leniently from here on; indices into the original deliveries stand for the choices, whose
    // text is kept apart so that a steered fault's "fail" can become a "pass".
    String[] text = new String[deliveries.size()];
    for (int i = 0; i < text.length; i++) text[i] = deliveries.get(i).actor();
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < deliveries.size(); i++) kept.add(i);
    RunRecipe best = original.withChoices(choicesOf(text, kept), true);
    int steeredBefore = failedFaults(deliveries);
    int faultsBefore = RunRecipe.faultIds(best.scenario().faults()).size();

    // 1. Faults: all probabilistic points at once, then each fault-plan entry.
    boolean hasProbabilities = !best.scenario().faults().probabilities().isEmpty();
    if (hasProbabilities && !best.faultsDisabled()) {
      RunRecipe c = best.withFaults(true, best.droppedFaults());
      if (s.reproduces(c)) best = c;
    }
    for (String id : RunRecipe.faultIds(best.scenario().faults())) {
      if (s.exhausted()) break;
      List<String> dropped = new ArrayList<>(best.droppedFaults());
      dropped.add(id);
      RunRecipe c = best.withFaults(best.faultsDisabled(), dropped);
      if (s.reproduces(c)) best = c;
    }

    // 1b. Steered faults (+steer): each recorded decision that failed, turned into a pass (the same place in the list,
    // so the choices after it keep their positions).
    for (int i = 0; i < text.length && !s.exhausted(); i++) {
      if (!FaultChoices.isFault(text[i]) || !FaultChoices.failed(text[i])) continue;
      String before = text[i];
      text[i] = FaultChoices.passed(before);
      RunRecipe c = best.withChoices(choicesOf(text, kept), true);
      if (s.reproduces(c)) best = c;
      else text[i] = before;
    }

    // 2. Choices: the default schedule alone first, then ddmin.
    if (!s.exhausted() && s.reproduces(best.withChoices(List.of(), true))) {
      kept = List.of();
    } else {
      int n = 2;
      while (kept.size() >= 2 && !s.exhausted()) {
        int chunk = (kept.size() + n - 1) / n;
        boolean reduced = false;
        for (int start = 0; start < kept.size() && !s.exhausted(); start += chunk) {
          List<Integer> candidate = new ArrayList<>(kept.subList(0, start));
          candidate.addAll(kept.subList(Math.min(kept.size(), start + chunk), kept.size()));
          if (s.reproduces(best.withChoices(choicesOf(text, candidate), true))) {
            kept = candidate;
            n = Math.max(n - 1, 2);
            reduced = true;
            break;
          }
        }
        if (!reduced) {
          if (n >= kept.size()) break;
          n = Math.min(n * 2, kept.size());
        }
      }
    }
    best = best.withChoices(choicesOf(text, kept), true);
    Runner.Outcome last = Sessions.run(host, best, Runner.TraceMode.HASH);
    if (last.result().oopses().stream().noneMatch(o -> o.signature().equals(signature))) {
      throw new IllegalStateException("the shrunk recipe no longer reproduces " + signature
          + ": a run is not deterministic");
    }
    List<DeliveryTrace.Delivery> keptDeliveries = new ArrayList<>();
    for (int i : kept) {
      DeliveryTrace.Delivery d = deliveries.get(i);
      keptDeliveries.add(new DeliveryTrace.Delivery(d.step(), d.timeNanos(), text[i], d.message()));
    }
    return new Result(best, keptDeliveries, last, signature, s.runs, deliveries.size(), baseline.result().choices(),
        faultsBefore, steeredBefore);
  }

  private static List<String> choicesOf(String[] text, List<Integer> indices) {
    List<String> out = new ArrayList<>(indices.size());
    for (int i : indices) out.add(text[i]);
    return out;
  }

  private static int failedFaults(List<DeliveryTrace.Delivery> deliveries) {
    int n = 0;
    for (DeliveryTrace.Delivery d : deliveries) {
      if (FaultChoices.isFault(d.actor()) && FaultChoices.failed(d.actor())) n++;
    }
    return n;
  }

  /** Runs candidates within a budget and says whether each still shows the bug. */
  private static final class Search {
    private final SimHost host;
    private final String signature;
    private final int maxRuns;
    int runs;

    Search(SimHost host, String signature, int maxRuns) {
      this.host = host;
      this.signature = signature;
      this.maxRuns = maxRuns;
    }

    boolean exhausted() {
      return runs >= maxRuns;
    }

    boolean reproduces(RunRecipe candidate) {
      runs++;
      Runner.Outcome o = Sessions.run(host, candidate, Runner.TraceMode.NONE);
      for (Oops oops : o.result().oopses()) {
        if (oops.signature().equals(signature)) return true;
      }
      return false;
    }
  }
}
