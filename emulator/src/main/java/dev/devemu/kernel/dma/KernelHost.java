package dev.devemu.kernel.dma;

import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.machine.Host;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Stamp;
import dev.devemu.kernel.detect.Detectors;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.sim.Cause;
import dev.devemu.sim.VirtualClock;
import dev.devemu.spec.DmaDirection;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The kernel as the machine's hardware sees it ({@link Host}): its clock and CPUs, its log, and memory as bus
 * masters reach it — a device's DMA through the host bridge (translated by the IOMMU's tables, or by the direct
 * map) and a host controller's access to the buffers the kernel handed it. The hardware only asks; what lives at
 * an address, and whether touching it is a bug, is the kernel's knowledge, so the checks live here.
 */
public final class KernelHost implements Host {
  public static final Kernel.Key<KernelHost> KEY = new Kernel.Key<>("host");

  /** The face {@code kernel} shows the hardware. */
  public static KernelHost of(Kernel kernel) {
    return kernel.subsystem(KEY);
  }

  private final Kernel kernel;

  public KernelHost(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public VirtualClock clock() {
    return kernel.clock();
  }

  @Override
  public long now() {
    return kernel.now();
  }

  @Override
  public boolean halted() {
    return kernel.halted();
  }

  @Override
  public void log(String line) {
    kernel.printk(line);
  }

  @Override
  public int cpuCount() {
    return kernel.cpuCount();
  }

  @Override
  public ActorRef<Cpu.Message> cpu(int apicId) {
    return kernel.cpu(apicId);
  }

  @Override
  public int dmaTransfer(String device, long busAddress, int length, DmaDirection direction, long tag, Cause cause) {
    if (kernel.halted()) return -Errno.EIO;
    if (kernel.faults().inject("dma_transfer", device)) return -Errno.EIO;
    boolean write = direction != DmaDirection.TO_DEVICE;
    String what = "tag " + tag;
    Stamp by = Stamp.ofActor(device, kernel.now(), cause);
    Dma dma = Dma.of(kernel);
    Allocation target;
    long offset;
    Owner owner;
    Dma.Mapping mapping = dma.lookup(busAddress);
    if (dma.iommu()) {
      if (mapping == null || busAddress + length > mapping.iova() + mapping.length()) {
        kernel.report(iommuFault(device, busAddress, write, cause));
        return -Errno.EIO;
      }
      target = mapping.buffer();
      offset = mapping.offset() + (busAddress - mapping.iova());
      owner = mapping.owner();
    } else {
      long virt = Dma.directMapVirtual(busAddress);
      target = KernelMemory.of(kernel).find(virt);
      if (target == null) {
        kernel.report(wild(device, length, write, virt, cause));
        return 0;
      }
      offset = virt - target.address();
      owner = mapping != null ? mapping.owner() : target.owner();
    }
    if (!target.live() || offset < 0 || offset + length > target.size()) {
      kernel.report(Detectors.of(kernel).kasan().dmaAccess(device, owner, target, offset, length, write, by, what));
    }
    return 0;
  }

  @Override
  public void busMasterAccess(String master, long address, int length, boolean write, Cause cause,
      java.util.function.Supplier<String> what) {
    if (kernel.halted() || address == 0) return;
    Allocation target = KernelMemory.of(kernel).find(address);
    if (target == null) return;
    long offset = address - target.address();
    if (!target.live() || offset < 0 || offset + length > target.size()) {
      Stamp by = Stamp.ofActor(master, kernel.now(), cause);
      kernel.report(Detectors.of(kernel).kasan().dmaAccess(master, target.owner(), target, offset, length, write, by,
          what.get()));
    }
  }

  private Oops iommuFault(String device, long busAddress, boolean write, Cause cause) {
    String bdf = device.length() > 5 ? device.substring(5) : device;
    List<String> lines = new ArrayList<>(List.of(
        "DMAR: [DMA " + (write ? "Write" : "Read") + " NO_PASID] Request device [" + bdf + "] fault addr 0x"
            + Long.toHexString(busAddress) + " [fault reason 0x0" + (write ? "5" : "6") + "] PTE "
            + (write ? "Write" : "Read") + " access is not set",
        "Causal chain (oldest first):"));
    if (cause != null) for (Cause c : cause.chain()) lines.add(" " + c.line());
    return new Oops("iommu", "DMAR: DRHD: handling fault status reg 2", lines, Owner.KERNEL, kernel.now(),
        Cause.NO_CPU, "iommu:dma_" + (write ? "write" : "read")); // no bus address, no device number
  }

  private Oops wild(String device, int length, boolean write, long virt, Cause cause) {
    List<String> lines = new ArrayList<>();
    lines.add("DMA " + (write ? "write" : "read") + " of size " + length + " at addr "
        + String.format("%016x", virt) + " by device " + device + ": no allocated object there");
    lines.add("Causal chain (oldest first):");
    if (cause != null) for (Cause c : cause.chain()) lines.add(" " + c.line());
    return new Oops("kasan", "BUG: KASAN: wild-memory-access in dma_" + (write ? "write" : "read") + " by "
        + device, lines, Owner.KERNEL, kernel.now(), Cause.NO_CPU, "kasan:wild-memory-access:dma_"
        + (write ? "write" : "read"));
  }
}
