package dev.devemu.usbip;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.ExternalInputs;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimRun;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-runs the device side of a recorded live session on a lane: the same scenario and seed, the recorded inputs
 * at their recorded virtual times, until the recorded end. Its answers are compared with the recorded ones.
 */
public final class SessionReplay {
  /** What a replay produced, and the first answer that differs from the recording (null if none). */
  public record Result(int inputs, int answers, int recordedAnswers, String firstDifference) {
    public boolean identical() {
      return firstDifference == null;
    }
  }

  private SessionReplay() {}

  static Result replay(Session session) {
    Scenario scenario = ScenarioLoader.parse(session.scenarioFile, session.scenarioText);
    List<Session.Out> answers = new ArrayList<>();
    SimRun[] holder = new SimRun[1];
    ExportEngine[] engine = new ExportEngine[1];
    ExternalInputs recorded = new ExternalInputs() {
      int next;

      @Override
      public Input next(long now, long nextTimerDue) {
        if (next < session.inputs.size()) {
          Session.In in = session.inputs.get(next);
          long at = Math.max(now, in.at());
          if (at >= nextTimerDue) return null;
          next++;
          return new Input(at, () -> engine[0].deliver(in.input()));
        }
        return nextTimerDue <= session.end ? null : END;
      }
    };
    SimRun run = SimRun.builder(session.seed).inputs(recorded).build();
    holder[0] = run;
    engine[0] = new ExportEngine(scenario, run, new ExportEngine.Output() {
      @Override
      public void send(int conn, byte[] bytes) {
        answers.add(Session.data(run.clock().now(), conn, bytes));
      }

      @Override
      public void close(int conn, String why) {
        answers.add(Session.close(run.clock().now(), conn, why));
      }

      @Override
      public void imported(int conn, boolean ok) {}

      @Override
      public void log(String line) {}
    });
    try (SimHost host = SimHost.start("usbip-replay", 1)) {
      host.run(0, run, r -> engine[0].root());
    }
    String diff = null;
    int n = Math.min(answers.size(), session.outputs.size());
    for (int i = 0; i < n && diff == null; i++) {
      if (!answers.get(i).equals(session.outputs.get(i))) {
        diff = "answer " + (i + 1) + ": recorded '" + session.outputs.get(i).line() + "', replayed '"
            + answers.get(i).line() + "'";
      }
    }
    if (diff == null && answers.size() != session.outputs.size()) {
      diff = "recorded " + session.outputs.size() + " answers, replay gave " + answers.size();
    }
    return new Result(session.inputs.size(), answers.size(), session.outputs.size(), diff);
  }

  /** Reads and replays a session file. */
  public static Result replay(java.nio.file.Path file) throws java.io.IOException, Session.BadSession {
    return replay(Session.read(file));
  }
}
