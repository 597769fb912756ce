package dev.devemu.wire;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.cluster.CampaignCoordinator;
import dev.devemu.cluster.HeldRun;
import dev.devemu.cluster.RecordedRun;
import dev.devemu.cluster.RunRequest;
import dev.devemu.cluster.RunWorker;
import dev.devemu.hw.BusEvents;
import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.hw.pci.HostBridgeActor;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.hw.usb.XhciCore;
import dev.devemu.kernel.CpuActor;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.driver.DriverInstanceActor;
import dev.devemu.kernel.usb.UsbBusActor;
import dev.devemu.sim.Cause;
import dev.devemu.spec.DmaDirection;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.testbed.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One sample of every message that can cross a node, with every field set to a non-default value. A feature
 * that adds a message adds its sample here; the round-trip test fails for a codec without one.
 */
public final class WireSamples {
  private WireSamples() {}

  public static List<Object> all(ActorRef<Object> ref) {
    Cause cause = Cause.root("0000:00:02.0", 1_000, "sample ready").then("irqchip", 1, 2_000, "MSI vector 24");
    @SuppressWarnings({"unchecked", "rawtypes"})
    Function<ActorRef<Object>, ActorRef> any = r -> (ActorRef) r;
    List<Object> out = new ArrayList<>();
    out.add(new IrqChipActor.MsiWrite(0xFEE01000L, 34, "0000:00:02.0", cause));
    out.add(new Cpu.IrqRaised(34, cause));
    out.add(new Cpu.MmioReadCompleted(12, 3, 0xFFFFFFFFL, true));
    out.add(new PciDeviceActor.MmioRead(PciDeviceActor.Space.BAR2, 0x10, 4, 12, 3, any.apply(ref), cause));
    out.add(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, 0x04, 2, 0x406, cause));
    out.add(new PciDeviceActor.DmaCompleted(77, -5, 4096));
    out.add(new PciDeviceActor.Enumerate(any.apply(ref)));
    out.add(new PciDeviceActor.Enumerated(dev.devemu.spec.pci.PciAddress.parse("0000:00:02.0"),
        new byte[] {(byte) 0x86, (byte) 0x80, 0x34, 0x12}, new long[] {4096, 0, 1L << 20}));
    out.add(new PciDeviceActor.SetPresent(false, true));
    // time domains on nodes (link.proto)
    com.google.protobuf.ByteString frame = com.google.protobuf.ByteString.copyFrom(new byte[] {8, 1, 16, 2});
    out.add(new dev.devemu.cluster.DomainNodeMessages.Start(3, "scenario { name = x }", "x.conf", 7,
        List.of("card0", "cam0"), true, 1_000_000, any.apply(ref)));
    out.add(new dev.devemu.cluster.DomainNodeMessages.Started(3, List.of(Long.MAX_VALUE, 500L, -1L), "no such domain"));
    out.add(new dev.devemu.cluster.DomainNodeMessages.Round(3, 12, List.of(1000L, 1500L), List.of(frame),
        any.apply(ref)));
    out.add(new dev.devemu.cluster.DomainNodeMessages.RoundDone(3, 12, List.of(2000L, Long.MAX_VALUE), List.of(frame),
        List.of(new dev.devemu.sim.domain.RemoteDomains.TraceEntry(1, 5, 1200, "pci-0000_00_02.0", "MmioRead(...)", 4,
            "note"), new dev.devemu.sim.domain.RemoteDomains.TraceEntry(2, 6, 1300, "@clock", "tick", -1, null)),
        "round failed"));
    out.add(new dev.devemu.cluster.DomainNodeMessages.End(3, any.apply(ref)));
    out.add(new dev.devemu.cluster.DomainNodeMessages.Ended(3, 1234, 200_000_000, 99));
    out.add(new dev.devemu.hw.usb.UsbDeviceActor.SetPresent(true));
    out.add(new HostBridgeActor.DmaTransfer("0000:00:03.0", 0x1_0000_2000L, 4096, DmaDirection.FROM_DEVICE, 77,
        any.apply(ref), cause));
    out.add(new BusEvents.HotPlug("0000:00:02.0", cause));
    out.add(new BusEvents.HotUnplug("0000:00:02.0", true, cause));
    out.add(new BusEvents.LinkChanged("0000:00:02.0", false, cause));
    out.add(new BusEvents.InterruptBurst("0000:00:02.0", 5000, 10_000, cause));
    out.add(new BusEvents.DeviceStall("0000:00:02.0", true, cause));
    out.add(new DriverInstanceActor.ProbeRequest("0000:00:02.0", "my_pcie", cause));
    out.add(new DriverInstanceActor.RemoveRequest("0000:00:02.0", cause));
    out.add(new DriverInstanceActor.ProbeCompleted("0000:00:02.0", "my_pcie", -19));
    out.add(new DriverInstanceActor.RemoveCompleted("0000:00:02.0", "my_pcie"));
    com.google.protobuf.ByteString setup = com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0x80, 6, 0, 1, 0, 0, 18, 0});
    com.google.protobuf.ByteString payload = com.google.protobuf.ByteString.copyFrom(new byte[] {18, 1, 0x20, 3});
    out.add(new XhciActor.Interrupter(0xFEE01000L, 0x22, cause));
    out.add(new XhciActor.TransferQueued(3, 3, 41, 0x81, true, 4096, 0xffff888100002000L, setup, payload, cause));
    out.add(new XhciActor.CancelTransfer(3, 4, 42, -104, cause));
    out.add(new XhciActor.HostCommand(XhciCore.CommandKind.CONFIGURE_ENDPOINT, 7, 3, 1, 5,
        java.util.List.of(new XhciCore.EndpointContext(0x81, 2, 1024), new XhciCore.EndpointContext(0x02, 2, 1024)),
        cause));
    out.add(new XhciActor.PortConnection(2, true, UsbSpeed.SUPER_PLUS, cause));
    out.add(new XhciActor.UrbReturned(2, -3, -71, 18, payload, cause));
    out.add(new XhciActor.UnlinkReturned(2, 44, -104));
    out.add(new UsbDeviceActor.UrbSubmit(2, 45, 0x02, 4096, setup, payload, any.apply(ref), cause));
    out.add(new UsbDeviceActor.UrbUnlink(2, 46, any.apply(ref)));
    out.add(new UsbBusActor.PortStatusChanged(2, true, UsbSpeed.HIGH, cause));
    clusterSamples(ref, out);
    return out;
  }

  /** A run result with every field set, including an oops blamed on a driver and one blamed on the kernel. */
  public static RunResult sampleResult() {
    Oops uaf = new Oops("kasan", "BUG: KASAN: slab-use-after-free in my_pcie_irq",
        List.of("Read of size 4 at addr ffff888004a1c010 by task irq/34-my_pcie/0", "Freed by task 12:"),
        new Owner("my_pcie", Variant.RAW, "0000:00:02.0"), 4_000_123L, 1, "kasan:slab-use-after-free:my_pcie_irq:read");
    Oops hung = new Oops("hung-task", "INFO: task kworker:7 blocked for more than 1 seconds.", List.of("Not tainted"),
        Owner.KERNEL, 9_000_000L, Cause.NO_CPU, "hung-task:kworker");
    Map<String, Long> exposure = new TreeMap<>();
    exposure.put("my_pcie/raw", 2_000_000L);
    exposure.put("my_pcie/safe", 1_500_000L);
    return new RunResult("cluster-race", 42, "raw", "panic", 4_000_123L, 9876, List.of(uaf, hung), exposure,
        List.of("my_pcie 0000:00:03.0 -12"), 3, 2, List.of("[    0.000001] pci 0000:00:02.0: [1af4:10f0]"),
        "sample internal error");
  }

  private static void clusterSamples(ActorRef<Object> ref, List<Object> out) {
    @SuppressWarnings({"unchecked", "rawtypes"})
    ActorRef<RunWorker.Command> worker = (ActorRef) ref;
    @SuppressWarnings({"unchecked", "rawtypes"})
    ActorRef<CampaignCoordinator.CampaignProgress> progressTo = (ActorRef) ref;
    @SuppressWarnings({"unchecked", "rawtypes"})
    ActorRef<CampaignCoordinator.ResultPage> pageTo = (ActorRef) ref;
    @SuppressWarnings({"unchecked", "rawtypes"})
    ActorRef<CampaignCoordinator.CampaignsReport> reportTo = (ActorRef) ref;
    String node = "pekko://devemu@127.0.0.1:25521";
    RunKey raw = new RunKey(42, dev.devemu.kernel.Variant.RAW);
    RunKey own = new RunKey(-7, null); // a negative seed, and no variant override
    CampaignPlan plan = new CampaignPlan("c-1f2e", "race.conf", "scenario { name = race }", List.of(raw, own), 8_000_000);
    RunRequest request = new RunRequest("c-1f2e", "race.conf", "scenario { name = race }", raw, 8_000_000);
    RecordedRun recorded = new RecordedRun(raw, dev.devemu.campaign.RunRecord.of(raw, sampleResult()), node);
    Map<String, Long> perNode = new TreeMap<>(Map.of(node, 3L, "pekko://devemu@127.0.0.1:25522", 5L));
    CampaignCoordinator.CampaignProgress progress = new CampaignCoordinator.CampaignProgress("c-1f2e", true,
        "race.conf", 10, 8, false, perNode, Map.of(node, 1L), 2, "no error", false);
    out.add(new CampaignCoordinator.WorkRequested(worker, node, 2,
        List.of(new HeldRun("c-1f2e", raw), new HeldRun("c-1f2e", own)), "epoch-1", 17, 4));
    out.add(new RunWorker.WorkAssigned("epoch-1", 18, List.of(request,
        new RunRequest("c-1f2e", "race.conf", "scenario { name = race }", own, 0))));
    out.add(new CampaignCoordinator.RunCompleted(worker, node, "c-1f2e", raw,
        dev.devemu.campaign.RunRecord.of(raw, sampleResult())));
    out.add(new CampaignCoordinator.SubmitCampaign(plan, progressTo));
    out.add(new CampaignCoordinator.GetProgress("c-1f2e", progressTo));
    out.add(new CampaignCoordinator.GetResults("c-1f2e", 100, 50, pageTo));
    out.add(new CampaignCoordinator.GetCampaigns(reportTo));
    out.add(progress);
    out.add(new CampaignCoordinator.CampaignsReport(node, List.of(progress), perNode));
    out.add(new CampaignCoordinator.ResultPage("c-1f2e", true, 100, List.of(recorded), 101, 200, false));
    out.add(new CampaignCoordinator.PlanAccepted(plan));
    // a coverage campaign: its plan, a run request and a record carrying error-path counts (and one that recorded none)
    CampaignPlan coveragePlan = new CampaignPlan("c-2a3b", "race.conf", "scenario { name = race }", List.of(raw), 0, true);
    out.add(new CampaignCoordinator.PlanAccepted(coveragePlan));
    out.add(new RunWorker.WorkAssigned("epoch-1", 19, List.of(new RunRequest("c-2a3b", "race.conf", "scenario { name = race }", raw, 0, true))));
    Map<dev.devemu.kernel.ErrorPaths.Site, dev.devemu.kernel.ErrorPaths.Counts> paths = new TreeMap<>();
    paths.put(new dev.devemu.kernel.ErrorPaths.Site("my_pcie", "raw", "pci_iomap", "RawMyPcie.java:71"),
        new dev.devemu.kernel.ErrorPaths.Counts(3, 1));
    paths.put(new dev.devemu.kernel.ErrorPaths.Site("my_pcie", "raw", "request_irq", "RawMyPcie.java:80"),
        new dev.devemu.kernel.ErrorPaths.Counts(2, 0));
    out.add(new CampaignCoordinator.RunCompleted(worker, node, "c-2a3b", raw,
        dev.devemu.campaign.RunRecord.of(raw, sampleResult()).withErrorPaths(paths)));
    out.add(new CampaignCoordinator.RunCompleted(worker, node, "c-2a3b", raw,
        dev.devemu.campaign.RunRecord.of(raw, sampleResult()).withErrorPaths(Map.of())));
    out.add(new CampaignCoordinator.ResultRecorded("c-1f2e", recorded));
    out.add(new CampaignCoordinator.CancelCampaign("c-1f2e", true, progressTo));
    out.add(new CampaignCoordinator.CampaignProgress("c-1f2e", true, "race.conf", 10, 4, true, perNode, Map.of(), 0, "",
        true));
    out.add(new CampaignCoordinator.ResultsWritten("c-1f2e", 100));
    out.add(new CampaignCoordinator.CampaignCancelled("c-1f2e"));
    out.add(new CampaignCoordinator.RunsReopened("c-1f2e", List.of(raw, own)));
    out.add(new CampaignCoordinator.CampaignDeleted("c-1f2e"));
    java.util.BitSet seeds = new java.util.BitSet();
    seeds.set(1, 70); // across a 64-bit word
    seeds.set(1000);
    java.util.BitSet some = new java.util.BitSet();
    some.set(3);
    out.add(new CampaignCoordinator.CoordinatorSnapshot(List.of(new CampaignCoordinator.CampaignSnapshot("c-1f2e",
        "race.conf", "scenario { name = race }", 8_000_000, new TreeMap<>(Map.of("raw", seeds, "safe", some)),
        List.of(own), new TreeMap<>(Map.of("raw", some)), List.of(), List.of(recorded), 100, perNode, false, true),
        new CampaignCoordinator.CampaignSnapshot("c-2", "b.conf", "x", 0, new TreeMap<>(), List.of(), new TreeMap<>(),
            List.of(), List.of(), 0, new TreeMap<>(), true, false))));
  }
}
