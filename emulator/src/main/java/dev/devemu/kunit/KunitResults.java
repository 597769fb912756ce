package dev.devemu.kunit;

import java.util.List;

/** What a run of suites produced, in the order KTAP prints it. */
public record KunitResults(List<Suite> suites) {
  /** ok, not ok, or ok with {@code # SKIP}. */
  public enum Status { PASS, FAIL, SKIP }

  /** One parameter's run of a parameterised case. */
  public record Param(String description, Status status, List<String> log) {}

  /**
   * One case. {@code log} holds its diagnostic lines (failures as KUnit prints them, detector reports, the command
   * that reruns it); {@code params} its parameters' results, empty for a plain case.
   */
  public record Case(String name, Status status, String skipReason, List<String> log, List<Param> params) {}

  public record Suite(String name, List<Case> cases) {
    public Status status() {
      if (cases.stream().anyMatch(c -> c.status() == Status.FAIL)) return Status.FAIL;
      if (!cases.isEmpty() && cases.stream().allMatch(c -> c.status() == Status.SKIP)) return Status.SKIP;
      return Status.PASS;
    }
  }

  public boolean failed() {
    return suites.stream().anyMatch(s -> s.status() == Status.FAIL);
  }

  /** Counts over every case (a parameterised case counts each parameter), as {@code # Totals} does. */
  public long count(Status status) {
    long n = 0;
    for (Suite s : suites) {
      for (Case c : s.cases()) {
        if (c.params().isEmpty()) {
          if (c.status() == status) n++;
        } else {
          n += c.params().stream().filter(p -> p.status() == status).count();
        }
      }
    }
    return n;
  }
}
