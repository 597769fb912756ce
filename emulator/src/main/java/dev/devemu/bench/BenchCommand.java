package dev.devemu.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.sim.SimHost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code devemu bench}: how fast and how small, each figure a ratio against a baseline run in this process. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure delivery throughput (deterministic lane vs Pekko's default dispatcher), heap per "
        + "device+driver pair, and Protobuf round trips. Prints one figure per line; --json writes them for machines.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "Smaller workloads so the whole bench takes under a minute.")
  boolean quick;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
  Path json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("quick", quick);
    root.put("cores", Runtime.getRuntime().availableProcessors());
    root.put("java", System.getProperty("java.version"));

    int devices = quick ? 8 : 16;
    long budget = quick ? 2_000 : 10_000;
    DispatchBench.Result d = DispatchBench.run(4, devices, budget, quick ? 3 : 5);
    out.printf("det/raw ratio=%.2f det=%.0f deliveries/s default-dispatcher=%.0f deliveries/s (%d devices x %d samples, %d deliveries, 1 thread each)%n",
        d.ratio(), d.detDeliveriesPerSecond(), d.liveDeliveriesPerSecond(), devices, budget, d.choices());
    out.flush();
    ObjectNode dispatch = root.putObject("dispatch");
    dispatch.put("ratio", d.ratio());
    dispatch.put("deterministicDeliveriesPerSecond", d.detDeliveriesPerSecond());
    dispatch.put("defaultDispatcherDeliveriesPerSecond", d.liveDeliveriesPerSecond());
    dispatch.put("deliveries", d.choices());
    dispatch.put("devices", devices);
    dispatch.put("samplesPerDevice", budget);

    ArrayNode heap = root.putArray("heap");
    int[] sizes = quick ? new int[] {10_000} : new int[] {10_000, 100_000};
    try (SimHost host = SimHost.start("bench-heap", 1)) {
      for (int pairs : sizes) {
        HeapBench.Result h = HeapBench.run(host, pairs);
        out.printf("heap bytes/pair=%.0f at %d pairs (%d bound; used %d MiB, empty testbed %d MiB)%n", h.bytesPerPair(),
            pairs, h.boundPairs(), h.usedBytes() >> 20, h.baselineBytes() >> 20);
        out.flush();
        ObjectNode n = heap.addObject();
        n.put("pairs", pairs);
        n.put("bound", h.boundPairs());
        n.put("bytesPerPair", h.bytesPerPair());
        n.put("usedBytes", h.usedBytes());
        n.put("baselineBytes", h.baselineBytes());
      }

      ArrayNode ser = root.putArray("serialization");
      List<SerializationBench.Result> results = SerializationBench.run(
          (org.apache.pekko.actor.ExtendedActorSystem) host.system().classicSystem(), SerializationBench.hotMessages(),
          quick ? 300 : 1000);
      for (SerializationBench.Result r : results) {
        out.printf("protobuf %s round-trips/s=%.0f bare=%.0f ratio=%.2f%n", r.message(), r.serializerPerSecond(),
            r.barePerSecond(), r.ratio());
        ObjectNode n = ser.addObject();
        n.put("message", r.message());
        n.put("roundTripsPerSecond", r.serializerPerSecond());
        n.put("bareRoundTripsPerSecond", r.barePerSecond());
        n.put("ratio", r.ratio());
      }
    }
    out.flush();
    if (json != null) mapper.writeValue(json.toFile(), root);
    return 0;
  }
}
