package dev.devemu.driver.samples.camera;

import static dev.devemu.datasheet.Ipu6IsysDatasheet.*;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KArc;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.dma.DmaAddress;
import dev.devemu.driver.api.dma.DmaBuffer;
import dev.devemu.driver.api.dma.DmaEngine;
import dev.devemu.driver.api.dma.Quiesced;
import dev.devemu.driver.api.pci.SafePciDevice;
import dev.devemu.driver.api.pci.SafePciDriver;
import dev.devemu.driver.api.v4l2.SafeV4l2Ops;
import dev.devemu.driver.api.v4l2.SafeVideoDevice;
import dev.devemu.driver.api.v4l2.VideoDevice;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Videodev2;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * ipu6_isys written with Rust's discipline, as the article's case study rewrote "the DMA buffer management and
 * interrupt handling": the same device and the same V4L2 semantics as {@link RawIpu6Isys}, but
 * <ul>
 *   <li>frame memory comes from a {@link DmaEngine} as typed {@link DmaBuffer}s: the size is fixed when the buffer
 *   is allocated (from the device's own FRAME_SIZE), a descriptor can only be programmed with a
 *   {@link DmaAddress} taken from the buffer, so its length is the buffer's; STREAMON refuses a sensor mode whose
 *   frames no longer fit (-EINVAL, as vb2's buf_prepare does);</li>
 *   <li>a buffer is freed only with a {@link Quiesced} proof: the device was told to stop, its acknowledgment
 *   awaited (a soft reset when it does not come), its STATUS polled until no DMA is out, and
 *   {@code synchronize_irq} returned — so neither the device nor a handler on another CPU can still touch it;</li>
 *   <li>the buffers belong to the queue and are reached only under its lock; the handler reaps every completed
 *   descriptor (a lost MSI loses nothing) with bounds-checked indexing, and treats all ones as "device gone";</li>
 *   <li>the state is shared with open files through a {@code KArc}, so an unbind marks it dead (ioctls get
 *   -ENODEV, sleepers are woken) instead of freeing it under an open file; DMA buffers, the handler, the node
 *   and the BAR are device-managed and released in reverse order after remove.</li>
 * </ul>
 *
 * <p>Shared with the raw variant: DQBUF counts a frame that comes back with V4L2_BUF_FLAG_ERROR in
 * {@code stats.errors} under the queue lock taken with {@code SpinLock::lock()}, which leaves interrupts on, while
 * ipu6_isys_isr takes the same lock in hardirq context: lockdep's "inconsistent lock state", and a CPU that spins
 * forever if the frame-done interrupt lands on it meanwhile. Every other process-context site uses the irqsave
 * guard; this rarely run one does not (the kernel bug class: spin_lock() where spin_lock_irqsave() was due, on a lock
 * a hardirq handler shares). Not prevented by Rust: the kernel crate's {@code SpinLock} does not disable
 * interrupts (an irq-disabling lock came only later, as a separate type), and nothing in a lock's type says that a
 * hardirq handler shares it. Only an errored frame gets there: a DMA error ({@code dma_transfer}) or an input
 * FIFO overflow ({@code ipu6_fifo_overflow}).
 */
public final class SafeIpu6Isys implements SafePciDriver<SafeIpu6Isys.Binding> {
  static final String NAME = RawIpu6Isys.NAME;
  static final int PAGE_SIZE = 4096;
  /** Polls of STATUS (1 ms apart) before a device that will not go idle is given up on. */
  static final int IDLE_POLLS = 100;

  /** What the binding holds: its handle on the shared state and the video node. */
  public static final class Binding {
    final KArc<SafeIsysState> state;
    final VideoDevice vdev;

    Binding(KArc<SafeIsysState> state, VideoDevice vdev) {
      this.state = state;
      this.vdev = vdev;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PciDeviceId> idTable() {
    return List.of(PciDeviceId.of(VENDOR, DEVICE));
  }

  // ---- probe and remove ----

  @Override
  public Fallible<Binding> probe(SafePciDevice pdev, PciDeviceId id) {
    SafeIsysState st = new SafeIsysState(pdev.name());
    return pdev.enableDeviceMem()
        .andThen(v -> pdev.iomapRegion(0, NAME))
        .andThen(bar -> KArc.create(st).map(arc -> {
          pdev.devres().add("drop(ipu6_isys state)", arc::drop);
          st.bar = bar;
          return arc;
        }))
        .andThen(arc -> locked(st, () -> resetQueue(st)).map(v -> arc))
        .andThen(arc -> st.bar.read32(REG_FRAME_INTERVAL).map(us -> {
          st.frameIntervalNanos = (us & 0xFFFFFFFFL) * 1_000L;
          return arc;
        }))
        .andThen(arc -> Fallible.lift(pdev.setMaster()).andThen(v -> pdev.allocIrqVectors(1, 1)).map(n -> arc))
        .andThen(arc -> {
          st.dma = DmaEngine.create(pdev, 0, NAME, () -> stopDevice(st));
          return pdev.requestIrq(0, (irq, dev) -> isr((SafeIsysState) dev), NAME, st).map(irq -> arc);
        })
        .andThen(arc -> st.bar.write32(REG_IRQ_ENABLE, IRQ_ALL).map(v -> arc))
        .andThen(arc -> SafeVideoDevice.register(pdev.devres(), NAME, st.vdevRegistered, new Ops(arc))
            .map(vdev -> new Binding(arc, vdev)))
        .andThen(b -> Fallible.lift(Printk.info(NAME + " " + pdev.name() + ": IPU6 input system, capture on "
            + b.vdev.node())).map(v -> b));
  }

  @Override
  public Op<Void> remove(Binding b) {
    SafeIsysState s = b.state.get();
    // Mark the state dead, stop the stream and free the queue; the node, the handler, the DMA engine and the
    // BAR go afterwards, in reverse order, through devres.
    return Printk.info(NAME + " " + s.device + ": removing")
        .then(withMutex(s, () -> locked(s, () -> Fallible.lift(Mem.write(s.dead, true)))
            .andThen(v -> stopStreaming(s))
            .andThen(v -> freeBuffers(s))).op())
        .then(r -> r.isOk() ? Op.<Void>done()
            : Printk.err(NAME + " " + s.device + ": teardown failed: " + r.describe()))
        .then(ignored -> s.wq.wakeUp());
  }

  // ---- small combinators: the lock guards of Rust ----

  private static <T> Fallible<T> locked(SafeIsysState s, Supplier<Fallible<T>> body) {
    return Fallible.of(s.lock.withIrqSave(() -> body.get().op()));
  }

  private static <T> Fallible<T> withMutex(SafeIsysState s, Supplier<Fallible<T>> body) {
    return Fallible.of(s.mutex.with(() -> body.get().op()));
  }

  private static <E> Fallible<Void> each(List<E> items, Function<E, Fallible<Void>> body) {
    Fallible<Void> out = Fallible.ok(null);
    for (E item : items) out = out.andThen(v -> body.apply(item));
    return out;
  }

  private static Fallible<Void> msleep(long nanos) {
    return Fallible.lift(Op.step("msleep", x -> x.kernel()).then(k -> k.sleep("msleep", nanos)));
  }

  // ---- stopping the device: the DMA engine's stop procedure ----

  /**
   * Stops the device's DMA and waits until it is idle: ask for a stop and wait for its acknowledgment (two frame
   * intervals and a margin), soft-reset the device if none comes, then poll STATUS until no frame is latched and
   * no transfer is out. A device that answers all ones is gone and writes nothing more.
   */
  static Fallible<Void> stopDevice(SafeIsysState s) {
    long timeout = 2 * s.frameIntervalNanos + 50_000_000L;
    return locked(s, () -> Fallible.lift(Mem.read(s.streaming)))
        .andThen(on -> !on ? s.bar.write32(REG_CTRL, CTRL_SOFT_RESET)
            : Fallible.lift(s.stopDone.init())
                .andThen(v -> s.bar.write32(REG_CTRL, 0))
                .andThen(v -> Fallible.lift(s.stopDone.waitForCompletionTimeout(timeout)))
                .andThen(left -> left > 0 ? Fallible.<Void>ok(null) : Fallible.lift(Printk.err(NAME + " " + s.device
                    + ": no stop acknowledgment, resetting")).andThen(v -> s.bar.write32(REG_CTRL, CTRL_SOFT_RESET))))
        .andThen(v -> waitIdle(s, 0));
  }

  private static Fallible<Void> waitIdle(SafeIsysState s, int polls) {
    return s.bar.read32(REG_STATUS).andThen(status -> {
      if (status == -1) return Fallible.ok(null); // all ones: the device is gone, it writes nothing more
      if ((status & (STATUS_STREAMING | STATUS_CAPTURING | STATUS_DMA_BUSY)) == 0) return Fallible.ok(null);
      if (polls >= IDLE_POLLS) return Fallible.err(Errno.ETIMEDOUT);
      return msleep(1_000_000L).andThen(v -> waitIdle(s, polls + 1));
    });
  }

  /**
   * STREAMOFF: quiesce, then every buffer goes back to user space's side and the info ring is freed (with the
   * proof); sleepers see the stream stopped.
   */
  static Fallible<Void> stopStreaming(SafeIsysState s) {
    return s.dma.quiesce().andThen(proof -> locked(s, () -> resetQueue(s).map(v -> {
          DmaBuffer ring = s.info;
          s.info = null;
          return ring;
        }))
        .andThen(ring -> ring == null ? Fallible.<Void>ok(null) : s.dma.free(ring, proof)))
        .andThen(v -> Fallible.lift(s.wq.wakeUp()));
  }

  private static Fallible<Void> resetQueue(SafeIsysState s) {
    return Fallible.lift(Mem.write(s.streaming, false)
        .then(Mem.write(s.ringTail, 0))
        .then(Mem.write(s.completeSlot, 0))
        .then(Mem.write(s.doneHead, 0))
        .then(Mem.write(s.doneCount, 0))
        .then(Op.forEach(RawIpu6Isys.slots(), slot -> Mem.write(s.slotBuf, slot, -1)))
        .then(Mem.read(s.count))
        .then(n -> Op.forEach(RawIpu6Isys.range(n), i -> Mem.read(s.bufs, i)
            .then(b -> Mem.write(b.state, SafeIsysState.DEQUEUED)))));
  }

  /** Frees the queue's buffers: the proof first, then unlink under the lock, then free. */
  static Fallible<Void> freeBuffers(SafeIsysState s) {
    return s.dma.quiesce().andThen(proof -> locked(s, () -> {
      List<SafeIsysBuffer> taken = new ArrayList<>();
      return Fallible.lift(Mem.read(s.count).then(n -> Op.forEach(RawIpu6Isys.range(n), i -> Mem.read(s.bufs, i)
          .then(b -> {
            taken.add(b);
            return Mem.write(s.bufs, i, null);
          })))
          .then(Mem.write(s.count, 0))
          .map(v -> taken));
    }).andThen(taken -> each(taken, b -> s.dma.free(b.memory, proof).andThen(v -> Fallible.lift(Mem.kfree(b))))));
  }

  // ---- the interrupt handler ----

  /** ipu6_isys_isr: reaps every completed descriptor, then acknowledges a stop; all ones means "gone". */
  static Op<Irqs.IrqReturn> isr(SafeIsysState s) {
    return Op.fn("ipu6_isys_isr", () -> s.bar.read32(REG_IRQ_STATUS)
        .ensure(status -> status != 0, Errno.ENODATA)
        .ensure(status -> status != -1, Errno.ENODEV)
        .andThen(status -> s.bar.write32(REG_IRQ_CLEAR, status).map(v -> status))
        .andThen(status -> (status & IRQ_FRAME_DONE) == 0 ? Fallible.ok(status)
            : Fallible.of(s.lock.with(() -> reap(s, 0).op())).map(v -> status))
        .andThen(status -> (status & IRQ_STOP_DONE) == 0 ? Fallible.ok(status)
            : Fallible.lift(s.stopDone.complete()).map(v -> status))
        .andThen(status -> Fallible.lift(s.wq.wakeUp()))
        .op().map(r -> r.isOk() ? Irqs.IrqReturn.HANDLED : Irqs.IrqReturn.NONE));
  }

  /** Completes descriptors in ring order while the device marked them done (the queue lock is held). */
  private static Fallible<Void> reap(SafeIsysState s, int reaped) {
    if (reaped == RING_SLOTS) return Fallible.ok(null);
    return Fallible.lift(Mem.read(s.streaming)).andThen(on -> !on ? Fallible.ok(null)
        : Fallible.lift(Mem.read(s.completeSlot)).andThen(slot -> Mem.get(s.slotBuf, slot).andThen(idx -> idx < 0
            ? Fallible.ok(null)
            : s.bar.read32(desc(slot, DESC_FLAGS)).andThen(flags -> (flags & DESC_DONE) == 0 ? Fallible.ok(null)
                : complete(s, slot, idx, flags).andThen(v -> reap(s, reaped + 1))))));
  }

  private static Fallible<Void> complete(SafeIsysState s, int slot, int idx, int flags) {
    DmaBuffer ring = s.info;
    Fallible<Void> record = ring == null ? Fallible.ok(null)
        : ring.cpuRead((long) slot * INFO_RECORD_SIZE, INFO_RECORD_SIZE, "read frame info");
    return record.andThen(r -> s.bar.read32(desc(slot, DESC_BYTESUSED)))
        .andThen(used -> s.bar.read32(desc(slot, DESC_SEQUENCE))
        .andThen(seq -> Mem.get(s.bufs, idx).andThen(b -> b.memory.cpuRead(0, 4, "read embedded frame counter")
            .andThen(v -> Fallible.lift(Mem.write(b.bytesused, used)
                .then(Mem.write(b.sequence, seq))
                .then(Op.step("ktime_get_ns", x -> x.now()))
                .then(now -> Mem.write(b.timestamp, now))
                .then(Mem.write(b.flags, (flags & DESC_ERROR) != 0 ? Videodev2.V4L2_BUF_FLAG_ERROR : 0))
                .then(Mem.write(b.state, SafeIsysState.DONE))
                .then(Mem.read(s.doneHead))
                .then(head -> Mem.read(s.doneCount).then(count -> Mem.write(s.done, (head + count) % RING_SLOTS, idx)
                    .then(Mem.write(s.doneCount, count + 1))))
                .then(Mem.write(s.slotBuf, slot, -1))
                .then(Mem.write(s.completeSlot, (slot + 1) % RING_SLOTS))))
            .andThen(v -> s.bar.write32(desc(slot, DESC_FLAGS), 0)))));
  }

  static int desc(int slot, int reg) {
    return RawIpu6Isys.desc(slot, reg);
  }

  // ---- the V4L2 operations ----

  /** The ioctls: typed per-file data (a handle on the shared state), every error a Result. */
  static final class Ops implements SafeV4l2Ops<KArc<SafeIsysState>> {
    private final KArc<SafeIsysState> binding;

    Ops(KArc<SafeIsysState> binding) {
      this.binding = binding;
    }

    @Override
    public Fallible<KArc<SafeIsysState>> open(File file) {
      SafeIsysState s = binding.get();
      return locked(s, () -> Fallible.lift(Mem.read(s.dead))).ensure(dead -> !dead, Errno.ENODEV)
          .andThen(v -> Fallible.lift(binding.cloneRef()));
    }

    @Override
    public Op<Void> release(KArc<SafeIsysState> h, File file) {
      SafeIsysState s = h.get();
      return Op.fn("ipu6_isys_release", () -> withMutex(s, () -> locked(s, () -> Fallible.lift(Mem.read(s.dead))
              .andThen(dead -> dead ? Fallible.ok(false) : Fallible.lift(Mem.read(s.owner)).map(o -> o == file)))
          .andThen(mine -> !mine ? Fallible.<Void>ok(null)
              : stopStreaming(s).andThen(v -> freeBuffers(s))
                  .andThen(v -> locked(s, () -> Fallible.lift(Mem.write(s.owner, null))))))
          .op().then(r -> h.drop()));
    }

    @Override
    public Fallible<Void> querycap(KArc<SafeIsysState> h, File file, Videodev2.Capability cap) {
      SafeIsysState s = h.get();
      return Fallible.lift(Op.step("strscpy", x -> {
        cap.driver = NAME;
        cap.card = "Intel IPU6 ISYS Capture";
        cap.busInfo = "PCI:" + s.device;
        cap.version = Videodev2.KERNEL_VERSION;
        cap.deviceCaps = Videodev2.V4L2_CAP_VIDEO_CAPTURE | Videodev2.V4L2_CAP_STREAMING;
        cap.capabilities = cap.deviceCaps | Videodev2.V4L2_CAP_DEVICE_CAPS;
        return null;
      }));
    }

    private static boolean badType(int type, int memory) {
      return type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE || memory != Videodev2.V4L2_MEMORY_MMAP;
    }

    /** The device is still bound and this file may use the queue (vb2's owner rule). */
    private static Fallible<Void> usable(SafeIsysState s, File file) {
      return locked(s, () -> Fallible.lift(Mem.read(s.dead)).ensure(dead -> !dead, Errno.ENODEV)
          .andThen(v -> Fallible.lift(Mem.read(s.owner)))
          .ensure(owner -> owner == null || owner == file, Errno.EBUSY)
          .map(owner -> null));
    }

    @Override
    public Fallible<Void> reqbufs(KArc<SafeIsysState> h, File file, Videodev2.RequestBuffers req) {
      SafeIsysState s = h.get();
      if (badType(req.type, req.memory)) return Fallible.err(Errno.EINVAL);
      return Fallible.of(Op.fn("ipu6_isys_reqbufs", () -> withMutex(s, () -> usable(s, file)
          .andThen(v -> locked(s, () -> Fallible.lift(Mem.read(s.streaming)))).ensure(on -> !on, Errno.EBUSY)
          .andThen(v -> freeBuffers(s))
          .andThen(v -> req.count == 0
              ? locked(s, () -> Fallible.lift(Mem.write(s.owner, null))).map(x -> {
                req.capabilities = Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP;
                return (Void) null;
              })
              : allocate(s, file, req))).op()));
    }

    /** Buffers sized by the device's own FRAME_SIZE; fewer than asked if memory runs out, ENOMEM if none. */
    private static Fallible<Void> allocate(SafeIsysState s, File file, Videodev2.RequestBuffers req) {
      int count = Math.max(2, Math.min(req.count, RING_SLOTS));
      List<SafeIsysBuffer> made = new ArrayList<>();
      return s.bar.read32(REG_FRAME_SIZE).ensure(size -> size > 0, Errno.ENODEV)
          .andThen(size -> s.dma.quiesce().andThen(proof -> allocOne(s, size, count, proof, made)).map(v -> size))
          .ensure(size -> !made.isEmpty(), Errno.ENOMEM)
          .andThen(size -> locked(s, () -> Fallible.lift(Op.forEach(indices(made.size()),
                  i -> Mem.write(s.bufs, i, made.get(i)))
              .then(Mem.write(s.count, made.size()))
              .then(Mem.write(s.sizeimage, size))
              .then(Mem.write(s.owner, file)))))
          .map(v -> {
            req.count = made.size();
            req.capabilities = Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP;
            return null;
          });
    }

    private static Fallible<Void> allocOne(SafeIsysState s, int size, int count, Quiesced proof,
        List<SafeIsysBuffer> made) {
      if (made.size() == count) return Fallible.ok(null);
      return Fallible.of(s.dma.allocFromDevice(size, "ipu6 frame buffer " + size).op().then(r -> {
        if (!(r instanceof KResult.Ok<DmaBuffer> ok)) return Op.pure(KResult.<Void>ok(null)); // stop: fewer buffers
        DmaBuffer mem = ok.value();
        return Mem.kboxNew(new SafeIsysBuffer(mem)).op().then(b -> {
          if (b instanceof KResult.Ok<SafeIsysBuffer> box) {
            made.add(box.value());
            return allocOne(s, size, count, proof, made).op();
          }
          return s.dma.free(mem, proof).op(); // the metadata could not be had: give the memory back
        });
      }));
    }

    private static List<Integer> indices(int n) {
      return java.util.stream.IntStream.range(0, n).boxed().toList();
    }

    @Override
    public Fallible<Void> qbuf(KArc<SafeIsysState> h, File file, Videodev2.Buffer v) {
      SafeIsysState s = h.get();
      if (badType(v.type, v.memory)) return Fallible.err(Errno.EINVAL);
      return Fallible.of(Op.fn("ipu6_isys_qbuf", () -> withMutex(s, () -> usable(s, file).andThen(x -> locked(s,
          () -> Fallible.lift(Mem.read(s.count)).ensure(n -> v.index >= 0 && v.index < n, Errno.EINVAL)
              .andThen(n -> Mem.get(s.bufs, v.index))
              .andThen(b -> Fallible.lift(Mem.read(b.state)).ensure(st -> st == SafeIsysState.DEQUEUED, Errno.EINVAL)
                  .andThen(st -> b.memory.handle())
                  .andThen(addr -> program(s, b, v.index, addr)))))).op()));
    }

    /** Hands the buffer to the device: the descriptor's length is the typed buffer's, nothing else. */
    private static Fallible<Void> program(SafeIsysState s, SafeIsysBuffer b, int index, DmaAddress addr) {
      return Fallible.lift(Mem.read(s.ringTail)).andThen(slot -> s.bar.write32(desc(slot, DESC_ADDR_LO), addr.low32())
          .andThen(v -> s.bar.write32(desc(slot, DESC_ADDR_HI), addr.high32()))
          .andThen(v -> s.bar.write32(desc(slot, DESC_LEN), addr.length()))
          .andThen(v -> s.bar.write32(desc(slot, DESC_FLAGS), DESC_READY))
          .andThen(v -> Mem.set(s.slotBuf, slot, index))
          .andThen(v -> Fallible.lift(Mem.write(s.ringTail, (slot + 1) % RING_SLOTS)
              .then(Mem.write(b.state, SafeIsysState.QUEUED)))));
    }

    @Override
    public Fallible<Void> dqbuf(KArc<SafeIsysState> h, File file, Videodev2.Buffer v) {
      SafeIsysState s = h.get();
      if (badType(v.type, v.memory)) return Fallible.err(Errno.EINVAL);
      return Fallible.of(Op.fn("ipu6_isys_dqbuf", () -> withMutex(s, () -> dequeue(s, file, v)
          .andThen(x -> (v.flags & Videodev2.V4L2_BUF_FLAG_ERROR) == 0 ? Fallible.<Void>ok(null) : countErrorFrame(s)))
          .op()));
    }

    /** Shared bug: {@code SpinLock::lock()} (interrupts on) on the lock the interrupt handler takes. */
    private static Fallible<Void> countErrorFrame(SafeIsysState s) {
      return Fallible.lift(s.lock.with(() -> Mem.read(s.statsErrors).then(n -> Mem.write(s.statsErrors, n + 1))));
    }

    /** With the mutex held; it is dropped while sleeping (vb2's wait_prepare / wait_finish). */
    private static Fallible<Void> dequeue(SafeIsysState s, File file, Videodev2.Buffer v) {
      return usable(s, file).andThen(x -> locked(s, () -> Fallible.lift(Mem.read(s.streaming))
              .ensure(on -> on, Errno.EINVAL)
              .andThen(on -> Fallible.lift(Mem.read(s.doneCount))).ensure(c -> c > 0, Errno.EAGAIN)
              .andThen(c -> Fallible.lift(Mem.read(s.doneHead)).andThen(head -> Mem.get(s.done, head)
                  .andThen(idx -> Fallible.lift(Mem.write(s.doneHead, (head + 1) % RING_SLOTS)
                      .then(Mem.write(s.doneCount, c - 1))).andThen(w -> Mem.get(s.bufs, idx))
                      .andThen(b -> fill(v, idx, b)))))))
          .orElse(errno -> errno != Errno.EAGAIN || file.nonBlocking() ? Fallible.err(errno)
              : Fallible.lift(s.mutex.unlock())
                  .andThen(w -> Fallible.lift(s.wq.waitEvent(() -> locked(s, () -> Fallible.lift(Mem.read(s.doneCount))
                      .andThen(c -> c > 0 ? Fallible.ok(true) : Fallible.lift(Mem.read(s.streaming)).map(on -> !on))
                      .andThen(ready -> ready ? Fallible.ok(true) : Fallible.lift(Mem.read(s.dead))))
                      .op().map(r -> !r.isOk() || ((KResult.Ok<Boolean>) r).value()))))
                  .andThen(w -> Fallible.lift(s.mutex.lock()))
                  .andThen(w -> dequeue(s, file, v)));
    }

    private static Fallible<Void> fill(Videodev2.Buffer v, int index, SafeIsysBuffer b) {
      return Fallible.lift(Mem.read(b.bytesused).then(used -> Mem.read(b.sequence).then(seq -> Mem.read(b.timestamp)
          .then(ts -> Mem.read(b.flags).then(flags -> Op.<Void>step("fill_v4l2_buffer", x -> {
            v.index = index;
            v.bytesused = used;
            v.sequence = seq;
            v.timestampNanos = ts;
            v.flags = Videodev2.V4L2_BUF_FLAG_DONE | Videodev2.V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | flags;
            v.field = Videodev2.V4L2_FIELD_NONE;
            v.length = b.memory.size();
            v.offset = (long) index * ((b.memory.size() + PAGE_SIZE - 1L) / PAGE_SIZE * PAGE_SIZE);
            return null;
          }))))).then(ignored -> Mem.write(b.state, SafeIsysState.DEQUEUED)));
    }

    @Override
    public Fallible<Void> streamon(KArc<SafeIsysState> h, File file, int type) {
      SafeIsysState s = h.get();
      if (type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE) return Fallible.err(Errno.EINVAL);
      return Fallible.of(Op.fn("ipu6_isys_streamon", () -> withMutex(s, () -> usable(s, file)
          .andThen(v -> locked(s, () -> Fallible.lift(Mem.read(s.streaming))))
          .andThen(on -> on ? Fallible.ok(null) : start(s))).op()));
    }

    private static Fallible<Void> start(SafeIsysState s) {
      return locked(s, () -> Fallible.lift(Mem.read(s.count)).ensure(n -> n > 0, Errno.EINVAL)
              .andThen(n -> Fallible.lift(Mem.read(s.sizeimage))))
          .andThen(size -> s.bar.read32(REG_FRAME_SIZE).ensure(frame -> frame > 0 && frame <= size, Errno.EINVAL))
          .andThen(frame -> s.dma.allocCoherent(INFO_RING_SIZE, "ipu6 frame-info ring"))
          .andThen(ring -> ring.handle()
              .andThen(addr -> s.bar.write32(REG_INFO_LO, addr.low32())
                  .andThen(v -> s.bar.write32(REG_INFO_HI, addr.high32())))
              .andThen(v -> Fallible.lift(s.dma.started()))
              .andThen(v -> locked(s, () -> Fallible.lift(Mem.write(s.streaming, true).map(w -> {
                s.info = ring;
                return (Void) null;
              }))))
              .orElse(errno -> s.dma.quiesce().andThen(proof -> s.dma.free(ring, proof))
                  .andThen(v -> Fallible.<Void>err(errno))))
          .andThen(v -> s.bar.write32(REG_CTRL, CTRL_STREAM_EN));
    }

    @Override
    public Fallible<Void> streamoff(KArc<SafeIsysState> h, File file, int type) {
      SafeIsysState s = h.get();
      if (type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE) return Fallible.err(Errno.EINVAL);
      return Fallible.of(Op.fn("ipu6_isys_streamoff", () -> withMutex(s, () -> usable(s, file)
          .andThen(v -> stopStreaming(s))).op()));
    }
  }
}
