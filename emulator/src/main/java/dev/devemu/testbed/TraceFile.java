package dev.devemu.testbed;

import dev.devemu.kernel.Variant;
import dev.devemu.protocol.v1.Delivery;
import dev.devemu.protocol.v1.Trace;
import dev.devemu.sim.DeliveryTrace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trace on disk: a {@code devemu.v1.Trace} Protobuf message holding the seed, the scenario text and every
 * delivery. It replays in any JVM without the scenario file, and the stock {@code protoc --decode} reads it.
 */
public final class TraceFile {
  public static final int FORMAT_VERSION = 1;

  private TraceFile() {}

  /** What a trace file holds, in Java terms. */
  public record Contents(long seed, String scenarioFile, String scenarioSource, Variant variantOverride,
      String strategy, String sha256, List<DeliveryTrace.Delivery> deliveries, long durationOverrideNanos,
      boolean faultsDisabled, boolean lenient, List<String> droppedFaults) {
    public List<String> choices() {
      List<String> out = new ArrayList<>(deliveries.size());
      for (DeliveryTrace.Delivery d : deliveries) out.add(d.actor());
      return out;
    }
  }

  public static void write(Path path, Contents c) throws IOException {
    Trace.Builder b = Trace.newBuilder()
        .setFormatVersion(FORMAT_VERSION)
        .setSeed(c.seed())
        .setScenarioFile(c.scenarioFile())
        .setScenarioSource(c.scenarioSource())
        .setVariantOverride(c.variantOverride() == null ? "" : c.variantOverride().toString())
        .setStrategy(c.strategy())
        .setTraceSha256(c.sha256() == null ? "" : c.sha256())
        .setDurationOverrideNs(c.durationOverrideNanos())
        .setFaultsDisabled(c.faultsDisabled())
        .setLenient(c.lenient())
        .addAllDroppedFaults(c.droppedFaults());
    for (DeliveryTrace.Delivery d : c.deliveries()) {
      b.addDeliveries(Delivery.newBuilder().setStep(d.step()).setTimeNs(d.timeNanos()).setActor(d.actor())
          .setMessage(d.message()));
    }
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    try (OutputStream out = Files.newOutputStream(path)) {
      b.build().writeTo(out);
    }
  }

  /**
   * Reads a trace file.
   *
   * @throws IOException if the file cannot be read or is not a devemu trace (the message names the file)
   */
  public static Contents read(Path path) throws IOException {
    Trace t;
    try (InputStream in = Files.newInputStream(path)) {
      t = Trace.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(path + ": not a devemu trace file (" + e.getMessage() + ")", e);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(path + ": no such file", e);
    }
    if (t.getFormatVersion() != FORMAT_VERSION || t.getScenarioSource().isEmpty()) {
      throw new IOException(path + ": not a devemu trace file (format version " + t.getFormatVersion()
          + ", scenario " + (t.getScenarioSource().isEmpty() ? "missing" : "present") + ")");
    }
    List<DeliveryTrace.Delivery> deliveries = new ArrayList<>(t.getDeliveriesCount());
    for (Delivery d : t.getDeliveriesList()) {
      deliveries.add(new DeliveryTrace.Delivery(d.getStep(), d.getTimeNs(), d.getActor(), d.getMessage()));
    }
    Variant variantOverride = null;
    if (!t.getVariantOverride().isEmpty()) {
      try {
        variantOverride = Variant.parse(t.getVariantOverride());
      } catch (IllegalArgumentException e) {
        throw new IOException(path + ": variant_override: " + e.getMessage());
      }
    }
    return new Contents(t.getSeed(), t.getScenarioFile(), t.getScenarioSource(), variantOverride, t.getStrategy(),
        t.getTraceSha256(),
        deliveries, t.getDurationOverrideNs(), t.getFaultsDisabled(), t.getLenient(), List.copyOf(t.getDroppedFaultsList()));
  }
}
