package dev.devemu.hw.machine;

import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.sim.Cause;
import dev.devemu.kernel.Dma;
import dev.devemu.uapi.Errno;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.Stamp;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.CrossNode;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The PCIe host bridge's side of DMA: a device asks to read or write a bus address; the bridge translates it
 * (through the IOMMU if one is on, else by the direct map), touches memory — where KASAN watches — and tells
 * the device the transfer is done.
 */
public final class HostBridgeActor {
  private HostBridgeActor() {}

  /** Messages the host bridge understands. */
  public interface Command {}

  /** A device moves {@code length} bytes between itself and {@code busAddress}. */
  public record DmaTransfer(String device, long busAddress, int length, Dma.Direction direction, long tag,
      ActorRef<PciDeviceActor.Command> replyTo, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "DmaTransfer(" + device + ", " + direction + ", " + length + ")";
    }
  }

  public static Behavior<Command> create(Kernel kernel) {
    return Behaviors.receive(Command.class)
        .onMessage(DmaTransfer.class, m -> {
          int status = transfer(kernel, m);
          m.replyTo().tell(new PciDeviceActor.DmaCompleted(m.tag(), status, status == 0 ? m.length() : 0));
          return Behaviors.same();
        })
        .build();
  }

  static int transfer(Kernel kernel, DmaTransfer m) {
    if (kernel.halted()) return -Errno.EIO;
    if (kernel.faults().inject("dma_transfer", m.device())) return -Errno.EIO;
    boolean write = m.direction() != Dma.Direction.TO_DEVICE;
    String what = "tag " + m.tag();
    Stamp by = Stamp.ofActor(m.device(), kernel.now(), m.cause());
    Dma dma = kernel.dma();
    Allocation target;
    long offset;
    Owner owner;
    Dma.Mapping mapping = dma.lookup(m.busAddress());
    if (dma.iommu()) {
      if (mapping == null || m.busAddress() + m.length() > mapping.iova() + mapping.length()) {
        kernel.report(iommuFault(kernel, m, write));
        return -Errno.EIO;
      }
      target = mapping.buffer();
      offset = mapping.offset() + (m.busAddress() - mapping.iova());
      owner = mapping.owner();
    } else {
      long virt = Dma.directMapVirtual(m.busAddress());
      target = kernel.memory().find(virt);
      if (target == null) {
        kernel.report(wild(kernel, m, write, virt));
        return 0;
      }
      offset = virt - target.address();
      owner = mapping != null ? mapping.owner() : target.owner();
    }
    if (!target.live() || offset < 0 || offset + m.length() > target.size()) {
      kernel.report(kernel.detectors().kasan().dmaAccess(m.device(), owner, target, offset, m.length(), write, by,
          what));
    }
    return 0;
  }

  private static Oops iommuFault(Kernel kernel, DmaTransfer m, boolean write) {
    String bdf = m.device().length() > 5 ? m.device().substring(5) : m.device();
    List<String> body = List.of(
        "DMAR: [DMA " + (write ? "Write" : "Read") + " NO_PASID] Request device [" + bdf + "] fault addr 0x"
            + Long.toHexString(m.busAddress()) + " [fault reason 0x0" + (write ? "5" : "6") + "] PTE "
            + (write ? "Write" : "Read") + " access is not set",
        "Causal chain (oldest first):");
    java.util.ArrayList<String> lines = new java.util.ArrayList<>(body);
    if (m.cause() != null) for (Cause c : m.cause().chain()) lines.add(" " + c.line());
    return new Oops("iommu", "DMAR: DRHD: handling fault status reg 2", lines, Owner.KERNEL, kernel.now(),
        Cause.NO_CPU, "iommu:" + (write ? "write" : "read") + ":" + m.device());
  }

  private static Oops wild(Kernel kernel, DmaTransfer m, boolean write, long virt) {
    java.util.ArrayList<String> lines = new java.util.ArrayList<>();
    lines.add("DMA " + (write ? "write" : "read") + " of size " + m.length() + " at addr "
        + String.format("%016x", virt) + " by device " + m.device() + ": no allocated object there");
    lines.add("Causal chain (oldest first):");
    if (m.cause() != null) for (Cause c : m.cause().chain()) lines.add(" " + c.line());
    return new Oops("kasan", "BUG: KASAN: wild-memory-access in dma_" + (write ? "write" : "read") + " by "
        + m.device(), lines, Owner.KERNEL, kernel.now(), Cause.NO_CPU, "kasan:wild:" + m.device());
  }
}
