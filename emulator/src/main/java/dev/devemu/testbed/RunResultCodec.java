package dev.devemu.testbed;

import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.protocol.v1.Exposure;
import dev.devemu.protocol.v1.OopsReport;
import dev.devemu.protocol.v1.RunResultProto;
import dev.devemu.wire.WireContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link RunResult} (with its {@link Oops} reports) as Protobuf ({@code devemu.v1.RunResultProto}), every field
 * kept: results cross nodes in campaigns and are stored in the coordinator's journal, and a result read back must
 * equal the one written.
 */
public final class RunResultCodec {
  private RunResultCodec() {}

  public static RunResultProto toProto(RunResult r) {
    RunResultProto.Builder b = RunResultProto.newBuilder()
        .setScenario(r.scenario())
        .setSeed(r.seed())
        .setVariant(r.variant())
        .setOutcome(r.outcome())
        .setVirtualNs(r.virtualNanos())
        .setChoices(r.choices())
        .addAllProbeFailures(r.probeFailures())
        .setFaultsInjected(r.faultsInjected())
        .setHotplugEvents(r.hotplugEvents())
        .addAllKernelLog(r.kernelLog());
    for (Oops o : r.oopses()) b.addOopses(toProto(o));
    // Sorted by driver, so that equal results give equal bytes.
    for (Map.Entry<String, Long> e : new TreeMap<>(r.exposureNanos()).entrySet()) {
      b.addExposure(Exposure.newBuilder().setDriver(e.getKey()).setNanos(e.getValue()));
    }
    if (r.internalError() != null) b.setInternalError(r.internalError());
    return b.build();
  }

  public static RunResult fromProto(RunResultProto p) {
    List<Oops> oopses = new ArrayList<>(p.getOopsesCount());
    for (OopsReport o : p.getOopsesList()) oopses.add(fromProto(o));
    Map<String, Long> exposure = new TreeMap<>();
    for (Exposure e : p.getExposureList()) exposure.put(e.getDriver(), e.getNanos());
    return new RunResult(p.getScenario(), p.getSeed(), p.getVariant(), p.getOutcome(), p.getVirtualNs(), p.getChoices(),
        List.copyOf(oopses), Collections.unmodifiableMap(exposure), List.copyOf(p.getProbeFailuresList()),
        p.getFaultsInjected(), p.getHotplugEvents(), List.copyOf(p.getKernelLogList()),
        p.hasInternalError() ? p.getInternalError() : null);
  }

  public static OopsReport toProto(Oops o) {
    return OopsReport.newBuilder()
        .setDetector(o.detector())
        .setTitle(o.title())
        .addAllBody(o.body())
        .setOwner(owner(o.owner()))
        .setTimeNs(o.timeNanos())
        .setCpu(o.cpu())
        .setSignature(o.signature())
        .build();
  }

  public static Oops fromProto(OopsReport p) {
    return new Oops(p.getDetector(), p.getTitle(), List.copyOf(p.getBodyList()), owner(p.getOwner()),
        p.getTimeNs(), p.getCpu(), p.getSignature());
  }

  private static dev.devemu.protocol.v1.Owner owner(Owner o) {
    return dev.devemu.protocol.v1.Owner.newBuilder().setDriver(o.driver()).setVariant(o.variantWord())
        .setDevice(o.device()).build();
  }

  private static Owner owner(dev.devemu.protocol.v1.Owner o) {
    if (o.getDriver().equals("kernel")) return Owner.KERNEL;
    return new Owner(o.getDriver(), o.getVariant().equals("-") ? null : Variant.parse(o.getVariant()), o.getDevice());
  }
}
