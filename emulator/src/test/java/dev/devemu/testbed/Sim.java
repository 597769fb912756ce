package dev.devemu.testbed;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SchedulingStrategy;
import dev.devemu.sim.SimHost;

/** A small harness for tests: one host, scenarios from text, runs by seed. */
public final class Sim implements AutoCloseable {
  private final SimHost host;

  public Sim(String name) {
    host = SimHost.start(name, 1);
  }

  public static Scenario scenario(String text) {
    return ScenarioLoader.parse("test.conf", text);
  }

  public Runner.Outcome run(Scenario scenario, long seed) {
    return Runner.run(host, 0, scenario, seed, Runner.Options.defaults());
  }

  public Runner.Outcome run(Scenario scenario, long seed, SchedulingStrategy strategy, Runner.TraceMode trace) {
    return Runner.run(host, 0, scenario, seed, Runner.Options.defaults().withStrategy(strategy).withTrace(trace));
  }

  public SimHost host() {
    return host;
  }

  @Override
  public void close() {
    host.close();
  }
}
