package dev.devemu.usbip;

import dev.devemu.cli.ExitCodes;
import dev.devemu.cli.Subcommand;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code devemu usbip SCENARIO}: exports the scenario's USB devices over USB/IP, live; {@code devemu usbip --replay
 * SESSION} re-runs a recorded session and checks that it answers the same bytes.
 */
@Command(name = "usbip", mixinStandardHelpOptions = true,
    description = "Export a scenario's USB devices over USB/IP (live), so a real Linux host can attach them:"
        + "%n  modprobe vhci-hcd; usbip attach -r HOST -b BUSID"
        + "%nOr replay a recorded session:  devemu usbip --replay SESSION")
public final class UsbipCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "Scenario file (HOCON).")
  Path scenarioFile;

  @Option(names = "--port", defaultValue = "3240", description = "TCP port (default: 3240, usbipd's; 0 = any).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: 127.0.0.1, loopback only; 0.0.0.0 exports to other hosts).")
  String bind;

  @Option(names = "--record", paramLabel = "FILE", description = "Record the session here, for --replay.")
  Path record;

  @Option(names = "--time-scale", defaultValue = "1.0",
      description = "Virtual seconds per wall-clock second (default: 1; 0.1 runs the devices ten times slower).")
  double timeScale;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the devices' randomness and faults (default: 1).")
  long seed;

  @Option(names = "--for", paramLabel = "DURATION",
      description = "Stop after this much wall-clock time (e.g. 30s); default: until interrupted.")
  String forDuration;

  @Option(names = "--replay", paramLabel = "SESSION", description = "Replay a recorded session instead of serving.")
  Path replay;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (replay != null) return replay(out, err);
    if (scenarioFile == null) {
      err.println("devemu: usbip needs a SCENARIO (or --replay SESSION)");
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario;
    long forNanos = 0;
    try {
      scenario = ScenarioLoader.load(scenarioFile);
      if (!(timeScale > 0) || timeScale > 1000) throw new IllegalArgumentException("--time-scale must be in (0, 1000]: " + timeScale);
      if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535: " + port);
      if (forDuration != null) {
        forNanos = com.typesafe.config.ConfigFactory.parseString("d = " + forDuration).getDuration("d").toNanos();
      }
    } catch (ScenarioException | IllegalArgumentException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (com.typesafe.config.ConfigException e) {
      err.println("devemu: --for: not a duration (want e.g. 30s): " + forDuration);
      return ExitCodes.BAD_INPUT;
    }
    UsbipServer server;
    try {
      server = UsbipServer.start(scenario, new UsbipServer.Options(bind, port, record, timeScale, seed),
          line -> {
            synchronized (err) {
              err.println(line);
              err.flush();
            }
          });
    } catch (IOException e) {
      err.println("devemu: cannot serve on " + bind + ":" + port + ": " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    if (server.busids().isEmpty()) {
      err.println("devemu: note: " + scenarioFile + " has no USB device; the export list is empty");
    }
    InetAddress addr = server.address();
    out.println("devemu usbip: exporting " + String.join(", ", server.busids()) + " on " + addr.getHostAddress() + ":"
        + server.port() + (addr.isLoopbackAddress() ? " (loopback only; --bind 0.0.0.0 to export to other hosts)" : "")
        + (record != null ? ", recording to " + record : ""));
    out.println("attach with:  modprobe vhci-hcd && usbip --tcp-port " + server.port() + " attach -r HOST -b BUSID");
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.close();
      stop.countDown();
    }, "usbip-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      if (forNanos > 0) {
        server.done().get(forNanos, TimeUnit.NANOSECONDS);
      } else {
        server.done().get();
      }
    } catch (java.util.concurrent.TimeoutException e) {
      // --for elapsed
    } catch (Exception e) {
      err.println("devemu: usbip: " + e.getMessage());
      return ExitCodes.INTERNAL;
    }
    server.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running
    }
    out.println("devemu usbip: stopped" + (record != null ? "; session in " + record : ""));
    return server.done().isCompletedExceptionally() ? ExitCodes.INTERNAL : ExitCodes.OK;
  }

  private int replay(PrintWriter out, PrintWriter err) {
    return replaySession(replay, out, err);
  }

  /** {@code devemu replay SESSION} for a recorded USB/IP session. */
  public static final class Replayer implements dev.devemu.cli.RecordedSession {
    @Override
    public boolean recognises(Path file) {
      try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(file)) {
        return Session.MAGIC.equals(r.readLine());
      } catch (IOException | java.io.UncheckedIOException e) {
        return false;
      }
    }

    @Override
    public int replay(Path file, PrintWriter out, PrintWriter err) {
      return replaySession(file, out, err);
    }
  }

  static int replaySession(Path replay, PrintWriter out, PrintWriter err) {
    SessionReplay.Result r;
    try {
      r = SessionReplay.replay(Session.read(replay));
    } catch (IOException e) {
      err.println("devemu: cannot read " + replay + ": " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (Session.BadSession e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (ScenarioException e) {
      err.println("devemu: " + replay + ": recorded scenario: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    out.println("devemu usbip: replayed " + r.inputs() + " inputs; " + r.answers() + " answers, "
        + r.recordedAnswers() + " recorded");
    if (r.identical()) {
      out.println("identical: every answer matches the recording byte for byte (SHA-256 per message)");
      return ExitCodes.OK;
    }
    out.println("DIFFERENT: " + r.firstDifference());
    return ExitCodes.INTERNAL;
  }
}
