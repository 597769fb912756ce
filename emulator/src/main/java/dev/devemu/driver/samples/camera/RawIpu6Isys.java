package dev.devemu.driver.samples.camera;

import static dev.devemu.datasheet.Ipu6IsysDatasheet.*;

import dev.devemu.driver.api.DmaApi;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.driver.api.v4l2.V4l2Ops;
import dev.devemu.driver.api.v4l2.VideoDevice;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.spec.DmaDirection;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Videodev2;
import java.util.List;

/**
 * ipu6_isys written with C habits: a V4L2 capture driver whose buffer queue, DMA buffers and interrupt handler
 * look like much C driver code does. It works — frames stream at the sensor's rate — and it has the bugs the
 * article's case study names, the use-after-free window between interrupt handling and buffer release first:
 * <ol>
 *   <li><b>The info ring freed as soon as the stop is acknowledged, without synchronize_irq.</b> The device
 *   writes a frame-info record per frame into a coherent ring the driver allocates at STREAMON. When it reports
 *   the stop together with the last frame (one interrupt, STOP_DONE|FRAME_DONE), the handler completes
 *   {@code stop_done} first and then reads that frame's record — outside its lock, to log CSI-2 errors early.
 *   stop_streaming, woken by the completion, returns the buffers and frees the ring ("the device has stopped
 *   writing it") while the handler may still be about to read it on another CPU: KASAN use-after-free in
 *   ipu6_isys_isr.</li>
 *   <li><b>A stop timeout that is ignored.</b> stop_streaming waits 100 ms for the device's stop acknowledgment
 *   and carries on either way, trusting the device to have flushed its ring. If the firmware dropped the stop
 *   command (fault point {@code ipu6_stop_lost}) or the frame in flight takes longer than the timeout (fps below
 *   10), REQBUFS(0) or close frees the buffers while the device still writes frames into them: KASAN
 *   use-after-free in dma_write by the device (a DMAR fault with the IOMMU on).</li>
 *   <li><b>Two sizes for one buffer.</b> REQBUFS allocates width × height × bytes-per-pixel, but descriptors get
 *   the device's FRAME_SIZE, which counts the line alignment and the sensor's embedded lines. In a sensor mode
 *   where they differ, every frame is written past the end of its buffer: KASAN out-of-bounds in dma_write.</li>
 *   <li><b>Trusting the registers.</b> One frame per interrupt is assumed (a lost or coalesced MSI loses a buffer
 *   for good), and after a surprise removal the handler reads all ones, takes them for FRAME_DONE and uses
 *   LAST_DONE = 0xffffffff as the index of a frame-info record: KASAN out-of-bounds, filed as bad MMIO.</li>
 *   <li><b>The video device embedded in the struct remove frees, and nothing serialising remove against the
 *   files.</b> remove kfree()s {@code struct ipu6_isys} while a process still has /dev/videoN open: the
 *   process's next DQBUF or close reads freed memory (slab-use-after-free), or — as remove and the file's
 *   release tear the queue down at the same time — dereferences a buffer pointer the other already cleared (NULL
 *   pointer dereference) or races on it (KCSAN).</li>
 *   <li><b>An early return in the probe's goto ladder.</b> A failed pci_iomap returns -ENOMEM without releasing
 *   the region or disabling the device: a leak after the failed probe.</li>
 * </ol>
 * Shared with the safe variant: DQBUF counts a frame that comes back with V4L2_BUF_FLAG_ERROR in
 * {@code stats.errors} under the queue lock taken with plain {@code spin_lock()} — interrupts on — while
 * ipu6_isys_isr takes the same lock in hardirq context. Lockdep: "inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}
 * usage"; if the frame-done interrupt hits that CPU while the lock is held, the CPU spins on it forever. Only an
 * errored frame gets there: a DMA error (fault point {@code dma_transfer}) or an input FIFO overflow
 * ({@code ipu6_fifo_overflow}). The kernel bug class: a lock shared with a hardirq handler, taken with spin_lock()
 * instead of spin_lock_irqsave() on a rarely run path. Rust would not have prevented it: its {@code SpinLock::lock()}
 * leaves interrupts on just the same ({@link SafeIpu6Isys} keeps it).
 */
public final class RawIpu6Isys implements RawPciDriver {
  public static final String NAME = "ipu6_isys";
  static final long STOP_TIMEOUT_NANOS = 100_000_000L;
  static final int PAGE_SIZE = 4096;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PciDeviceId> idTable() {
    return List.of(PciDeviceId.of(VENDOR, DEVICE));
  }

  static int desc(int slot, int reg) {
    return REG_DESC_BASE + slot * DESC_STRIDE + reg;
  }

  // ---- probe and remove ----

  @Override
  public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
    RawIsysData d = new RawIsysData(pdev);
    return PciCore.enableDevice(pdev).then(rc -> {
      if (rc != 0) return Op.rc(rc);
      return PciCore.requestRegion(pdev, 0, NAME).then(region -> {
        if (region != 0) return PciCore.disableDevice(pdev).then(Op.rc(region));
        return PciCore.iomap(pdev, 0).then(base -> {
          if (base == null) return Op.rc(-Errno.ENOMEM); // bug 6: region and enable are left behind
          return Mem.kzalloc(d).then(s -> d.allocation() == null ? errUnmap(pdev, base, -Errno.ENOMEM)
              : probeIrq(pdev, d, base));
        });
      });
    });
  }

  private Op<Integer> probeIrq(PciFunction pdev, RawIsysData d, IoMem base) {
    return Mem.write(d.base, base)
        .then(Op.step("pci_set_drvdata", x -> {
          pdev.drvdata(d);
          return null;
        }))
        .then(PciCore.setMaster(pdev))
        .then(PciCore.allocIrqVectors(pdev, 1, 1))
        .then(n -> {
          if (n < 0) return errFree(pdev, d, base, n);
          int irq = PciCore.irqVector(pdev, 0);
          return Mem.write(d.irq, irq)
              .then(Irqs.requestIrq(irq, (i, dev) -> isr((RawIsysData) dev), NAME, d))
              .then(rc -> rc != 0 ? errVectors(pdev, d, base, rc) : probeNode(pdev, d, base, irq));
        });
  }

  private Op<Integer> probeNode(PciFunction pdev, RawIsysData d, IoMem base, int irq) {
    return d.stopDone.init()
        .then(memsetSlots(d))
        .then(PciCore.iowrite32(base, REG_IRQ_ENABLE, IRQ_ALL))
        .then(Op.defer(() -> {
          d.vdev = new VideoDevice(NAME, d.vdevRegistered, new Ops(d));
          return d.vdev.register();
        }))
        .then(rc -> rc != 0 ? errIrq(pdev, d, base, irq, rc)
            : Printk.info(NAME + " " + pdev + ": IPU6 input system, capture on " + d.vdev.node()).then(Op.rc(0)));
  }

  private static Op<Integer> errIrq(PciFunction pdev, RawIsysData d, IoMem base, int irq, int rc) {
    return PciCore.iowrite32(base, REG_IRQ_ENABLE, 0).then(Irqs.freeIrq(irq, d))
        .then(errVectors(pdev, d, base, rc));
  }

  private static Op<Integer> errVectors(PciFunction pdev, RawIsysData d, IoMem base, int rc) {
    return PciCore.freeIrqVectors(pdev).then(errFree(pdev, d, base, rc));
  }

  private static Op<Integer> errFree(PciFunction pdev, RawIsysData d, IoMem base, int rc) {
    return Op.<Void>step("pci_set_drvdata", x -> {
      pdev.drvdata(null);
      return null;
    }).then(Mem.kfree(d)).then(errUnmap(pdev, base, rc));
  }

  private static Op<Integer> errUnmap(PciFunction pdev, IoMem base, int rc) {
    return PciCore.iounmap(base).then(PciCore.releaseRegion(pdev, 0)).then(PciCore.disableDevice(pdev))
        .then(Op.rc(rc));
  }

  @Override
  public Op<Void> remove(PciFunction pdev) {
    RawIsysData d = (RawIsysData) pdev.drvdata();
    return Printk.info(NAME + " " + pdev + ": removing")
        .then(Op.defer(() -> d.vdev.unregister()))
        .then(Mem.read(d.streaming))
        .then(on -> on != 0 ? stopStreaming(d) : Op.done())
        .then(ignored -> freeBuffers(d))
        .then(Mem.read(d.base))
        .then(base -> PciCore.iowrite32(base, REG_IRQ_ENABLE, 0)
            .then(Mem.read(d.irq))
            .then(irq -> Irqs.freeIrq(irq, d))
            .then(PciCore.freeIrqVectors(pdev))
            .then(PciCore.iounmap(base)))
        .then(PciCore.releaseRegion(pdev, 0))
        .then(PciCore.disableDevice(pdev))
        .then(Mem.kfree(d)); // bug 5: a file still open on /dev/videoN points into this struct
  }

  // ---- the interrupt handler ----

  /** ipu6_isys_isr: one frame per interrupt, the stop acknowledged first (bugs 1 and 4). */
  static Op<Irqs.IrqReturn> isr(RawIsysData d) {
    return Op.fn("ipu6_isys_isr", () -> Mem.read(d.base).then(base -> PciCore.ioread32(base, REG_IRQ_STATUS)
        .then(status -> {
          if (status == 0) return Op.pure(Irqs.IrqReturn.NONE);
          return PciCore.iowrite32(base, REG_IRQ_CLEAR, status)
              .then((status & IRQ_STOP_DONE) != 0 ? d.stopDone.complete() : Op.done())
              .then(ignored -> (status & IRQ_FRAME_DONE) != 0 ? frameDone(d, base) : Op.<Void>done())
              .then(Op.pure(Irqs.IrqReturn.HANDLED));
        })));
  }

  private static Op<Void> frameDone(RawIsysData d, IoMem base) {
    return PciCore.ioread32(base, REG_LAST_DONE).then(slot -> PciCore.ioread32(base, REG_FRAME_COUNT)
        .then(frames -> Mem.write(d.statsFrames, frames))
        .then(PciCore.ioread32(base, REG_DROP_COUNT))
        .then(dropped -> Mem.write(d.statsDropped, dropped))
        .then(Mem.read(d.info))
        // statistics first, then the firmware's record (did the CSI-2 receiver see errors?), before the lock
        .then(info -> Mem.touch(info == null ? null : info.buffer(), slot * INFO_RECORD_SIZE, INFO_RECORD_SIZE,
            false, "read frame info"))
        .then(d.lock.lock())
        .then(Mem.read(d.streaming))
        .then(on -> on == 0 ? Op.pure(-1) : Mem.read(d.slotBuf, slot))
        .then(idx -> {
          if (idx == null || idx < 0) return d.lock.unlock();
          return Mem.read(d.bufs, idx).then(b -> PciCore.ioread32(base, desc(slot, DESC_FLAGS))
                  .then(flags -> PciCore.ioread32(base, desc(slot, DESC_BYTESUSED))
                      .then(used -> RawIsysBuffer.set(b, x -> x.bytesused, used))
                      .then(PciCore.ioread32(base, desc(slot, DESC_SEQUENCE)))
                      .then(seq -> RawIsysBuffer.set(b, x -> x.sequence, seq))
                      .then(Op.step("ktime_get_ns", x -> x.now()))
                      .then(now -> RawIsysBuffer.set(b, x -> x.timestamp, now))
                      .then(RawIsysBuffer.set(b, x -> x.flags,
                          (flags & DESC_ERROR) != 0 ? Videodev2.V4L2_BUF_FLAG_ERROR : 0))
                      .then(RawIsysBuffer.set(b, x -> x.state, RawIsysData.DONE))))
              .then(pushDone(d, idx))
              .then(d.lock.unlock())
              .then(d.wq.wakeUp());
        }));
  }

  private static Op<Void> pushDone(RawIsysData d, int idx) {
    return Mem.read(d.doneHead).then(head -> Mem.read(d.doneCount)
        .then(count -> Mem.write(d.done, (head + count) % RING_SLOTS, idx).then(Mem.write(d.doneCount, count + 1))));
  }

  // ---- stream control ----

  /**
   * Stop the device, return every buffer to user space, free the info ring. The wait's result is ignored (bug 2)
   * and the ring is freed without synchronize_irq (bug 1).
   */
  static Op<Void> stopStreaming(RawIsysData d) {
    return Op.fn("ipu6_isys_stop_streaming", () -> Mem.read(d.base).then(base -> Mem.read(d.streaming).then(on -> {
      if (on == 0) {
        // QBUF without STREAMON: take back the descriptors programmed so far (the device flushes its ring
        // itself when it acknowledges a stop, so nothing else is cleared)
        return Mem.read(d.ringTail).then(tail -> Op.forEach(range(tail),
                slot -> PciCore.iowrite32(base, desc(slot, DESC_FLAGS), 0)))
            .then(d.lock.withIrqSave(() -> returnBuffersLocked(d)));
      }
      return d.stopDone.init()
          .then(PciCore.iowrite32(base, REG_CTRL, 0))
          .then(d.stopDone.waitForCompletionTimeout(STOP_TIMEOUT_NANOS))
          .then(left -> d.lock.withIrqSave(() -> returnBuffersLocked(d)))
          .then(PciCore.iowrite32(base, REG_INFO_LO, 0))
          .then(PciCore.iowrite32(base, REG_INFO_HI, 0))
          .then(Mem.read(d.info))
          .then(info -> DmaApi.freeCoherent(info)); // the pointer stays as it is: STREAMON sets a new one
    })).then(ignored -> d.wq.wakeUp()));
  }

  /** {@code memset(isys->slot_buf, 0xff, …)}: no ring slot holds a buffer (one step, as one memset is). */
  private static Op<Void> memsetSlots(RawIsysData d) {
    return Op.step("memset(slot_buf, 0xff)", x -> {
      for (int slot = 0; slot < RING_SLOTS; slot++) KernelMemory.of(x.kernel()).write(x, d.slotBuf, slot, -1);
      return null;
    });
  }

  /** vb2_buffer_done(ERROR) for everything in flight, and the queue back to empty (the lock is held). */
  private static Op<Void> returnBuffersLocked(RawIsysData d) {
    return Mem.write(d.streaming, 0)
        .then(Mem.write(d.ringTail, 0))
        .then(Mem.write(d.doneHead, 0))
        .then(Mem.write(d.doneCount, 0))
        .then(memsetSlots(d))
        .then(Mem.read(d.numBuffers))
        .then(n -> Op.forEach(range(n), i -> Mem.read(d.bufs, i)
            .then(b -> RawIsysBuffer.set(b, x -> x.state, RawIsysData.DEQUEUED))));
  }

  /** ipu6_isys_free_buffers: unlink under the lock, then unmap and free (no synchronize_irq: bug 1). */
  static Op<Void> freeBuffers(RawIsysData d) {
    return Op.fn("ipu6_isys_free_buffers", () -> Mem.read(d.numBuffers).then(n -> Op.forEach(range(n), i -> {
      RawIsysBuffer[] b = new RawIsysBuffer[1];
      return d.lock.withIrqSave(() -> Mem.read(d.bufs, i).then(buf -> {
            b[0] = buf;
            return Mem.write(d.bufs, i, null);
          }))
          .then(ignored -> RawIsysBuffer.get(b[0], x -> x.dma))
          .then(dma -> DmaApi.unmapSingle(dma))
          .then(Op.defer(() -> RawIsysBuffer.get(b[0], x -> x.vaddr)))
          .then(vaddr -> Mem.kfree(vaddr))
          .then(Op.defer(() -> b[0] == null ? Op.<Void>done() : Mem.kfree(b[0])));
    })).then(Mem.write(d.numBuffers, 0)));
  }

  static List<Integer> range(int n) {
    return java.util.stream.IntStream.range(0, Math.max(0, Math.min(n, RING_SLOTS))).boxed().toList();
  }

  static List<Integer> slots() {
    return range(RING_SLOTS);
  }

  // ---- the V4L2 operations ----

  /** The ioctls, with the checks videobuf2 makes and the C habits above. */
  static final class Ops implements V4l2Ops {
    private final RawIsysData d;

    Ops(RawIsysData d) {
      this.d = d;
    }

    @Override
    public Op<Integer> open(File file) {
      return Op.fn("ipu6_isys_open", () -> Op.<Void>step("file->private_data = isys", x -> {
        file.privateData(d);
        return null;
      }).then(Mem.read(d.users)).then(u -> Mem.write(d.users, u + 1)).then(Op.rc(0)));
    }

    @Override
    public Op<Integer> release(File file) {
      RawIsysData isys = (RawIsysData) file.privateData();
      return Op.fn("ipu6_isys_release", () -> Mem.read(isys.owner).then(owner -> owner != file ? Op.done()
              : stopStreaming(isys).then(freeBuffers(isys)).then(Mem.write(isys.owner, null)))
          .then(ignored -> Mem.read(isys.users)).then(u -> Mem.write(isys.users, u - 1)).then(Op.rc(0)));
    }

    @Override
    public Op<Integer> querycap(File file, Videodev2.Capability cap) {
      return Op.fn("ipu6_isys_querycap", () -> Op.step("strscpy", x -> {
        cap.driver = NAME;
        cap.card = "Intel IPU6 ISYS Capture";
        cap.busInfo = "PCI:" + d.pdev.name();
        cap.version = Videodev2.KERNEL_VERSION;
        cap.deviceCaps = Videodev2.V4L2_CAP_VIDEO_CAPTURE | Videodev2.V4L2_CAP_STREAMING;
        cap.capabilities = cap.deviceCaps | Videodev2.V4L2_CAP_DEVICE_CAPS;
        return 0;
      }));
    }

    /** vb2 refuses another file's calls once one file owns the queue. */
    private Op<Integer> checkOwner(File file) {
      return Mem.read(d.owner).map(owner -> owner != null && owner != file ? -Errno.EBUSY : 0);
    }

    private static boolean badType(int type, int memory) {
      return type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE || memory != Videodev2.V4L2_MEMORY_MMAP;
    }

    @Override
    public Op<Integer> reqbufs(File file, Videodev2.RequestBuffers req) {
      return Op.fn("ipu6_isys_reqbufs", () -> {
        if (badType(req.type, req.memory)) return Op.rc(-Errno.EINVAL);
        return checkOwner(file).then(busy -> busy != 0 ? Op.rc(busy) : Mem.read(d.streaming).then(on -> {
          if (on != 0) return Op.rc(-Errno.EBUSY);
          return stopStreaming(d).then(freeBuffers(d)).then(ignored -> {
            if (req.count == 0) {
              return Mem.write(d.owner, null).then(Op.step("reqbufs", x -> {
                req.capabilities = Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP;
                return 0;
              }));
            }
            return allocate(file, req);
          });
        }));
      });
    }

    /** Bug 3: the allocation and the descriptor length come from two different formulas. */
    private Op<Integer> allocate(File file, Videodev2.RequestBuffers req) {
      int count = Math.max(2, Math.min(req.count, RING_SLOTS));
      return Mem.read(d.base).then(base -> PciCore.ioread32(base, REG_WIDTH)
          .then(w -> PciCore.ioread32(base, REG_HEIGHT).then(h -> PciCore.ioread32(base, REG_BPP)
              .map(bpp -> w * h * bpp)))
          .then(size -> Mem.write(d.sizeimage, size).then(PciCore.ioread32(base, REG_FRAME_SIZE))
              .then(len -> Mem.write(d.frameLen, len))
              .then(Op.defer(() -> allocOne(size, 0, count)))))
          .then(n -> {
            if (n == 0) return Op.rc(-Errno.ENOMEM);
            return Mem.write(d.numBuffers, n).then(Mem.write(d.owner, file)).then(Op.step("reqbufs", x -> {
              req.count = n;
              req.capabilities = Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP;
              return 0;
            }));
          });
    }

    /** Allocates buffers {@code i..count-1}; stops at the first failure and returns how many exist. */
    private Op<Integer> allocOne(int size, int i, int count) {
      if (i == count) return Op.pure(count);
      RawIsysBuffer b = new RawIsysBuffer();
      return Mem.kzalloc(b).then(s -> {
        if (b.allocation() == null) return Op.pure(i);
        return Mem.kmalloc(size, "ipu6 frame buffer " + size).then(vaddr -> {
          if (vaddr == null) return Mem.kfree(b).then(Op.pure(i));
          return DmaApi.mapSingle(vaddr, size, DmaDirection.FROM_DEVICE).then(dma -> {
                if (dma == null) return Mem.kfree(vaddr).then(Mem.kfree(b)).then(Op.pure(i));
                return Mem.write(b.index, i).then(Mem.write(b.vaddr, vaddr)).then(Mem.write(b.dma, dma))
                    .then(Mem.write(b.length, size)).then(Mem.write(b.state, RawIsysData.DEQUEUED))
                    .then(Mem.write(d.bufs, i, b))
                    .then(allocOne(size, i + 1, count));
              });
        });
      });
    }

    @Override
    public Op<Integer> qbuf(File file, Videodev2.Buffer v) {
      return Op.fn("ipu6_isys_qbuf", () -> {
        if (badType(v.type, v.memory)) return Op.rc(-Errno.EINVAL);
        return checkOwner(file).then(busy -> busy != 0 ? Op.rc(busy) : Mem.read(d.numBuffers).then(n -> {
          if (v.index < 0 || v.index >= n) return Op.rc(-Errno.EINVAL);
          return Mem.read(d.bufs, v.index).then(b -> RawIsysBuffer.get(b, x -> x.state).then(state -> {
            if (state != RawIsysData.DEQUEUED) return Op.rc(-Errno.EINVAL);
            return d.lock.withIrqSave(() -> program(b, v.index)).then(Op.rc(0));
          }));
        }));
      });
    }

    /** Puts the buffer into the next ring slot and hands the descriptor to the device. */
    private Op<Void> program(RawIsysBuffer b, int index) {
      return Mem.read(d.base).then(base -> Mem.read(d.ringTail).then(slot -> Mem.write(d.ringTail,
              (slot + 1) % RING_SLOTS)
          .then(Mem.write(d.slotBuf, slot, index))
          .then(RawIsysBuffer.set(b, x -> x.state, RawIsysData.QUEUED))
          .then(RawIsysBuffer.get(b, x -> x.dma))
          .then(dma -> PciCore.iowrite32(base, desc(slot, DESC_ADDR_LO), (int) dma.iova())
              .then(PciCore.iowrite32(base, desc(slot, DESC_ADDR_HI), (int) (dma.iova() >>> 32))))
          .then(Mem.read(d.frameLen))
          .then(len -> PciCore.iowrite32(base, desc(slot, DESC_LEN), len))
          .then(PciCore.iowrite32(base, desc(slot, DESC_FLAGS), DESC_READY))));
    }

    @Override
    public Op<Integer> dqbuf(File file, Videodev2.Buffer v) {
      return Op.fn("ipu6_isys_dqbuf", () -> {
        if (badType(v.type, v.memory)) return Op.rc(-Errno.EINVAL);
        return checkOwner(file).then(busy -> busy != 0 ? Op.rc(busy) : waitDone(file, v))
            .then(rc -> rc == 0 && (v.flags & Videodev2.V4L2_BUF_FLAG_ERROR) != 0
                ? countErrorFrame().then(Op.rc(0)) : Op.rc(rc));
      });
    }

    /** Shared bug: spin_lock() with interrupts on, on a lock the interrupt handler takes. */
    private Op<Void> countErrorFrame() {
      return d.lock.lock().then(Mem.read(d.statsErrors)).then(n -> Mem.write(d.statsErrors, n + 1))
          .then(d.lock.unlock());
    }

    /** Dequeues a done buffer into {@code v}: 0, -EINVAL when not streaming, -EAGAIN for a non-blocking file. */
    private Op<Integer> waitDone(File file, Videodev2.Buffer v) {
      return d.lock.withIrqSave(() -> Mem.read(d.streaming).then(on -> on == 0 ? Op.rc(-Errno.EINVAL)
          : Mem.read(d.doneCount).then(count -> count == 0 ? Op.rc(-Errno.EAGAIN)
              : Mem.read(d.doneHead).then(head -> Mem.read(d.done, head)
                  .then(idx -> Mem.write(d.doneHead, (head + 1) % RING_SLOTS).then(Mem.write(d.doneCount, count - 1))
                      .then(Mem.read(d.bufs, idx)).then(b -> fill(v, idx, b)).then(Op.rc(0)))))))
          .then(rc -> {
            if (rc != -Errno.EAGAIN || file.nonBlocking()) return Op.rc(rc);
            return d.wq.waitEvent(() -> d.lock.withIrqSave(() -> Mem.read(d.doneCount).then(c -> c > 0
                ? Op.pure(true) : Mem.read(d.streaming).map(s -> s == 0)))).then(ignored -> waitDone(file, v));
          });
    }

    private Op<Void> fill(Videodev2.Buffer v, int index, RawIsysBuffer b) {
      return RawIsysBuffer.get(b, x -> x.bytesused).then(used -> RawIsysBuffer.get(b, x -> x.sequence)
          .then(seq -> RawIsysBuffer.get(b, x -> x.timestamp).then(ts -> RawIsysBuffer.get(b, x -> x.flags)
          .then(flags -> RawIsysBuffer.get(b, x -> x.length).then(len -> Op.<Void>step("fill_v4l2_buffer", x -> {
            v.index = index;
            v.bytesused = used;
            v.sequence = seq;
            v.timestampNanos = ts;
            v.flags = Videodev2.V4L2_BUF_FLAG_DONE | Videodev2.V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | flags;
            v.field = Videodev2.V4L2_FIELD_NONE;
            v.length = len;
            v.offset = (long) v.index * ((len + PAGE_SIZE - 1L) / PAGE_SIZE * PAGE_SIZE);
            return null;
          }))))))
          .then(RawIsysBuffer.set(b, x -> x.state, RawIsysData.DEQUEUED));
    }

    @Override
    public Op<Integer> streamon(File file, int type) {
      return Op.fn("ipu6_isys_streamon", () -> {
        if (type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE) return Op.rc(-Errno.EINVAL);
        return checkOwner(file).then(busy -> busy != 0 ? Op.rc(busy) : Mem.read(d.streaming).then(on -> {
          if (on != 0) return Op.rc(0);
          return Mem.read(d.numBuffers).then(n -> {
            if (n == 0) return Op.rc(-Errno.EINVAL);
            return DmaApi.allocCoherent(INFO_RING_SIZE, "ipu6 frame-info ring").then(info -> {
                  if (info == null) return Op.rc(-Errno.ENOMEM);
                  return Mem.write(d.info, info).then(Mem.read(d.base)).then(base -> PciCore.iowrite32(base,
                          REG_INFO_LO, (int) info.iova())
                      .then(PciCore.iowrite32(base, REG_INFO_HI, (int) (info.iova() >>> 32)))
                      .then(d.lock.withIrqSave(() -> Mem.write(d.streaming, 1)))
                      .then(PciCore.iowrite32(base, REG_CTRL, CTRL_STREAM_EN)))
                      .then(Op.rc(0));
                });
          });
        }));
      });
    }

    @Override
    public Op<Integer> streamoff(File file, int type) {
      return Op.fn("ipu6_isys_streamoff", () -> {
        if (type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE) return Op.rc(-Errno.EINVAL);
        return checkOwner(file).then(busy -> busy != 0 ? Op.rc(busy) : stopStreaming(d).then(Op.rc(0)));
      });
    }
  }
}
