package dev.devemu.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Entry point of {@code ./devemu}. */
@Command(name = "devemu", mixinStandardHelpOptions = true, version = "devemu 0.1.0",
    description = "Deterministic, actor-based emulator of PCIe, USB and camera devices and their drivers.")
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    org.slf4j.LoggerFactory.getLogger(Main.class); // initialise logging before Pekko logs through it
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    return execute(new CommandLine(new Main()), System.out, System.err, args);
  }

  /** Runs the command line with the given streams (tests use this to read what a user would see). */
  public static int execute(CommandLine cli, java.io.PrintStream out, java.io.PrintStream err, String... args) {
    addSubcommands(cli);
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(err, true));
    cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? ExitCodes.BAD_INPUT : ExitCodes.INTERNAL);
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("devemu: " + ex.getMessage());
      ex.getCommandLine().usage(ex.getCommandLine().getErr());
      return ExitCodes.BAD_INPUT;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      commandLine.getErr().println("devemu: internal error: " + ex);
      ex.printStackTrace(commandLine.getErr());
      // an internal error is the emulator's bug: say exactly what triggers it, for the bug report
      StringBuilder again = new StringBuilder("./devemu");
      for (String arg : args) again.append(' ').append(dev.devemu.replay.RunRecipe.shellQuote(arg));
      commandLine.getErr().println("devemu: this is a bug of devemu; this command triggers it: " + again);
      return ExitCodes.INTERNAL;
    });
    return cli.execute(args);
  }

  /** Every {@link Subcommand} on the class path, in the order the service files list them. */
  static void addSubcommands(CommandLine cli) {
    for (Subcommand command : java.util.ServiceLoader.load(Subcommand.class)) {
      String name = command.getClass().getAnnotation(Command.class).name();
      if (!cli.getSubcommands().containsKey(name)) cli.addSubcommand(command);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
