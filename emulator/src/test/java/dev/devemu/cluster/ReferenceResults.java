package dev.devemu.cluster;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.RunResultCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The single-node reference of a campaign: the same keys run one after the other in this JVM with {@code Runner},
 * and the canonical bytes of a result set (results sorted by key, each as its Protobuf bytes) to compare byte for
 * byte. When the campaign command's {@code summary.json} writer is merged, {@link #canonical} is where it plugs in.
 */
final class ReferenceResults {
  private ReferenceResults() {}

  static SortedMap<RunKey, RunResult> run(CampaignPlan plan) {
    SortedMap<RunKey, RunResult> out = new TreeMap<>();
    Scenario base = ScenarioLoader.parse(plan.scenarioFile(), plan.scenarioSource());
    try (SimHost host = SimHost.start("reference", 1)) {
      for (RunKey k : plan.runs()) {
        Scenario s = base.withVariant(k.variant());
        if (plan.durationOverrideNanos() > 0) s = s.withDuration(plan.durationOverrideNanos());
        out.put(k, dev.devemu.testbed.Runner.run(host, 0, s, k.seed(), dev.devemu.testbed.Runner.Options.defaults())
            .result());
      }
    }
    return out;
  }

  static byte[] canonical(Map<RunKey, RunResult> results) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (Map.Entry<RunKey, RunResult> e : new TreeMap<>(results).entrySet()) {
        ClusterCodecs.key(e.getKey()).writeDelimitedTo(out);
        RunResultCodec.toProto(e.getValue()).writeDelimitedTo(out);
      }
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
    return out.toByteArray();
  }
}
