package dev.devemu.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.cli.ExitCodes;
import dev.devemu.cli.Subcommand;
import dev.devemu.plugin.bugzoo.BugZoo;
import dev.devemu.plugin.bugzoo.KnownBug;
import dev.devemu.replay.StrategySpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.ExtendedActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code devemu bench}: how fast and how small. Every speed figure is a ratio against a baseline measured in the
 * same process and the same run (best of several alternating rounds after a warm-up); nothing is hard-coded.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure, in one process: (1) deliveries/s of the deterministic lane vs Pekko's default dispatcher "
        + "on the same testbed, one thread each; (2) heap bytes per idle device+driver pair; (3) simulated "
        + "device-hours per wall second of a scenario's campaign with 1 and 2 workers, and the scaling; "
        + "(4) Protobuf round trips per second of the hot messages; (5) a live USB/IP export over loopback: URB "
        + "round trips/s and bulk MB/s against bare TCP, CPU per URB; (6), with --only bugs, bug-finding power on "
        + "the bug zoo (scenarios/bugs): known bugs found per strategy within a seed budget, median seeds and CPU "
        + "seconds to the first report, reports of the corrected drivers on the same seeds; (7), with --only "
        + "coordinator, the campaign coordinator's heap per outstanding run and per unread result, and over a "
        + "campaign whose results a client reads (--coordinator-runs, default 100000). Prints one figure per "
        + "line, the first being 'det/raw ratio=<x>'; --json writes them for machines. See BENCHMARKS.md."})
public final class BenchCommand implements Callable<Integer>, Subcommand {
  /** The figures, in the order they are measured and printed (lower case: they are typed on the command line). */
  enum Figure { dispatch, heap, campaign, serialization, usbip, bugs, domains, coordinator, nodes }

  @Option(names = "--quick", description = "Smaller workloads, so the whole bench takes under a minute.")
  boolean quick;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
  Path json;

  @Option(names = "--scenario", paramLabel = "FILE", defaultValue = "scenarios/article-stress.conf",
      description = "Scenario of the campaign figure, run at its own workload and duration "
          + "(default: ${DEFAULT-VALUE}).")
  Path scenarioFile;

  @Option(names = "--coordinator-runs", paramLabel = "N",
      description = "With the coordinator figure: runs in the measured campaign (default 100000).")
  Integer coordinatorRuns;

  @Option(names = "--only", paramLabel = "FIGURE", split = ",",
      description = "Measure only these figures: ${COMPLETION-CANDIDATES} (default: all but bugs).")
  Set<Figure> only;

  @Option(names = "--bug-seeds", paramLabel = "N",
      description = "With the bugs figure: seeds tried per known bug and strategy (default 50; --quick 10).")
  Integer bugSeeds;

  @Option(names = "--bug-clean-seeds", paramLabel = "N",
      description = "With the bugs figure: seeds each correct driver runs per bug scenario and strategy "
          + "(default: --bug-seeds; 0 skips the false-positive count).")
  Integer bugCleanSeeds;

  @Option(names = "--bug-strategies", paramLabel = "LIST", split = ",",
      description = "With the bugs figure: the strategies compared (default random,pct:1,pct:2,pct:3; --quick random,pct:3); "
          + "a +swarm suffix (random+swarm) draws each seed's own fault plan, a +steer suffix (pct:3+steer) lets the "
          + "strategy decide the fault points.")
  List<String> bugStrategies;

  @Option(names = "--bugs-dir", paramLabel = "DIR", defaultValue = "scenarios/bugs",
      description = "With the bugs figure: the bug zoo's scenarios (default: ${DEFAULT-VALUE}).")
  Path bugsDir;

  @Option(names = "--bug", paramLabel = "ID", split = ",",
      description = "With the bugs figure: only these known bugs (ids such as pcie/teardown-order, or a part of one).")
  List<String> bugIds;

  // Sizes, for tests that check the bench runs (tiny) and for people who want a longer measurement.
  @Option(names = "--dispatch-samples", hidden = true) Long dispatchSamples;
  @Option(names = "--heap-pairs", hidden = true, split = ",") int[] heapPairs;
  @Option(names = "--campaign-seeds", hidden = true) Integer campaignSeeds;
  @Option(names = "--rounds", hidden = true) Integer rounds;
  @Option(names = "--warmup-ms", hidden = true) Long warmupMillis;
  @Option(names = "--serialization-ms", hidden = true) Long serializationMillis;
  @Option(names = "--usbip-ms", hidden = true) Long usbipMillis;
  @Option(names = "--domain-taps", hidden = true) Integer domainTaps;
  @Option(names = "--domain-cards", hidden = true) Integer domainCards;
  @Option(names = "--domain-us", hidden = true) Long domainMicros;
  @Option(names = "--heap-histogram", paramLabel = "LINES",
      description = "With the heap figure: print the top LINES of the live-object class histogram at the largest size.")
  Integer heapHistogram;
  @Option(names = "--heap-dump", paramLabel = "FILE", hidden = true,
      description = "With the heap figure: write an HPROF heap dump at the largest size (for a heap analyser).")
  Path heapDump;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // The bug-finding figure runs thousands of simulations: only on request (--only bugs).
    // ... and so does the coordinator's heap over a 100,000-run campaign (--only coordinator).
    Set<Figure> figures = only == null || only.isEmpty()
        ? EnumSet.complementOf(EnumSet.of(Figure.bugs, Figure.coordinator, Figure.nodes)) : EnumSet.copyOf(only);
    String scenarioSource = null;
    Scenario scenario = null;
    if (figures.contains(Figure.campaign) || figures.contains(Figure.coordinator)) {
      try {
        scenarioSource = Files.readString(scenarioFile, StandardCharsets.UTF_8);
        scenario = ScenarioLoader.parse(scenarioFile.toString(), scenarioSource);
      } catch (java.nio.file.NoSuchFileException e) {
        err.println("devemu: " + scenarioFile + ": no such file");
        return ExitCodes.BAD_INPUT;
      } catch (ScenarioException | IOException e) {
        err.println("devemu: " + e.getMessage());
        return ExitCodes.BAD_INPUT;
      }
    }
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("quick", quick);
    ObjectNode machine = root.putObject("machine");
    machine.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    int rounds = this.rounds != null ? this.rounds : quick ? 3 : 5;
    long warmup = warmupMillis != null ? warmupMillis : quick ? 2_000 : 10_000;

    if (figures.contains(Figure.dispatch)) dispatch(out, root, rounds, warmup);
    if (figures.contains(Figure.heap)) heap(out, root);
    if (figures.contains(Figure.campaign)) campaign(out, root, scenario, scenarioSource, rounds, warmup);
    if (figures.contains(Figure.serialization)) serialization(out, root);
    if (figures.contains(Figure.usbip)) usbip(out, root);
    if (figures.contains(Figure.domains)) domains(out, root, this.rounds != null ? this.rounds : quick ? 5 : 11);
    if (figures.contains(Figure.nodes)) nodes(out, root, rounds);
    if (figures.contains(Figure.coordinator)) coordinator(out, root, scenario, scenarioSource);
    if (figures.contains(Figure.bugs)) {
      Integer rc = bugs(out, err, root);
      if (rc != null) return rc;
    }

    machine.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("cpu", cpuModel());
    machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    machine.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    List<String> gcs = new ArrayList<>();
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) gcs.add(gc.getName());
    machine.put("gc", String.join(", ", gcs));
    machine.put("jvmArguments", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    out.printf("machine: %d cores (%s), %s, %s, max heap %d MiB, GC %s, load average %.2f -> %.2f%n",
        Runtime.getRuntime().availableProcessors(), machine.get("cpu").asText(), machine.get("java").asText(),
        machine.get("os").asText(), Runtime.getRuntime().maxMemory() >> 20, machine.get("gc").asText(),
        machine.get("loadAverageAtStart").asDouble(), machine.get("loadAverageAtEnd").asDouble());
    out.flush();
    if (json != null) mapper.writeValue(json.toFile(), root);
    return ExitCodes.OK;
  }

  private void dispatch(PrintWriter out, ObjectNode root, int rounds, long warmup) throws InterruptedException {
    int cpus = 4;
    int devices = 16;
    long budget = dispatchSamples != null ? dispatchSamples : quick ? 5_000 : 20_000;
    DispatchBench.Result d = DispatchBench.run(cpus, devices, budget, warmup, rounds);
    out.printf("det/raw ratio=%.2f det=%.0f default-dispatcher=%.0f deliveries per CPU second; wall-clock ratio=%.2f; "
            + "same samples in %.2fx the dispatcher's CPU time (my_pcie safe on %d closed-loop devices x %d samples, "
            + "%d cpus: %d and %d deliveries, %.0f and %.0f bytes allocated per delivery; one thread each, best of %d; "
            + "default dispatcher with throughput 1 as on the lane: %.0f)%n",
        d.ratio(), d.det().perCpuSecond(), d.live().perCpuSecond(), d.wallRatio(), 1 / d.workRatio(), devices, budget,
        cpus, d.det().deliveries(), d.live().deliveries(), d.det().bytesPerDelivery(), d.live().bytesPerDelivery(),
        rounds, d.liveOne().perCpuSecond());
    out.flush();
    ObjectNode n = root.putObject("dispatch");
    n.put("ratio", d.ratio());
    n.put("deterministicDeliveriesPerCpuSecond", d.det().perCpuSecond());
    n.put("defaultDispatcherDeliveriesPerCpuSecond", d.live().perCpuSecond());
    n.put("wallClockRatio", d.wallRatio());
    n.put("deterministicDeliveriesPerWallSecond", d.detWallRate());
    n.put("defaultDispatcherDeliveriesPerWallSecond", d.liveWallRate());
    n.put("deterministicDeliveries", d.det().deliveries());
    n.put("defaultDispatcherDeliveries", d.live().deliveries());
    n.put("deterministicCpuSeconds", d.det().cpuNanos() / 1e9);
    n.put("defaultDispatcherCpuSeconds", d.live().cpuNanos() / 1e9);
    n.put("defaultDispatcherThroughput1DeliveriesPerCpuSecond", d.liveOne().perCpuSecond());
    n.put("deterministicBytesAllocatedPerDelivery", d.det().bytesPerDelivery());
    n.put("defaultDispatcherBytesAllocatedPerDelivery", d.live().bytesPerDelivery());
    n.put("cpus", cpus);
    n.put("devices", devices);
    n.put("samplesPerDevice", budget);
    n.put("rounds", rounds);
  }

  /** Figure 7: the coordinator's heap, per outstanding run and per unread result, and flat while a client reads. */
  private void coordinator(PrintWriter out, ObjectNode root, Scenario scenario, String source) throws Exception {
    int runs = coordinatorRuns != null ? coordinatorRuns : 100_000;
    dev.devemu.campaign.RunRecord record;
    try (SimHost host = SimHost.start("bench-coordinator", 1)) { // one real result: what every run reports
      record = dev.devemu.campaign.CampaignRun.record(host, 0, scenario, new dev.devemu.campaign.RunKey(1, dev.devemu.kernel.Variant.RAW), 0,
          "bench");
    }
    // The node's INFO lines (up, campaign accepted) would interleave with the figures.
    if (org.slf4j.LoggerFactory.getLogger("dev.devemu.cluster") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.WARN);
    }
    Path dir = Files.createTempDirectory("devemu-bench-coordinator");
    try {
      dev.devemu.cluster.CoordinatorHeapBench.Result r = dev.devemu.cluster.CoordinatorHeapBench.run(dir, runs, Math.min(runs, 10_000), source,
          record, line -> {
            out.println(line);
            out.flush();
          });
      long first = r.readingClient().get(0)[1];
      long last = r.readingClient().get(r.readingClient().size() - 1)[1];
      out.printf("coordinator bytes/outstanding run=%.0f, bytes/unread result=%.0f (a result is %d bytes as "
          + "Protobuf), heap with a reading client at %d results %d MiB, at %d results %d MiB (ratio %.2f)%n",
          r.bytesPerOutstandingRun(), r.bytesPerUnreadResult(), r.resultBytes(), r.readingClient().get(0)[0],
          first >> 20, r.readingClient().get(r.readingClient().size() - 1)[0], last >> 20, last / (double) first);
      out.flush();
      ObjectNode n = root.putObject("coordinator");
      n.put("runs", runs);
      n.put("bytesPerOutstandingRun", r.bytesPerOutstandingRun());
      n.put("bytesPerUnreadResult", r.bytesPerUnreadResult());
      n.put("resultProtobufBytes", r.resultBytes());
      n.put("baselineBytes", r.baseline());
      ArrayNode points = n.putArray("readingClient");
      for (long[] p : r.readingClient()) points.addObject().put("results", p[0]).put("usedBytes", p[1]);
      n.put("notReadAtEndBytes", r.notReadAtEnd());
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void heap(PrintWriter out, ObjectNode root) {
    ArrayNode heap = root.putArray("heap");
    int[] sizes = heapPairs != null ? heapPairs : quick ? new int[] {10_000} : new int[] {10_000, 100_000};
    try (SimHost host = SimHost.start("bench-heap", 1)) {
      int floorActors = sizes[0];
      double perActor = HeapBench.bytesPerIdleActor(host, floorActors);
      out.printf("heap bytes/actor=%.0f for an idle Pekko typed actor as the testbed spawns them (%d actors): "
          + "the floor under each pair, which has two%n", perActor, floorActors);
      out.flush();
      root.put("heapBytesPerIdleTypedActor", perActor);
      for (int i = 0; i < sizes.length; i++) {
        int pairs = sizes[i];
        boolean last = i == sizes.length - 1;
        HeapBench.Result h = HeapBench.run(host, pairs, !last || (heapHistogram == null && heapDump == null) ? null
            : text -> {
              if (heapHistogram != null) text.lines().limit(heapHistogram + 3L).forEach(out::println);
              if (heapDump != null) HeapBench.dumpHeap(heapDump);
            });
        out.printf("heap bytes/pair=%.0f at %d pairs (%d bound, idle; used %d MiB after full GC, "
            + "empty testbed %d MiB)%n",
            h.bytesPerPair(), pairs, h.boundPairs(), h.usedBytes() >> 20, h.baselineBytes() >> 20);
        out.flush();
        ObjectNode n = heap.addObject();
        n.put("pairs", pairs);
        n.put("bound", h.boundPairs());
        n.put("bytesPerPair", h.bytesPerPair());
        n.put("usedBytes", h.usedBytes());
        n.put("baselineBytes", h.baselineBytes());
      }
    }
  }

  private void campaign(PrintWriter out, ObjectNode root, Scenario scenario, String source, int rounds,
      long warmup) throws InterruptedException {
    int seeds = campaignSeeds != null ? campaignSeeds : quick ? 12 : 40;
    CampaignBench.Result c = CampaignBench.run(scenarioFile.toString(), source, seeds, warmup, rounds);
    double target = 10_000;
    out.printf("campaign device-hours/s=%.1f workers=1 (%s, seeds 1..%d raw+safe: %d runs, %.1f device-h, %.0f "
            + "choices per device-h; best of %d; %.2f cores busy)%n",
        c.oneWorkerDeviceHoursPerSecond(), scenario.name(), seeds, c.runs(), c.deviceHours(), c.choicesPerDeviceHour(),
        rounds, c.oneWorkerCores());
    out.printf("campaign device-hours/s=%.1f workers=2 (%.0f device-hours in %.0f s; %.2f cores busy)%n",
        c.twoWorkerDeviceHoursPerSecond(), target, c.secondsFor(target), c.twoWorkerCores());
    double needed = c.deviceHoursForTarget(target);
    out.printf("campaign --device-hours %.0f simulates about %.0f device-hours (each variant runs the seeds it "
            + "needs): about %.0f s at 2 workers%n", target, needed, c.secondsFor(needed));
    out.printf("campaign scaling=%.2f (2 workers vs 1, same seeds, identical results; device-hours per CPU second "
            + "2 vs 1 worker %.2f; GC %.1f s in %.1f s measured; %.0f bytes allocated per choice; warm-up %.0f s, JIT busy %.0f%% of its last pair%s)%n",
        c.scaling(), c.perCoreEfficiency(), c.gcSeconds(), c.measuredSeconds(), c.allocatedBytesPerChoice(),
        c.warmupSeconds(), 100 * c.jitShare(), c.jitSettled() ? "" : ": still compiling, the scaling is understated");
    out.flush();
    ObjectNode n = root.putObject("campaign");
    n.put("scenarioFile", scenarioFile.toString());
    n.put("scenario", scenario.name());
    n.put("seeds", seeds);
    n.put("runs", c.runs());
    n.put("deviceHours", c.deviceHours());
    n.put("choices", c.choices());
    n.put("choicesPerDeviceHour", c.choicesPerDeviceHour());
    n.put("oneWorkerSeconds", c.oneWorkerSeconds());
    n.put("twoWorkerSeconds", c.twoWorkerSeconds());
    n.put("oneWorkerDeviceHoursPerSecond", c.oneWorkerDeviceHoursPerSecond());
    n.put("twoWorkerDeviceHoursPerSecond", c.twoWorkerDeviceHoursPerSecond());
    n.put("scaling", c.scaling());
    n.put("secondsFor10000DeviceHours", c.secondsFor(target));
    n.put("deviceHoursSimulatedByDeviceHours10000", needed);
    n.put("secondsForDeviceHours10000Campaign", c.secondsFor(needed));
    n.put("perCoreEfficiency", c.perCoreEfficiency());
    ObjectNode byVariant = n.putObject("deviceHoursByVariant");
    c.deviceHoursByVariant().forEach((v, hours) -> byVariant.put(v.toString(), hours));
    n.put("gcSeconds", c.gcSeconds());
    n.put("allocatedBytesPerChoice", c.allocatedBytesPerChoice());
    n.put("oneWorkerCoresBusy", c.oneWorkerCores());
    n.put("twoWorkerCoresBusy", c.twoWorkerCores());
    n.put("rounds", rounds);
    n.put("warmupSeconds", c.warmupSeconds());
    n.put("jitSettled", c.jitSettled());
    n.put("jitShareOfLastWarmupPair", c.jitShare());
  }

  /** Figure 7b: time domains with the devices on another node (Artery on loopback) vs one JVM. */
  private void nodes(PrintWriter out, ObjectNode root, int rounds) {
    NodesBench.Result r;
    try {
      r = NodesBench.run(Path.of("scenarios", "pcie-domains.conf"), 7,
          (quick ? 10 : 50) * dev.devemu.sim.VirtualClock.MILLISECOND, Math.max(1, Math.min(rounds, 3)));
    } catch (Exception e) {
      throw new IllegalStateException("nodes bench: " + e.getMessage(), e);
    }
    out.printf("nodes: %s seed %d, %.0f ms simulated, best of %d, same trace %s: one JVM %.3f s, devices on "
            + "another actor system without network %.3f s, devices on another node over Artery %.3f s%n",
        r.scenario(), r.seed(), r.simulatedSeconds() * 1e3, r.rounds(), r.traceSha256().substring(0, 16), r.wallOne(),
        r.wallInProcess(), r.wallArtery());
    out.printf("nodes: deliveries/s one JVM=%.0f, 2 nodes=%.0f (ratio %.3f); link messages/s one JVM=%.0f, 2 nodes=%.0f;"
            + " rounds per simulated second=%.0f; per round over Artery=%.1f us; wire share of the 2-node time=%.2f,"
            + " round-trip share=%.2f%n",
        r.deliveriesPerSecond(r.wallOne()), r.deliveriesPerSecond(r.wallArtery()), r.wallOne() / r.wallArtery(),
        r.crossingsPerSecond(r.wallOne()), r.crossingsPerSecond(r.wallArtery()), r.windowsPerSimulatedSecond(),
        r.roundTripMicros(), (r.wallInProcess() - r.wallOne()) / r.wallArtery(),
        (r.wallArtery() - r.wallInProcess()) / r.wallArtery());
    ObjectNode n = root.putObject("nodes");
    n.put("scenario", r.scenario());
    n.put("seed", r.seed());
    n.put("simulatedSeconds", r.simulatedSeconds());
    n.put("wallSecondsOneJvm", r.wallOne());
    n.put("wallSecondsInProcessHost", r.wallInProcess());
    n.put("wallSecondsTwoNodes", r.wallArtery());
    n.put("deliveries", r.deliveries());
    n.put("linkMessages", r.crossings());
    n.put("rounds", r.windows());
    n.put("traceSha256", r.traceSha256());
  }

  private void domains(PrintWriter out, ObjectNode root, int rounds) {
    DomainBench.Result r = DomainBench.run(domainCards != null ? domainCards : 4,
        domainTaps != null ? domainTaps : 32768, domainMicros != null ? domainMicros : quick ? 5_000 : 20_000, rounds);
    out.printf("domains: %d cards x %d filter taps, %.0f ms simulated, same trace %s on every run%n", r.cards(),
        r.taps(), r.durationNanos() / 1e6, r.traceSha256().substring(0, 16));
    out.printf("domains: speed-up 2 lanes over 1 (wall) = %.2f median of %d alternations %s, best-of %.2f "
            + "(1 lane %.3f s CPU %.3f s, 2 lanes %.3f s CPU %.3f s); load average %.2f -> %.2f%n",
        r.medianRatio(), r.rounds(), java.util.Arrays.toString(java.util.Arrays.stream(r.ratios())
            .mapToObj(x -> String.format(java.util.Locale.ROOT, "%.2f", x)).toArray()),
        r.speedup(), r.wall1(), r.cpu1(), r.wall2(), r.cpu2(), r.loadBefore(), r.loadAfter());
    out.printf("domains: rounds per simulated second=%.0f, of which barriers (handed to the 2nd lane)=%.0f, "
            + "link messages per simulated second=%.0f, deliveries=%d, domains on 1 lane vs no domains (window "
            + "cost)=%.2f%n", r.windowsPerSimulatedSecond(), r.barriersPerSimulatedSecond(),
        r.crossingsPerSimulatedSecond(), r.deliveries(), r.windowCost());
    ObjectNode n = root.putObject("domains");
    n.put("cards", r.cards());
    n.put("filterTaps", r.taps());
    n.put("simulatedSeconds", r.durationNanos() / 1e9);
    n.put("rounds", r.rounds());
    n.put("wallSeconds1Lane", r.wall1());
    n.put("wallSeconds2Lanes", r.wall2());
    n.put("cpuSeconds1Lane", r.cpu1());
    n.put("cpuSeconds2Lanes", r.cpu2());
    n.put("speedup2Over1", r.speedup());
    n.put("speedup2Over1Median", r.medianRatio());
    ArrayNode ratios = n.putArray("speedup2Over1PerAlternation");
    for (double x : r.ratios()) ratios.add(x);
    n.put("loadAverageBefore", r.loadBefore());
    n.put("loadAverageAfter", r.loadAfter());
    n.put("barriersPerSimulatedSecond", r.barriersPerSimulatedSecond());
    n.put("wallSecondsWithoutDomains", r.plainWall());
    n.put("windowCost", r.windowCost());
    n.put("windowsPerSimulatedSecond", r.windowsPerSimulatedSecond());
    n.put("linkMessagesPerSimulatedSecond", r.crossingsPerSimulatedSecond());
    n.put("traceSha256", r.traceSha256());
    out.flush();
  }

  private void usbip(PrintWriter out, ObjectNode root) throws IOException {
    ArrayNode figures = root.putArray("usbip");
    for (dev.devemu.usbip.UsbipBench.Result r : dev.devemu.usbip.UsbipBench.run(
        usbipMillis != null ? usbipMillis : quick ? 500 : 2000)) {
      out.printf("usbip %s: %.1f %s, bare TCP %.1f, ratio=%.3f, process CPU %.1f us/URB%n", r.name(), r.value(),
          r.unit(), r.baseline(), r.ratio(), r.cpuMicrosPerUrb());
      ObjectNode n = figures.addObject();
      n.put("figure", r.name());
      n.put("unit", r.unit());
      n.put("value", r.value());
      n.put("bareTcp", r.baseline());
      n.put("ratio", r.ratio());
      n.put("processCpuMicrosPerUrb", r.cpuMicrosPerUrb());
    }
    out.flush();
  }

  private void serialization(PrintWriter out, ObjectNode root) throws Exception {
    ArrayNode ser = root.putArray("serialization");
    try (SimHost host = SimHost.start("bench-wire", 1)) {
      ExtendedActorSystem system = (ExtendedActorSystem) host.system().classicSystem();
      List<SerializationBench.Result> results = SerializationBench.run(system, SerializationBench.hotMessages(system),
          serializationMillis != null ? serializationMillis : quick ? 300 : 1000);
      for (SerializationBench.Result r : results) {
        out.printf("protobuf %s round-trips/s=%.0f bare=%.0f ratio=%.2f (per CPU second; %d bytes)%n", r.message(),
            r.serializerPerSecond(), r.barePerSecond(), r.ratio(), r.bytes());
        ObjectNode n = ser.addObject();
        n.put("message", r.message());
        n.put("bytes", r.bytes());
        n.put("roundTripsPerSecond", r.serializerPerSecond());
        n.put("bareRoundTripsPerSecond", r.barePerSecond());
        n.put("ratio", r.ratio());
      }
    }
    out.flush();
  }

  private Integer bugs(PrintWriter out, PrintWriter err, ObjectNode root) throws IOException {
    List<StrategySpec> strategies = new ArrayList<>();
    List<String> names = bugStrategies != null ? bugStrategies
        : quick ? List.of("random", "pct:3") : List.of("random", "pct:1", "pct:2", "pct:3");
    for (String name : names) {
      try {
        StrategySpec spec = StrategySpec.parse(name);
        if (spec.resolved() && spec.isPct()) {
          err.println("devemu: --bug-strategies: " + name + ": give PCT without K (it is measured per scenario)");
          return ExitCodes.BAD_INPUT;
        }
        strategies.add(spec);
      } catch (IllegalArgumentException e) {
        err.println("devemu: --bug-strategies: " + e.getMessage());
        return ExitCodes.BAD_INPUT;
      }
    }
    int seeds = bugSeeds != null ? bugSeeds : quick ? 10 : 50;
    int cleanSeeds = bugCleanSeeds != null ? bugCleanSeeds : seeds;
    if (seeds < 1 || cleanSeeds < 0) {
      err.println("devemu: --bug-seeds must be at least 1 and --bug-clean-seeds at least 0");
      return ExitCodes.BAD_INPUT;
    }
    List<KnownBug> bugs = new ArrayList<>();
    for (KnownBug b : BugZoo.BUGS) {
      if (bugIds == null || bugIds.stream().anyMatch(id -> b.id().contains(id))) bugs.add(b);
    }
    if (bugs.isEmpty()) {
      err.println("devemu: --bug: no known bug matches " + bugIds);
      return ExitCodes.BAD_INPUT;
    }
    for (KnownBug b : bugs) {
      Path file = bugsDir.resolve(b.scenario());
      if (!Files.isReadable(file)) {
        err.println("devemu: " + file + ": no such file (the scenario of known bug " + b.id() + "; see --bugs-dir)");
        return ExitCodes.BAD_INPUT;
      }
    }
    out.printf("bug zoo: %d known bugs (%s), seeds 1..%d per bug and strategy; corrected drivers on seeds 1..%d%n",
        bugs.size(), bugs.stream().map(KnownBug::bus).distinct().collect(java.util.stream.Collectors.joining(", ")),
        seeds, cleanSeeds);
    out.flush();
    List<BugBench.PerStrategy> results;
    try (SimHost host = SimHost.start("bench-bugs", 1)) {
      results = BugBench.run(host, bugsDir, bugs, strategies, seeds, cleanSeeds, true, line -> {
        out.println(line);
        out.flush();
      });
    } catch (ScenarioException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    ObjectNode n = root.putObject("bugs");
    n.put("knownBugs", bugs.size());
    n.put("seedBudget", seeds);
    n.put("cleanSeeds", cleanSeeds);
    ArrayNode per = n.putArray("strategies");
    for (BugBench.PerStrategy r : results) {
      out.printf("bugs %s found=%d/%d within %d seeds, median seeds to first report=%s, median CPU s to first "
              + "report=%s; false positives: corrected zoo drivers %d of %d runs (%d not bound), safe samples %d of "
              + "%d runs (%d not bound; their documented shared bugs aside)%n",
          r.strategy(), r.found(), bugs.size(), seeds, fmt(r.medianSeeds(), "%.1f"), fmt(r.medianCpuSeconds(), "%.2f"),
          r.falsePositives(true), r.cleanRuns(true), r.notBoundRuns(true), r.falsePositives(false) - r.falsePositives(true),
          r.cleanRuns(false) - r.cleanRuns(true), r.notBoundRuns(false) - r.notBoundRuns(true));
      ObjectNode s = per.addObject();
      s.put("strategy", r.strategy().toString());
      s.put("found", r.found());
      s.put("medianSeedsToFirstReport", r.medianSeeds());
      s.put("medianCpuSecondsToFirstReport", r.medianCpuSeconds());
      s.put("falsePositiveRunsZoo", r.falsePositives(true));
      s.put("cleanRunsZoo", r.cleanRuns(true));
      s.put("notBoundRunsZoo", r.notBoundRuns(true));
      s.put("falsePositiveRunsSafeSamples", r.falsePositives(false) - r.falsePositives(true));
      s.put("cleanRunsSafeSamples", r.cleanRuns(false) - r.cleanRuns(true));
      s.put("notBoundRunsSafeSamples", r.notBoundRuns(false) - r.notBoundRuns(true));
      ArrayNode list = s.putArray("bugs");
      for (BugBench.Search b : r.searches()) {
        ObjectNode o = list.addObject();
        o.put("id", b.bug().id());
        o.put("class", b.bug().bugClass());
        o.put("found", b.found());
        o.put("seedsToFirstReport", b.seedsToFirst());
        o.put("cpuSecondsToFirstReport", b.cpuSecondsToFirst());
        o.put("strategy", b.strategy().toString());
        if (b.firstSignature() != null) o.put("signature", b.firstSignature());
      }
      ArrayNode cl = s.putArray("correctDrivers");
      for (BugBench.Clean c : r.clean()) {
        if (c.runsWithReports() == 0) continue;
        ObjectNode o = cl.addObject();
        o.put("bug", c.bug().id());
        o.put("driver", c.driver());
        o.put("runsWithReports", c.runsWithReports());
        o.put("runs", c.runs());
        ObjectNode sig = o.putObject("reports");
        c.reports().forEach(sig::put);
      }
    }
    out.flush();
    return null;
  }

  private static String fmt(double v, String format) {
    return Double.isNaN(v) ? "-" : String.format(format, v);
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the OS line says enough
    }
    return System.getProperty("os.arch");
  }
}
