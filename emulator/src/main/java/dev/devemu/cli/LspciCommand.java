package dev.devemu.cli;

import dev.devemu.kernel.Sysfs;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.pci.LspciDump;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code devemu lspci SCENARIO}: the emulated PCI functions as an {@code lspci -xxx} dump for {@code lspci -F}. */
@Command(name = "lspci", mixinStandardHelpOptions = true,
    description = "Boot a scenario's machine and dump its PCI functions' configuration spaces in lspci -xxx format."
        + "%nDecode the dump with the stock tool:  lspci -F FILE -vv")
public final class LspciCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (HOCON).")
  Path scenarioFile;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the boot run (default: 1).")
  long seed;

  @Option(names = "--variant", converter = VariantConverter.class, paramLabel = "raw|safe",
      description = "Override every driver's variant: raw or safe.")
  Variant variant;

  @Option(names = "--at", defaultValue = "100ms",
      description = "Virtual time to run before dumping: drivers have probed and programmed MSI by then (default: 100ms).")
  String at;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the dump here instead of stdout.")
  Path output;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Scenario scenario;
    long atNanos;
    try {
      scenario = ScenarioLoader.load(scenarioFile).withVariant(variant);
      atNanos = MachineInspection.duration(at);
      String unwritable = output == null ? null : OutputPaths.checkFile(output);
      if (unwritable != null) throw new IllegalArgumentException(output + ": " + unwritable);
    } catch (ScenarioException | IllegalArgumentException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    MachineInspection.Listing listing = MachineInspection.inspect(scenario, seed, atNanos);
    StringBuilder dump = new StringBuilder();
    for (Sysfs.Device d : listing.devices()) {
      if (d.pciConfig() != null) dump.append(LspciDump.format(d.id(), d.pciConfig().get()));
    }
    if (output != null) {
      try {
        Files.writeString(output, dump);
      } catch (IOException e) {
        err.println("devemu: cannot write " + output + ": " + e.getMessage());
        return ExitCodes.INTERNAL;
      }
    } else {
      spec.commandLine().getOut().print(dump);
      spec.commandLine().getOut().flush();
    }
    if (listing.oopses() > 0) err.println("devemu: note: the boot run reported " + listing.oopses() + " oops(es)");
    return ExitCodes.OK;
  }
}
