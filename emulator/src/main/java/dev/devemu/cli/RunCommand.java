package dev.devemu.cli;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.PctStrategy;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SchedulingStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.Runner;
import dev.devemu.testbed.TraceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code devemu run SCENARIO --seed N}: one run, its reports, and the hash of its delivery trace. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a scenario under one seed. Prints seed=N first and a summary with trace-sha256 last.%n"
        + "Exit codes: 0 clean run, 1 internal error, 2 bad input, 3 a bug was detected.")
public final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "Scenario file (HOCON).")
  Path scenarioFile;

  @Option(names = "--seed", description = "Seed of the run (default: 1).")
  Long seed;

  @Option(names = "--variant", description = "Override every driver's variant: raw or safe.")
  String variant;

  @Option(names = "--strategy", defaultValue = "random",
      description = "Scheduling strategy: random, or pct[:DEPTH] (default depth 3).")
  String strategy;

  @Option(names = "--trace", paramLabel = "FILE", description = "Write the delivery trace (Protobuf devemu.v1.Trace).")
  Path traceOut;

  @Option(names = "--replay", paramLabel = "TRACE", description = "Replay the choices recorded in a trace file.")
  Path replay;

  @Option(names = {"-v", "--verbose"}, description = "Print the kernel log of the run.")
  boolean verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Scenario scenario;
    long runSeed;
    SchedulingStrategy strat;
    String scenarioName;
    try {
      if (replay != null) {
        TraceFile.Contents t = TraceFile.read(replay);
        if (seed != null && seed != t.seed()) {
          err.println("devemu: --seed " + seed + " contradicts the trace's seed " + t.seed());
          return ExitCodes.BAD_INPUT;
        }
        runSeed = t.seed();
        scenario = ScenarioLoader.parse(t.scenarioFile(), t.scenarioSource())
            .withVariant(variant != null ? variant : t.variantOverride());
        if (t.durationOverrideNanos() > 0) scenario = scenario.withDuration(t.durationOverrideNanos());
        if (variant == null) variant = t.variantOverride();
        strat = new ReplayStrategy(t.choices(), true);
        scenarioName = t.scenarioFile();
      } else {
        if (scenarioFile == null) {
          err.println("devemu: run needs a SCENARIO file (or --replay TRACE)");
          return ExitCodes.BAD_INPUT;
        }
        if (variant != null && !variant.equals("raw") && !variant.equals("safe")) {
          err.println("devemu: --variant must be raw or safe, got " + variant);
          return ExitCodes.BAD_INPUT;
        }
        scenario = ScenarioLoader.load(scenarioFile).withVariant(variant);
        runSeed = seed == null ? 1 : seed;
        strat = strategy(strategy, scenario);
        scenarioName = scenarioFile.toString();
      }
    } catch (ScenarioException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (IOException | IllegalArgumentException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }

    out.println("seed=" + runSeed);
    out.println("scenario=" + scenario.name() + " file=" + scenarioName + " variant="
        + String.join("+", scenario.variants()) + " strategy=" + strat.name() + " cpus=" + scenario.machine().cpus()
        + " duration=" + RunPrinter.seconds(scenario.durationNanos()));
    out.flush();

    Runner.Outcome outcome;
    try (SimHost host = SimHost.start("devemu-run", 1)) {
      outcome = Runner.run(host, 0, scenario, runSeed,
          Runner.Options.defaults().withStrategy(strat).withTrace(traceOut != null ? Runner.TraceMode.KEEP : Runner.TraceMode.HASH));
    } catch (ReplayStrategy.TraceDivergedException e) {
      err.println("devemu: " + replay + ": " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }

    if (verbose) {
      for (String line : outcome.result().kernelLog()) out.println(line);
    }
    String replayCommand = replay != null ? "./devemu run --replay " + replay
        : "./devemu run " + scenarioName + " --seed " + runSeed + (variant != null ? " --variant " + variant : "")
            + ("random".equals(strategy) ? "" : " --strategy " + strategy);
    RunPrinter.reports(out, outcome.result(), replayCommand);
    out.println(RunPrinter.summary(outcome));
    out.flush();

    if (traceOut != null) {
      try {
        TraceFile.write(traceOut, new TraceFile.Contents(runSeed, scenarioName, scenario.source(), variant, strat.name(),
            outcome.traceSha256(), outcome.trace().deliveries(), 0, false));
      } catch (IOException e) {
        err.println("devemu: cannot write trace " + traceOut + ": " + e.getMessage());
        return ExitCodes.INTERNAL;
      }
    }
    return outcome.result().bugFound() ? ExitCodes.BUG_FOUND : ExitCodes.OK;
  }

  static SchedulingStrategy strategy(String spec, Scenario scenario) {
    if (spec.equals("random")) return new RandomWalkStrategy();
    if (spec.equals("pct") || spec.startsWith("pct:")) {
      int depth = spec.equals("pct") ? 3 : Integer.parseInt(spec.substring(4));
      // PCT spreads its change points over the expected number of choices k. Without a first run to measure
      // it, assume 50 choices per simulated millisecond; explore measures k instead of guessing.
      long expected = Math.max(1000, scenario.durationNanos() / 1_000_000L * 50);
      return new PctStrategy(depth, expected);
    }
    throw new IllegalArgumentException("unknown strategy " + spec + " (use random or pct[:DEPTH])");
  }
}
