package dev.devemu.cluster;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.campaign.RunRecord;
import dev.devemu.kernel.ErrorPaths;
import dev.devemu.kernel.Variant;
import dev.devemu.protocol.v1.CampaignPlanProto;
import dev.devemu.protocol.v1.ErrorPathProto;
import dev.devemu.protocol.v1.CampaignProgressProto;
import dev.devemu.protocol.v1.CampaignsReport;
import dev.devemu.protocol.v1.Exposure;
import dev.devemu.protocol.v1.GetCampaigns;
import dev.devemu.protocol.v1.GetProgress;
import dev.devemu.protocol.v1.GetResults;
import dev.devemu.protocol.v1.NodeCount;
import dev.devemu.protocol.v1.OopsRecordProto;
import dev.devemu.protocol.v1.PlanAccepted;
import dev.devemu.protocol.v1.ResultPage;
import dev.devemu.protocol.v1.ResultRecorded;
import dev.devemu.protocol.v1.RunCompleted;
import dev.devemu.protocol.v1.RunKeyProto;
import dev.devemu.protocol.v1.RunRecordProto;
import dev.devemu.protocol.v1.SubmitCampaign;
import dev.devemu.protocol.v1.WorkAssigned;
import dev.devemu.protocol.v1.WorkRequested;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Wire codecs of the campaign messages (schemas in {@code devemu/v1/cluster.proto}): what workers, the coordinator
 * and the client door exchange, and the coordinator's journal events. Also the mappings the HTTP door uses for
 * plans and result pages, so a client outside the cluster reads the same bytes.
 */
public final class ClusterCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(CampaignCoordinator.WorkRequested.class, "WorkRequested", WorkRequested::parseFrom,
        (m, c) -> {
          WorkRequested.Builder b = WorkRequested.newBuilder().setWorker(c.ref(m.worker())).setNode(m.node())
              .setFree(m.free()).setEpoch(m.epoch()).setLastSeq(m.lastSeq()).setLanes(m.lanes());
          for (HeldRun h : m.holding()) b.addHolding(held(h));
          return b.build();
        },
        (p, c) -> {
          List<HeldRun> holding = new ArrayList<>();
          for (dev.devemu.protocol.v1.HeldRun h : p.getHoldingList()) holding.add(held(h));
          return new CampaignCoordinator.WorkRequested(c.ref(p.getWorker()), p.getNode(), p.getFree(), holding,
              p.getEpoch(), p.getLastSeq(), p.getLanes());
        }));
    r.accept(Codec.of(RunWorker.WorkAssigned.class, "WorkAssigned", WorkAssigned::parseFrom,
        (m, c) -> {
          WorkAssigned.Builder b = WorkAssigned.newBuilder().setEpoch(m.epoch()).setSeq(m.seq());
          for (RunRequest run : m.runs()) b.addRuns(request(run));
          return b.build();
        },
        (p, c) -> {
          List<RunRequest> runs = new ArrayList<>();
          for (dev.devemu.protocol.v1.RunRequest run : p.getRunsList()) runs.add(request(run));
          return new RunWorker.WorkAssigned(p.getEpoch(), p.getSeq(), runs);
        }));
    r.accept(Codec.of(CampaignCoordinator.RunCompleted.class, "RunCompleted", RunCompleted::parseFrom,
        (m, c) -> RunCompleted.newBuilder().setWorker(c.ref(m.worker())).setNode(m.node())
            .setCampaignId(m.campaignId()).setKey(key(m.key())).setRecord(record(m.record())).build(),
        (p, c) -> new CampaignCoordinator.RunCompleted(c.ref(p.getWorker()), p.getNode(), p.getCampaignId(),
            key(p.getKey()), record(p.getRecord()))));
    r.accept(Codec.of(CampaignCoordinator.SubmitCampaign.class, "SubmitCampaign", SubmitCampaign::parseFrom,
        (m, c) -> SubmitCampaign.newBuilder().setPlan(plan(m.plan())).setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new CampaignCoordinator.SubmitCampaign(plan(p.getPlan()), c.ref(p.getReplyTo()))));
    r.accept(Codec.of(CampaignCoordinator.GetProgress.class, "GetProgress", GetProgress::parseFrom,
        (m, c) -> GetProgress.newBuilder().setCampaignId(m.campaignId()).setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new CampaignCoordinator.GetProgress(p.getCampaignId(), c.ref(p.getReplyTo()))));
    r.accept(Codec.of(CampaignCoordinator.GetResults.class, "GetResults", GetResults::parseFrom,
        (m, c) -> GetResults.newBuilder().setCampaignId(m.campaignId()).setFrom(m.from()).setMax(m.max())
            .setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new CampaignCoordinator.GetResults(p.getCampaignId(), p.getFrom(), p.getMax(),
            c.ref(p.getReplyTo()))));
    r.accept(Codec.of(CampaignCoordinator.GetCampaigns.class, "GetCampaigns", GetCampaigns::parseFrom,
        (m, c) -> GetCampaigns.newBuilder().setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new CampaignCoordinator.GetCampaigns(c.ref(p.getReplyTo()))));
    r.accept(Codec.of(CampaignCoordinator.CampaignProgress.class, "CampaignProgress",
        CampaignProgressProto::parseFrom, (m, c) -> progress(m), (p, c) -> progress(p)));
    r.accept(Codec.of(CampaignCoordinator.CampaignsReport.class, "CampaignsReport", CampaignsReport::parseFrom,
        (m, c) -> {
          CampaignsReport.Builder b = CampaignsReport.newBuilder().setCoordinatorNode(m.coordinatorNode())
              .addAllWorkerLanes(counts(m.workerLanes()));
          for (CampaignCoordinator.CampaignProgress p : m.campaigns()) b.addCampaigns(progress(p));
          return b.build();
        },
        (p, c) -> {
          List<CampaignCoordinator.CampaignProgress> all = new ArrayList<>();
          for (CampaignProgressProto cp : p.getCampaignsList()) all.add(progress(cp));
          return new CampaignCoordinator.CampaignsReport(p.getCoordinatorNode(), all, counts(p.getWorkerLanesList()));
        }));
    r.accept(Codec.of(CampaignCoordinator.ResultPage.class, "ResultPage", ResultPage::parseFrom,
        (m, c) -> page(m), (p, c) -> page(p)));
    r.accept(Codec.of(CampaignCoordinator.PlanAccepted.class, "PlanAccepted", PlanAccepted::parseFrom,
        (m, c) -> PlanAccepted.newBuilder().setPlan(plan(m.plan())).build(),
        (p, c) -> new CampaignCoordinator.PlanAccepted(plan(p.getPlan()))));
    r.accept(Codec.of(CampaignCoordinator.CancelCampaign.class, "CancelCampaign",
        dev.devemu.protocol.v1.CancelCampaign::parseFrom,
        (m, c) -> dev.devemu.protocol.v1.CancelCampaign.newBuilder().setCampaignId(m.campaignId())
            .setDelete(m.delete()).setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new CampaignCoordinator.CancelCampaign(p.getCampaignId(), p.getDelete(), c.ref(p.getReplyTo()))));
    r.accept(Codec.of(CampaignCoordinator.ResultsWritten.class, "ResultsWritten",
        dev.devemu.protocol.v1.ResultsWritten::parseFrom,
        (m, c) -> dev.devemu.protocol.v1.ResultsWritten.newBuilder().setCampaignId(m.campaignId()).setUpTo(m.upTo())
            .build(),
        (p, c) -> new CampaignCoordinator.ResultsWritten(p.getCampaignId(), p.getUpTo())));
    r.accept(Codec.of(CampaignCoordinator.RunsReopened.class, "RunsReopened",
        dev.devemu.protocol.v1.RunsReopened::parseFrom,
        (m, c) -> {
          var b = dev.devemu.protocol.v1.RunsReopened.newBuilder().setCampaignId(m.campaignId());
          for (RunKey k : m.keys()) b.addKeys(key(k));
          return b.build();
        },
        (p, c) -> new CampaignCoordinator.RunsReopened(p.getCampaignId(),
            p.getKeysList().stream().map(ClusterCodecs::key).toList())));
    r.accept(Codec.of(CampaignCoordinator.CampaignCancelled.class, "CampaignCancelled",
        dev.devemu.protocol.v1.CampaignCancelled::parseFrom,
        (m, c) -> dev.devemu.protocol.v1.CampaignCancelled.newBuilder().setCampaignId(m.campaignId()).build(),
        (p, c) -> new CampaignCoordinator.CampaignCancelled(p.getCampaignId())));
    r.accept(Codec.of(CampaignCoordinator.CampaignDeleted.class, "CampaignDeleted",
        dev.devemu.protocol.v1.CampaignDeleted::parseFrom,
        (m, c) -> dev.devemu.protocol.v1.CampaignDeleted.newBuilder().setCampaignId(m.campaignId()).build(),
        (p, c) -> new CampaignCoordinator.CampaignDeleted(p.getCampaignId())));
    r.accept(Codec.of(CampaignCoordinator.CoordinatorSnapshot.class, "CoordinatorSnapshot",
        dev.devemu.protocol.v1.CoordinatorSnapshot::parseFrom, (m, c) -> snapshot(m), (p, c) -> snapshot(p)));
    r.accept(Codec.of(CampaignCoordinator.ResultRecorded.class, "ResultRecorded", ResultRecorded::parseFrom,
        (m, c) -> ResultRecorded.newBuilder().setCampaignId(m.campaignId()).setRun(recorded(m.run())).build(),
        (p, c) -> new CampaignCoordinator.ResultRecorded(p.getCampaignId(), recorded(p.getRun()))));
  }

  /**
   * A variant from a frame or an HTTP body: a word this build does not know is corrupt input, named by its field (the
   * serializer reports it as a corrupt frame; the door answers 400).
   */
  private static Variant variant(String field, String word) {
    try {
      return Variant.parse(word);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage());
    }
  }

  public static RunKeyProto key(RunKey k) {
    RunKeyProto.Builder b = RunKeyProto.newBuilder().setSeed(k.seed());
    if (k.variant() != null) b.setVariant(k.variant().toString());
    return b.build();
  }

  public static RunKey key(RunKeyProto p) {
    return new RunKey(p.getSeed(), p.hasVariant() ? variant("RunKey.variant", p.getVariant()) : null);
  }

  static dev.devemu.protocol.v1.HeldRun held(HeldRun h) {
    return dev.devemu.protocol.v1.HeldRun.newBuilder().setCampaignId(h.campaignId()).setKey(key(h.key())).build();
  }

  static HeldRun held(dev.devemu.protocol.v1.HeldRun p) {
    return new HeldRun(p.getCampaignId(), key(p.getKey()));
  }

  static dev.devemu.protocol.v1.RunRequest request(RunRequest r) {
    return dev.devemu.protocol.v1.RunRequest.newBuilder().setCampaignId(r.campaignId())
        .setScenarioFile(r.scenarioFile()).setScenarioSource(r.scenarioSource()).setSeed(r.key().seed())
        .setVariant(r.key().variant() == null ? "" : r.key().variant().toString()).setDurationNs(r.durationOverrideNanos())
        .setCoverage(r.coverage()).build();
  }

  static RunRequest request(dev.devemu.protocol.v1.RunRequest p) {
    return new RunRequest(p.getCampaignId(), p.getScenarioFile(), p.getScenarioSource(),
        new RunKey(p.getSeed(), p.getVariant().isEmpty() ? null : variant("RunRequest.variant", p.getVariant())),
        p.getDurationNs(), p.getCoverage());
  }

  public static CampaignPlanProto plan(CampaignPlan plan) {
    CampaignPlanProto.Builder b = CampaignPlanProto.newBuilder().setCampaignId(plan.campaignId())
        .setScenarioFile(plan.scenarioFile()).setScenarioSource(plan.scenarioSource())
        .setDurationNs(plan.durationOverrideNanos()).setCoverage(plan.coverage());
    for (RunKey k : plan.runs()) b.addRuns(key(k));
    return b.build();
  }

  public static CampaignPlan plan(CampaignPlanProto p) {
    List<RunKey> runs = new ArrayList<>(p.getRunsCount());
    for (RunKeyProto k : p.getRunsList()) runs.add(key(k));
    return new CampaignPlan(p.getCampaignId(), p.getScenarioFile(), p.getScenarioSource(), List.copyOf(runs),
        p.getDurationNs(), p.getCoverage());
  }

  static dev.devemu.protocol.v1.RecordedRun recorded(RecordedRun r) {
    return dev.devemu.protocol.v1.RecordedRun.newBuilder().setKey(key(r.key())).setRecord(record(r.record()))
        .setNode(r.node()).build();
  }

  static RecordedRun recorded(dev.devemu.protocol.v1.RecordedRun p) {
    return new RecordedRun(key(p.getKey()), record(p.getRecord()), p.getNode());
  }

  public static RunRecordProto record(RunRecord r) {
    RunRecordProto.Builder b = RunRecordProto.newBuilder().setSeed(r.seed()).setVariant(r.variant().toString())
        .setOutcome(r.outcome()).setVirtualNs(r.virtualNanos()).setProbeFailures(r.probeFailures())
        .setFaultsInjected(r.faultsInjected()).setHotplugEvents(r.hotplugEvents()).setChoices(r.choices());
    r.exposureNanos().forEach((d, n) -> b.addExposure(Exposure.newBuilder().setDriver(d).setNanos(n)));
    for (RunRecord.OopsRecord o : r.oopses()) {
      b.addOopses(OopsRecordProto.newBuilder().setDetector(o.detector()).setTitle(o.title())
          .setSignature(o.signature()).setDriver(o.driver()).setDriverVariant(o.driverVariant())
          .setDevice(o.device()).setTimeNs(o.timeNanos()));
    }
    if (r.internalError() != null) b.setInternalError(r.internalError());
    if (r.errorPaths() != null) {
      b.setErrorPathsRecorded(true);
      r.errorPaths().forEach((s, c) -> b.addErrorPaths(ErrorPathProto.newBuilder().setDriver(s.driver())
          .setVariant(s.variant()).setCall(s.call()).setSite(s.source()).setCalls(c.calls()).setErrors(c.errors())));
    }
    return b.build();
  }

  public static RunRecord record(RunRecordProto p) {
    Map<String, Long> exposure = new TreeMap<>();
    for (Exposure e : p.getExposureList()) exposure.put(e.getDriver(), e.getNanos());
    List<RunRecord.OopsRecord> oopses = new ArrayList<>(p.getOopsesCount());
    for (OopsRecordProto o : p.getOopsesList()) {
      oopses.add(new RunRecord.OopsRecord(o.getDetector(), o.getTitle(), o.getSignature(), o.getDriver(),
          o.getDriverVariant(), o.getDevice(), o.getTimeNs()));
    }
    Map<ErrorPaths.Site, ErrorPaths.Counts> paths = null;
    if (p.getErrorPathsRecorded()) {
      paths = new TreeMap<>();
      for (ErrorPathProto e : p.getErrorPathsList()) {
        paths.merge(new ErrorPaths.Site(e.getDriver(), e.getVariant(), e.getCall(), e.getSite()),
            new ErrorPaths.Counts(e.getCalls(), e.getErrors()), ErrorPaths.Counts::plus);
      }
    }
    return new RunRecord(p.getSeed(), variant("RunRecord.variant", p.getVariant()), p.getOutcome(), p.getVirtualNs(), exposure, oopses,
        p.getProbeFailures(), p.getFaultsInjected(), p.getHotplugEvents(),
        p.hasInternalError() ? p.getInternalError() : null, p.getChoices(), paths);
  }

  public static ResultPage page(CampaignCoordinator.ResultPage m) {
    ResultPage.Builder b = ResultPage.newBuilder().setCampaignId(m.campaignId()).setKnown(m.known())
        .setFrom(m.from()).setDone(m.done()).setPlanned(m.planned()).setFinished(m.finished());
    for (RecordedRun r : m.results()) b.addResults(recorded(r));
    return b.build();
  }

  public static CampaignCoordinator.ResultPage page(ResultPage p) {
    List<RecordedRun> results = new ArrayList<>(p.getResultsCount());
    for (dev.devemu.protocol.v1.RecordedRun r : p.getResultsList()) results.add(recorded(r));
    return new CampaignCoordinator.ResultPage(p.getCampaignId(), p.getKnown(), p.getFrom(), List.copyOf(results),
        p.getDone(), p.getPlanned(), p.getFinished());
  }

  static CampaignProgressProto progress(CampaignCoordinator.CampaignProgress m) {
    return CampaignProgressProto.newBuilder().setCampaignId(m.campaignId()).setKnown(m.known())
        .setScenarioFile(m.scenarioFile()).setPlanned(m.planned()).setDone(m.done()).setFinished(m.finished())
        .addAllDoneByNode(counts(m.doneByNode())).addAllRunningByNode(counts(m.runningByNode()))
        .setDuplicatesIgnored(m.duplicatesIgnored()).setError(m.error()).setCancelled(m.cancelled()).build();
  }

  static CampaignCoordinator.CampaignProgress progress(CampaignProgressProto p) {
    return new CampaignCoordinator.CampaignProgress(p.getCampaignId(), p.getKnown(), p.getScenarioFile(),
        p.getPlanned(), p.getDone(), p.getFinished(), counts(p.getDoneByNodeList()), counts(p.getRunningByNodeList()),
        p.getDuplicatesIgnored(), p.getError(), p.getCancelled());
  }

  static dev.devemu.protocol.v1.CoordinatorSnapshot snapshot(CampaignCoordinator.CoordinatorSnapshot m) {
    dev.devemu.protocol.v1.CoordinatorSnapshot.Builder b = dev.devemu.protocol.v1.CoordinatorSnapshot.newBuilder();
    for (CampaignCoordinator.CampaignSnapshot c : m.campaigns()) {
      dev.devemu.protocol.v1.CampaignSnapshot.Builder cb = dev.devemu.protocol.v1.CampaignSnapshot.newBuilder()
          .setCampaignId(c.campaignId()).setScenarioFile(c.scenarioFile()).setScenarioSource(c.scenarioSource())
          .setDurationNs(c.durationOverrideNanos()).setPlanned(keySet(c.plannedSeeds(), c.plannedOthers()))
          .setRecorded(keySet(c.recordedSeeds(), c.recordedOthers())).setWritten(c.written())
          .addAllDoneByNode(counts(c.doneByNode())).setCancelled(c.cancelled()).setCoverage(c.coverage());
      for (RecordedRun r : c.unwritten()) cb.addUnwritten(recorded(r));
      b.addCampaigns(cb);
    }
    return b.build();
  }

  static CampaignCoordinator.CoordinatorSnapshot snapshot(dev.devemu.protocol.v1.CoordinatorSnapshot p) {
    List<CampaignCoordinator.CampaignSnapshot> out = new ArrayList<>();
    for (dev.devemu.protocol.v1.CampaignSnapshot c : p.getCampaignsList()) {
      List<RecordedRun> unwritten = new ArrayList<>();
      for (dev.devemu.protocol.v1.RecordedRun r : c.getUnwrittenList()) unwritten.add(recorded(r));
      out.add(new CampaignCoordinator.CampaignSnapshot(c.getCampaignId(), c.getScenarioFile(), c.getScenarioSource(),
          c.getDurationNs(), seeds(c.getPlanned()), others(c.getPlanned()), seeds(c.getRecorded()),
          others(c.getRecorded()), List.copyOf(unwritten), c.getWritten(), counts(c.getDoneByNodeList()),
          c.getCancelled(), c.getCoverage()));
    }
    return new CampaignCoordinator.CoordinatorSnapshot(List.copyOf(out));
  }

  private static dev.devemu.protocol.v1.KeySetProto keySet(Map<String, java.util.BitSet> seeds, List<RunKey> others) {
    dev.devemu.protocol.v1.KeySetProto.Builder b = dev.devemu.protocol.v1.KeySetProto.newBuilder();
    for (Map.Entry<String, java.util.BitSet> e : new TreeMap<>(seeds).entrySet()) {
      b.addVariants(dev.devemu.protocol.v1.VariantSeeds.newBuilder().setVariant(e.getKey())
          .setSeeds(com.google.protobuf.ByteString.copyFrom(e.getValue().toByteArray())));
    }
    for (RunKey k : others) b.addOthers(key(k));
    return b.build();
  }

  private static Map<String, java.util.BitSet> seeds(dev.devemu.protocol.v1.KeySetProto p) {
    Map<String, java.util.BitSet> out = new TreeMap<>();
    for (dev.devemu.protocol.v1.VariantSeeds v : p.getVariantsList()) {
      out.put(v.getVariant(), java.util.BitSet.valueOf(v.getSeeds().toByteArray()));
    }
    return out;
  }

  private static List<RunKey> others(dev.devemu.protocol.v1.KeySetProto p) {
    List<RunKey> out = new ArrayList<>();
    for (RunKeyProto k : p.getOthersList()) out.add(key(k));
    return List.copyOf(out);
  }

  private static List<NodeCount> counts(Map<String, Long> m) {
    List<NodeCount> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : new TreeMap<>(m).entrySet()) {
      out.add(NodeCount.newBuilder().setNode(e.getKey()).setRuns(e.getValue()).build());
    }
    return out;
  }

  private static Map<String, Long> counts(List<NodeCount> l) {
    Map<String, Long> m = new TreeMap<>();
    for (NodeCount n : l) m.put(n.getNode(), n.getRuns());
    return m;
  }
}
