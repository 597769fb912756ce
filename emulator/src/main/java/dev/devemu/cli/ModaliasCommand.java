package dev.devemu.cli;

import dev.devemu.kernel.Sysfs;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code devemu modalias SCENARIO}: what {@code /sys/bus/*&#47;devices/*&#47;modalias} would say for each device. */
@Command(name = "modalias", mixinStandardHelpOptions = true,
    description = "Boot a scenario's machine and print each device's modalias in the kernel's format, one per line:"
        + "%n<sysfs name> <modalias>")
public final class ModaliasCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (HOCON).")
  Path scenarioFile;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the boot run (default: 1).")
  long seed;

  @Option(names = "--at", defaultValue = "100ms", description = "Virtual time to run before listing (default: 100ms).")
  String at;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Scenario scenario;
    long atNanos;
    try {
      scenario = ScenarioLoader.load(scenarioFile);
      atNanos = MachineInspection.duration(at);
    } catch (ScenarioException | IllegalArgumentException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    PrintWriter out = spec.commandLine().getOut();
    for (Sysfs.Device d : MachineInspection.inspect(scenario, seed, atNanos).devices()) {
      out.println(d.id() + " " + d.modalias());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
