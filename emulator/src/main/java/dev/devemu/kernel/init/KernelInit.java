package dev.devemu.kernel.init;

import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.detect.Detectors;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.dma.KernelHost;
import dev.devemu.kernel.fs.Vfs;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.kernel.mem.MemoryChecks;
import dev.devemu.kernel.sync.LockChecks;
import dev.devemu.sim.SimRun;

/**
 * Starts the guest kernel of one testbed ({@code start_kernel}): the core, then its subsystems — memory, the
 * detectors that watch memory and locks, the DMA API, the VFS, and the face the kernel shows the hardware. The
 * only place that knows them all.
 */
public final class KernelInit {
  private KernelInit() {}

  public static Kernel start(SimRun run, KernelConfig config) {
    Kernel kernel = new Kernel(run, config);
    kernel.install(KernelMemory.KEY, new KernelMemory(kernel));
    Detectors detectors = new Detectors(kernel);
    kernel.install(Detectors.KEY, detectors);
    kernel.install(MemoryChecks.KEY, detectors);
    kernel.install(LockChecks.KEY, detectors.lockdep());
    kernel.install(Dma.KEY, new Dma(kernel));
    kernel.install(Vfs.KEY, new Vfs(kernel));
    kernel.install(KernelHost.KEY, new KernelHost(kernel));
    return kernel;
  }
}
