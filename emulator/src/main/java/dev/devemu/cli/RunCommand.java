package dev.devemu.cli;

import dev.devemu.kernel.Variant;
import dev.devemu.replay.RunRecipe;
import dev.devemu.replay.Sessions;
import dev.devemu.replay.StrategySpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.Runner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code devemu run SCENARIO --seed N}: one run, its reports, and the hash of its delivery trace. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a scenario under one seed. Prints seed=N first and a summary with trace-sha256 last.%n"
        + "Exit codes: 0 clean run, 1 internal error, 2 bad input, 3 a bug was detected, 4 not a run (no driver "
        + "ever bound: every probe failed, or none returned).")
public final class RunCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "Scenario file (HOCON).")
  Path scenarioFile;

  @Option(names = "--seed", description = "Seed of the run (default: 1).")
  Long seed;

  @Option(names = "--variant", converter = VariantConverter.class, paramLabel = "raw|safe",
      description = "Override every driver's variant: raw or safe.")
  Variant variant;

  @Option(names = "--strategy", defaultValue = "random",
      description = "Scheduling strategy: random, or pct[:DEPTH[:K]] (depth 3 by default; K, the decisions of a "
          + "run, is measured from a first run when not given); a +swarm suffix (random+swarm, pct:3+swarm) runs the "
          + "seed's own variant of the fault plan, a +steer suffix (random+steer, pct:3+steer) lets the strategy decide "
          + "the probabilistic fault points, recorded in the trace (docs/exploration.md).")
  String strategy;

  @Option(names = "--replay", paramLabel = "TRACE",
      description = "Replay a trace file (the same as `devemu replay TRACE`).")
  Path replay;

  @Option(names = "--lanes", paramLabel = "N", defaultValue = "1",
      description = "Threads that run the time domains of a scenario that declares them (default: 1). The trace "
          + "is the same for every N; a scenario without domains always runs on one lane.")
  int lanes;

  @Option(names = "--wire-links",
      description = "Carry every crossing between time domains as the Protobuf frame it would be between two nodes "
          + "(link.proto; refs by path below the testbed root), decoded on the receiving side. Same trace.")
  boolean wireLinks;

  @Option(names = "--domain-node", paramLabel = "DOMAINS=HOST:PORT",
      description = "Host these time domains (comma-separated names) on the cluster node whose remoting address is "
          + "HOST:PORT (its domain host, /system/domain-host); the guest runs here. Repeatable. Same trace as in one "
          + "JVM (docs/domains.md, \"Nodes\").")
  java.util.List<String> domainNodes = new java.util.ArrayList<>();

  @Option(names = "--remoting", paramLabel = "FILE",
      description = "With --domain-node: the cluster's remoting settings, a HOCON file whose pekko.remote.artery "
          + "section this process uses to reach the nodes (e.g. cluster-config/tls.conf for mutual TLS, with its "
          + "DEVEMU_TLS_* variables); default plain TCP.")
  Path remoting;

  @Option(names = "--node-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "With --domain-node: how long to wait for a node's answer to a round; a node silent for that "
          + "long loses its domains at that round (the guest sees a surprise removal, the trace records it) and the "
          + "run goes on (default: ${DEFAULT-VALUE}).")
  int nodeTimeoutSeconds;

  @Option(names = {"-v", "--verbose"}, description = "Print the kernel log of the run.")
  boolean verbose;

  @Mixin
  OutputOptions files;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (replay != null) {
      if (scenarioFile != null) {
        err.println("devemu: run --replay TRACE takes no SCENARIO (the trace carries its scenario)");
        return ExitCodes.BAD_INPUT;
      }
      return ReplayCommand.replay(replay, seed, verbose, files, out, err, lanes);
    }
    if (scenarioFile == null) {
      err.println("devemu: run needs a SCENARIO file (or --replay TRACE)");
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario;
    StrategySpec strategySpec;
    try {
      scenario = ScenarioLoader.load(scenarioFile).withVariant(variant);
      strategySpec = StrategySpec.parse(strategy);
    } catch (ScenarioException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (IllegalArgumentException e) {
      err.println("devemu: --strategy: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    String unwritable = files.check();
    if (unwritable != null) {
      err.println("devemu: " + unwritable);
      return ExitCodes.BAD_INPUT;
    }
    if (lanes < 1 || lanes > 64) {
      err.println("devemu: --lanes must be between 1 and 64, got " + lanes);
      return ExitCodes.BAD_INPUT;
    }
    if (!domainNodes.isEmpty() && (variant != null || strategySpec.swarm() || replay != null)) {
      err.println("devemu: --domain-node does not take --variant, a +swarm strategy or --replay yet: the nodes build "
          + "the scenario as its file states it");
      return ExitCodes.BAD_INPUT;
    }
    if (remoting != null && domainNodes.isEmpty()) {
      err.println("devemu: --remoting goes with --domain-node (the settings to reach the nodes with)");
      return ExitCodes.BAD_INPUT;
    }
    if (wireLinks) System.setProperty(dev.devemu.sim.domain.DomainRun.LINKS_PROPERTY, "wire");
    long runSeed = seed == null ? 1 : seed;
    out.println("seed=" + runSeed);
    out.flush();

    RunRecipe recipe;
    Runner.Outcome outcome;
    try (SimHost host = SimHost.start("devemu-run", 1);
        WireLinksOff links = new WireLinksOff(wireLinks)) {
      StrategySpec resolved = Sessions.resolve(host, strategySpec, scenario, runSeed);
      recipe = RunRecipe.of(scenarioFile.toString(), scenario.source(), runSeed, variant, resolved);
      out.println(RunPrinter.header(scenario, recipe));
      if (resolved.swarm()) {
        out.println(dev.devemu.scenario.SwarmFaultPlan.describe(scenario.faults(),
            dev.devemu.scenario.SwarmFaultPlan.apply(scenario, runSeed).faults()));
      }
      out.flush();
      if (domainNodes.isEmpty()) {
        outcome = Sessions.run(host, recipe, scenario, files.mode(), lanes);
      } else {
        com.typesafe.config.Config remotingConfig = null;
        if (remoting != null) {
          if (!java.nio.file.Files.isReadable(remoting)) {
            err.println("devemu: --remoting: " + remoting + ": no such readable file");
            return ExitCodes.BAD_INPUT;
          }
          try {
            remotingConfig = com.typesafe.config.ConfigFactory.parseFile(remoting.toFile(),
                com.typesafe.config.ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
            remotingConfig.getConfig("pekko.remote.artery");
          } catch (com.typesafe.config.ConfigException bad) {
            err.println("devemu: --remoting: " + bad.getMessage());
            return ExitCodes.BAD_INPUT;
          }
        }
        try (DomainNodesClient nodes = DomainNodesClient.connect(domainNodes, scenario, scenarioFile.toString(),
            runSeed, files.mode() == Runner.TraceMode.DETAILED, java.time.Duration.ofSeconds(nodeTimeoutSeconds),
            remotingConfig)) {
          outcome = Sessions.run(host, 0, recipe, scenario, files.mode(), 1, nodes.remotes());
          // a node that went silent: say so (its domains were lost, the run went on; the trace records the loss)
          for (String line : outcome.result().kernelLog()) {
            if (line.contains("devemu: time domain ") && line.contains(" lost: ")) {
              out.println(line.substring(line.indexOf("devemu: time domain ")) + " (its node went silent)");
            }
          }
        } catch (dev.devemu.sim.domain.RemoteDomains.DomainNodeLost lost) {
          err.println("devemu: " + lost.getMessage());
          return ExitCodes.INTERNAL;
        } catch (IllegalArgumentException bad) {
          err.println("devemu: --domain-node: " + bad.getMessage());
          return ExitCodes.BAD_INPUT;
        }
      }
    }
    return finish(out, err, recipe, scenario, outcome, recipe.seedCommand(), verbose, files);
  }

  /** Prints a finished run (log, reports, summary), writes its files and returns the exit code. */
  static int finish(PrintWriter out, PrintWriter err, RunRecipe recipe, Scenario scenario, Runner.Outcome outcome,
      String replayCommand, boolean verbose, OutputOptions files) {
    if (verbose) {
      for (String line : outcome.result().kernelLog()) out.println(line);
    }
    String text = RunPrinter.reports(out, outcome.result(), replayCommand);
    out.println(RunPrinter.summary(outcome));
    out.flush();
    int written = files.write(out, err, recipe, outcome, replayCommand, text, scenario.variants());
    out.flush();
    if (written != ExitCodes.OK) return written;
    if (outcome.result().bugFound()) return ExitCodes.BUG_FOUND;
    var nonRun = dev.devemu.testbed.NonRun.of(scenario, outcome.result());
    if (nonRun.isPresent()) {
      String line = "devemu: not a run, tested nothing: " + nonRun.get().describe();
      out.println(line);
      out.flush();
      err.println(line);
      return ExitCodes.NOT_BOUND;
    }
    return ExitCodes.OK;
  }

  /** {@code --wire-links} holds for this run only (tests run many commands in one JVM). */
  private record WireLinksOff(boolean set) implements AutoCloseable {
    @Override
    public void close() {
      if (set) System.clearProperty(dev.devemu.sim.domain.DomainRun.LINKS_PROPERTY);
    }
  }
}
