package dev.devemu.driver.samples.bugs;

import static dev.devemu.datasheet.Ipu6IsysDatasheet.*;

import dev.devemu.driver.api.DmaApi;
import dev.devemu.driver.api.IoPoll;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.driver.api.v4l2.V4l2Ops;
import dev.devemu.driver.api.v4l2.VideoDevice;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.kernel.sync.Mutex;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.kernel.sync.WaitQueue;
import dev.devemu.spec.DmaDirection;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Videodev2;
import java.util.List;
import java.util.stream.IntStream;

/**
 * ipu6_isys with C habits but corrected: the raw sample ({@code samples.camera.RawIpu6Isys}) with its bugs fixed
 * the way a C driver fixes them, not with the safe API's types:
 * <ul>
 *   <li>stop_streaming waits for the stop acknowledgment (sent once the frame in flight has landed) with a timeout
 *   derived from the frame interval; when none comes it soft-resets the device and polls STATUS until no frame is
 *   latched and no DMA is out ({@code readl_poll_timeout}); then {@code synchronize_irq}, the frame-info ring
 *   unpublished and the queue reset under the queue lock, and only then the ring freed: neither the device nor a
 *   handler on another CPU can still touch it. With the stream off, the descriptors QBUF programmed are taken
 *   back before their buffers are freed;</li>
 *   <li>buffers are sized by the device's own FRAME_SIZE, and a descriptor's length is its buffer's; STREAMON refuses
 *   a sensor mode whose frames no longer fit;</li>
 *   <li>the handler reaps every completed descriptor from its own ring index under the lock (a lost MSI loses no
 *   buffer), waking DQBUF per buffer as vb2_buffer_done does, and takes an all-ones IRQ_STATUS or descriptor for
 *   "device gone"; DQBUF's wait condition reads with READ_ONCE, the dequeue itself under the lock;</li>
 *   <li>{@code struct ipu6_isys} is reference-counted (probe holds one reference, each open file one), ioctls, release
 *   and remove are serialised by {@code isys->mutex} (as {@code vdev->lock} does), and remove marks it dead: a file
 *   left open gets -ENODEV, and the last close frees the struct;</li>
 *   <li>every probe step's failure unwinds what came before; an errored frame is counted under
 *   {@code spin_lock_irqsave} (the raw and safe samples' shared lockdep bug, fixed).</li>
 * </ul>
 * With a {@link Defect} it carries exactly one of the mistakes the zoo lists (each a small edit, marked where it is).
 */
public final class ZooIpu6 implements RawPciDriver {
  /** The one mistake this instance makes, or none. */
  public enum Defect {
    /**
     * stop_streaming frees the frame-info ring before it unpublishes it under the queue lock, without
     * synchronize_irq: the handler that acknowledged the stop still reaps the last frame on another CPU.
     */
    UAF_STOP_VS_IRQ,
    /**
     * stop_streaming ignores the stop wait's timeout (no soft reset): when the firmware drops the stop command the
     * buffers are freed while the device still writes frames into them.
     */
    STOP_TIMEOUT_IGNORED,
    /** DQBUF takes a buffer off the done list without the queue lock the handler pushes it under. */
    UNLOCKED_DONE_LIST,
    /**
     * the handler trusts the registers: no "device gone" check of IRQ_STATUS, and the completed slot taken from
     * LAST_DONE unchecked; after a surprise removal both read all ones.
     */
    UNCHECKED_INDEX,
    /** the handler counts an input FIFO overflow under the ioctl mutex (mutex_lock in hardirq context). */
    MUTEX_IN_IRQ,
    /** REQBUFS: when dma_map_single fails, the frame memory just allocated is not freed. */
    LEAK_ON_MAP_ERROR
  }

  public static final String NAME = "ipu6_isys";
  static final int PAGE_SIZE = 4096;
  /** Microseconds between two polls of STATUS, and how long the device gets to go idle. */
  static final long IDLE_POLL_US = 1_000;
  static final long IDLE_TIMEOUT_US = 100_000;
  static final int DEQUEUED = 0;
  static final int QUEUED = 1;
  static final int DONE = 2;

  /** {@code struct ipu6_isys}: one per device, the video_device and the queue embedded. */
  static final class Data extends KStruct {
    final Field<IoMem> base = field("base", 8, null);
    final Field<Integer> irq = field("irq", 4, 0);
    final Field<Boolean> vdevRegistered = field("vdev.flags", 4, false);
    final Field<Integer> refs = field("refs", 4, 0);
    final Field<Integer> dead = field("dead", 4, 0);
    final Field<Long> frameInterval = field("frame_interval_ns", 8, 0L);
    final Field<File> owner = field("queue.owner", 8, null);
    final Field<Integer> streaming = field("queue.streaming", 4, 0);
    final Field<Integer> numBuffers = field("queue.num_buffers", 4, 0);
    final Field<Integer> sizeimage = field("sizeimage", 4, 0);
    final Field<Integer> ringTail = field("ring_tail", 4, 0);
    final Field<Integer> completeSlot = field("complete_slot", 4, 0);
    final Field<Integer> doneHead = field("done_head", 4, 0);
    final Field<Integer> doneCount = field("done_count", 4, 0);
    final Field<Integer> statsErrors = field("stats.errors", 4, 0);
    final Field<Integer> statsOverflows = field("stats.overflows", 4, 0);
    final Field<Dma.Mapping> info = field("info", 8, null);
    final FieldArray<Buffer> bufs = array("queue.bufs", RING_SLOTS, 8);
    final FieldArray<Integer> slotBuf = array("slot_buf", RING_SLOTS, 4);
    final FieldArray<Integer> done = array("done", RING_SLOTS, 4);

    /** The queue lock, shared with the interrupt handler (irqsave in process context). */
    final SpinLock lock = new SpinLock("ipu6_isys.queue.lock");
    /** Serialises the ioctls, release and remove ({@code vdev->lock}); DQBUF drops it while it sleeps. */
    final Mutex mutex = new Mutex("ipu6_isys.vdev.lock");
    final Completion stopDone = Completion.uninitialized("ipu6_isys.stop_done");
    final WaitQueue wq = new WaitQueue("ipu6_isys.queue.done_wq");
    final PciFunction pdev;
    VideoDevice vdev;

    Data(PciFunction pdev) {
      super("struct ipu6_isys");
      this.pdev = pdev;
    }
  }

  /** {@code struct ipu6_isys_buffer}. */
  static final class Buffer extends KStruct {
    final Field<Integer> state = field("vb.state", 4, DEQUEUED);
    final Field<Allocation> vaddr = field("vaddr", 8, null);
    final Field<Dma.Mapping> dma = field("dma", 8, null);
    final Field<Integer> length = field("length", 4, 0);
    final Field<Integer> bytesused = field("vb.bytesused", 4, 0);
    final Field<Integer> sequence = field("vb.sequence", 4, 0);
    final Field<Integer> flags = field("vb.flags", 4, 0);
    final Field<Long> timestamp = field("vb.timestamp", 8, 0L);

    Buffer() {
      super("struct ipu6_isys_buffer");
    }
  }

  private final Defect defect;

  /** @param defect the mistake to make, or null for the corrected driver */
  public ZooIpu6(Defect defect) {
    this.defect = defect;
  }

  private boolean has(Defect d) {
    return defect == d;
  }

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

  static List<Integer> range(int n) {
    return IntStream.range(0, Math.max(0, Math.min(n, RING_SLOTS))).boxed().toList();
  }

  // ---- probe and remove: the goto ladder ----

  @Override
  public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
    Data d = new Data(pdev);
    return PciCore.enableDevice(pdev).then(rc -> rc != 0 ? Op.rc(rc)
        : PciCore.requestRegion(pdev, 0, NAME).then(region -> region != 0
            ? PciCore.disableDevice(pdev).then(Op.rc(region))
            : PciCore.iomap(pdev, 0).then(base -> base == null ? errRegion(pdev, -Errno.ENOMEM)
                : Mem.kzalloc(d).then(s -> d.allocation() == null ? errUnmap(pdev, base, -Errno.ENOMEM)
                    : probeIrq(pdev, d, base)))));
  }

  private Op<Integer> probeIrq(PciFunction pdev, Data d, IoMem base) {
    return Mem.write(d.base, base)
        .then(Mem.write(d.refs, 1))
        .then(Op.step("kref_init", x -> {
          // the struct now lives as long as its last reference (an open file may outlive the unbind)
          d.allocation().markRefcounted();
          return null;
        }))
        .then(PciCore.ioread32(base, REG_FRAME_INTERVAL))
        .then(us -> Mem.write(d.frameInterval, (us & 0xFFFFFFFFL) * 1_000L))
        .then(d.stopDone.init())
        .then(resetSlots(d))
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
              .then(Irqs.requestIrq(irq, (i, dev) -> isr((Data) dev), NAME, d))
              .then(rc -> rc != 0 ? errVectors(pdev, d, base, rc) : probeNode(pdev, d, base, irq));
        });
  }

  private Op<Integer> probeNode(PciFunction pdev, Data d, IoMem base, int irq) {
    return PciCore.iowrite32(base, REG_IRQ_ENABLE, IRQ_ALL)
        .then(Op.defer(() -> {
          d.vdev = new VideoDevice(NAME, d.vdevRegistered, new Ops(d));
          return d.vdev.register();
        }))
        .then(rc -> rc != 0
            ? PciCore.iowrite32(base, REG_IRQ_ENABLE, 0).then(Irqs.freeIrq(irq, d)).then(errVectors(pdev, d, base, rc))
            : Printk.info(NAME + " " + pdev + ": IPU6 input system, capture on " + d.vdev.node()).then(Op.rc(0)));
  }

  private static Op<Integer> errVectors(PciFunction pdev, Data d, IoMem base, int rc) {
    return PciCore.freeIrqVectors(pdev).then(errFree(pdev, d, base, rc));
  }

  private static Op<Integer> errFree(PciFunction pdev, Data d, IoMem base, int rc) {
    return Op.<Void>step("pci_set_drvdata", x -> {
      pdev.drvdata(null);
      return null;
    }).then(Mem.kfree(d)).then(errUnmap(pdev, base, rc));
  }

  private static Op<Integer> errUnmap(PciFunction pdev, IoMem base, int rc) {
    return PciCore.iounmap(base).then(errRegion(pdev, rc));
  }

  private static Op<Integer> errRegion(PciFunction pdev, int rc) {
    return PciCore.releaseRegion(pdev, 0).then(PciCore.disableDevice(pdev)).then(Op.rc(rc));
  }

  @Override
  public Op<Void> remove(PciFunction pdev) {
    Data d = (Data) pdev.drvdata();
    // No new open after this; the files already open see "dead" under the mutex and get -ENODEV.
    return Printk.info(NAME + " " + pdev + ": removing")
        .then(Op.defer(() -> d.vdev.unregister()))
        .then(d.mutex.lock())
        .then(d.lock.withIrqSave(() -> Mem.write(d.dead, 1)))
        .then(stopStreaming(d))
        .then(freeBuffers(d))
        .then(Mem.write(d.owner, null))
        .then(d.mutex.unlock())
        .then(d.wq.wakeUp())
        .then(Mem.read(d.base))
        .then(base -> PciCore.iowrite32(base, REG_IRQ_ENABLE, 0)
            .then(Mem.read(d.irq))
            .then(irq -> Irqs.freeIrq(irq, d))
            .then(PciCore.freeIrqVectors(pdev))
            .then(PciCore.iounmap(base)))
        .then(PciCore.releaseRegion(pdev, 0))
        .then(PciCore.disableDevice(pdev))
        .then(put(d));
  }

  private static Op<Void> get(Data d) {
    return d.lock.withIrqSave(() -> Mem.read(d.refs).then(n -> Mem.write(d.refs, n + 1)));
  }

  /** kref_put: the last reference (the probe's or an open file's) frees the struct. */
  private static Op<Void> put(Data d) {
    return d.lock.withIrqSave(() -> Mem.read(d.refs).then(n -> Mem.write(d.refs, n - 1).map(v -> n - 1)))
        .then(left -> left == 0 ? Mem.kfree(d) : Op.<Void>done());
  }

  // ---- the interrupt handler ----

  /** ipu6_isys_isr: acknowledges a stop, counts overflows, reaps every completed descriptor. */
  private Op<Irqs.IrqReturn> isr(Data d) {
    return Op.fn("ipu6_isys_isr", () -> Mem.read(d.base).then(base -> PciCore.ioread32(base, REG_IRQ_STATUS)
        .then(status -> {
          if (status == 0) return Op.pure(Irqs.IrqReturn.NONE);
          // UNCHECKED_INDEX: the all-ones check is missing (the device may be gone).
          if (status == -1 && !has(Defect.UNCHECKED_INDEX)) return Op.pure(Irqs.IrqReturn.NONE);
          return PciCore.iowrite32(base, REG_IRQ_CLEAR, status)
              .then((status & IRQ_STOP_DONE) != 0 ? d.stopDone.complete() : Op.<Void>done())
              .then((status & IRQ_FIFO_OVERFLOW) != 0 ? countOverflow(d) : Op.<Void>done())
              .then((status & IRQ_FRAME_DONE) == 0 ? Op.<Void>done()
                  : d.lock.lock().then(has(Defect.UNCHECKED_INDEX) ? reapLastDone(d, base) : reap(d, base, 0))
                      .then(d.lock.unlock()))
              .then(d.wq.wakeUp())
              .then(Op.pure(Irqs.IrqReturn.HANDLED));
        })));
  }

  private Op<Void> countOverflow(Data d) {
    // MUTEX_IN_IRQ: the ioctls' mutex instead of the queue spinlock, in hardirq context.
    Op<Void> count = Mem.read(d.statsOverflows).then(n -> Mem.write(d.statsOverflows, n + 1));
    return has(Defect.MUTEX_IN_IRQ) ? d.mutex.lock().then(count).then(d.mutex.unlock())
        : d.lock.lock().then(count).then(d.lock.unlock());
  }

  /** Completes descriptors in ring order from the driver's own index while the device marked them done. */
  private static Op<Void> reap(Data d, IoMem base, int reaped) {
    if (reaped == RING_SLOTS) return Op.done();
    return Mem.read(d.streaming).then(on -> on == 0 ? Op.<Void>done() : Mem.read(d.completeSlot)
        .then(slot -> Mem.read(d.slotBuf, slot).then(idx -> idx < 0 ? Op.<Void>done()
            : PciCore.ioread32(base, desc(slot, DESC_FLAGS)).then(flags -> flags == -1 || (flags & DESC_DONE) == 0
                ? Op.<Void>done()
                : readInfo(d, slot).then(complete(d, base, slot, idx, flags)).then(reap(d, base, reaped + 1))))));
  }

  /**
   * UNCHECKED_INDEX's handler: one frame per interrupt, the slot the device names in LAST_DONE, its frame-info record
   * read first (did the CSI-2 receiver see errors?) without a bounds check.
   */
  private static Op<Void> reapLastDone(Data d, IoMem base) {
    return Mem.read(d.streaming).then(on -> on == 0 ? Op.<Void>done() : PciCore.ioread32(base, REG_LAST_DONE)
        .then(slot -> readInfo(d, slot)
            .then(slot < 0 || slot >= RING_SLOTS ? Op.pure(-1) : Mem.read(d.slotBuf, slot))
            .then(idx -> idx == null || idx < 0 ? Op.<Void>done()
                : PciCore.ioread32(base, desc(slot, DESC_FLAGS)).then(flags -> (flags & DESC_DONE) == 0
                    ? Op.<Void>done() : complete(d, base, slot, idx, flags)))));
  }

  /** The firmware's frame-info record of a slot (the ring is published while streaming; the lock is held). */
  private static Op<Void> readInfo(Data d, int slot) {
    return Mem.read(d.info).then(info -> info == null ? Op.<Void>done()
        : Mem.touch(info.buffer(), slot * INFO_RECORD_SIZE, INFO_RECORD_SIZE, false, "read frame info"));
  }

  private static Op<Void> complete(Data d, IoMem base, int slot, int idx, int flags) {
    return PciCore.ioread32(base, desc(slot, DESC_BYTESUSED)).then(used -> PciCore.ioread32(base,
            desc(slot, DESC_SEQUENCE)).then(seq -> Mem.read(d.bufs, idx).then(b -> Mem.write(b.bytesused, used)
        .then(Mem.write(b.sequence, seq))
        .then(Op.step("ktime_get_ns", x -> x.now()))
        .then(now -> Mem.write(b.timestamp, now))
        .then(Mem.write(b.flags, (flags & DESC_ERROR) != 0 ? Videodev2.V4L2_BUF_FLAG_ERROR : 0))
        .then(Mem.write(b.state, DONE)))))
        .then(Mem.read(d.doneHead))
        .then(head -> Mem.read(d.doneCount).then(count -> Mem.write(d.done, (head + count) % RING_SLOTS, idx)
            .then(Mem.write(d.doneCount, count + 1))))
        // vb2_buffer_done: each buffer wakes the waiters as it joins the done list (the lock is still held)
        .then(d.wq.wakeUp())
        .then(Mem.write(d.slotBuf, slot, -1))
        .then(Mem.write(d.completeSlot, (slot + 1) % RING_SLOTS))
        .then(PciCore.iowrite32(base, desc(slot, DESC_FLAGS), 0));
  }

  // ---- stream control (the mutex is held) ----

  /**
   * Stops the device and waits until it is idle, then returns every buffer and frees the frame-info ring. When not
   * streaming, the descriptors QBUF programmed are taken back (the device holds them until the next STREAMON).
   */
  private Op<Void> stopStreaming(Data d) {
    return Op.fn("ipu6_isys_stop_streaming", () -> Mem.read(d.base).then(base -> d.lock.withIrqSave(() ->
            Mem.read(d.streaming))
        .then(on -> on == 0 ? takeBackDescriptors(d, base) : haltStream(d, base))
        .then(has(Defect.UAF_STOP_VS_IRQ)
            // UAF_STOP_VS_IRQ: the ring is freed before it is unpublished, and no synchronize_irq.
            ? Mem.read(d.info).then(info -> info == null ? Op.<Void>done() : DmaApi.freeCoherent(info))
                .then(d.lock.withIrqSave(() -> resetQueueLocked(d)))
            : Mem.read(d.irq).then(Irqs::synchronizeIrq)
                .then(d.lock.withIrqSave(() -> Mem.read(d.info).then(info -> resetQueueLocked(d).then(Op.pure(info)))))
                .then(info -> info == null ? Op.<Void>done() : PciCore.iowrite32(base, REG_INFO_LO, 0)
                    .then(PciCore.iowrite32(base, REG_INFO_HI, 0))
                    .then(DmaApi.freeCoherent(info)))))
        .then(d.wq.wakeUp()));
  }

  /**
   * Asks for a stop and waits for the acknowledgment (the device sends it once the frame in flight has landed and
   * its ring is flushed); when none comes in time, soft-resets the device and waits until it is idle.
   */
  private Op<Void> haltStream(Data d, IoMem base) {
    return Mem.read(d.frameInterval).then(interval -> d.stopDone.init()
        .then(PciCore.iowrite32(base, REG_CTRL, 0))
        .then(d.stopDone.waitForCompletionTimeout(2 * interval + 50_000_000L))
        // STOP_TIMEOUT_IGNORED: the result of the wait is not looked at.
        .then(left -> left > 0 || has(Defect.STOP_TIMEOUT_IGNORED) ? Op.<Void>done()
            : Printk.err(NAME + " " + d.pdev + ": no stop acknowledgment, resetting")
                .then(resetAndWaitIdle(d, base))));
  }

  /** Clears READY of every descriptor QBUF programmed while the stream was off (the device is not reading them). */
  private static Op<Void> takeBackDescriptors(Data d, IoMem base) {
    return d.lock.withIrqSave(() -> Op.forEach(range(RING_SLOTS), slot -> Mem.read(d.slotBuf, slot)
        .then(idx -> idx < 0 ? Op.<Void>done() : PciCore.iowrite32(base, desc(slot, DESC_FLAGS), 0))));
  }

  /**
   * Soft reset (flushes the ring), then STATUS polled until no frame
   * is latched and no DMA is out: a transfer already issued still lands after the reset. All ones: the device is
   * gone and writes nothing more.
   */
  private static Op<Void> resetAndWaitIdle(Data d, IoMem base) {
    return PciCore.iowrite32(base, REG_CTRL, CTRL_SOFT_RESET)
        .then(IoPoll.readlPollTimeout(base, REG_STATUS,
            status -> status == -1 || (status & (STATUS_STREAMING | STATUS_CAPTURING | STATUS_DMA_BUSY)) == 0,
            IDLE_POLL_US, IDLE_TIMEOUT_US))
        .then(polled -> polled.rc() == 0 ? Op.<Void>done()
            : Printk.err(NAME + " " + d.pdev + ": device still busy after reset (status 0x"
                + Integer.toHexString(polled.value()) + ")"));
  }

  /** Every buffer back to user space's side, the ring unpublished (the lock is held). */
  private static Op<Void> resetQueueLocked(Data d) {
    return Mem.write(d.streaming, 0)
        .then(Mem.write(d.info, null))
        .then(Mem.write(d.ringTail, 0))
        .then(Mem.write(d.completeSlot, 0))
        .then(Mem.write(d.doneHead, 0))
        .then(Mem.write(d.doneCount, 0))
        .then(resetSlots(d))
        .then(Mem.read(d.numBuffers))
        .then(n -> Op.forEach(range(n), i -> Mem.read(d.bufs, i).then(b -> Mem.write(b.state, DEQUEUED))));
  }

  private static Op<Void> resetSlots(Data d) {
    return Op.forEach(range(RING_SLOTS), slot -> Mem.write(d.slotBuf, slot, -1));
  }

  /** Unlinks every buffer under the lock, then unmaps and frees it (the device is idle: stopStreaming ran). */
  private static Op<Void> freeBuffers(Data d) {
    return Op.fn("ipu6_isys_free_buffers", () -> d.lock.withIrqSave(() -> Mem.read(d.numBuffers))
        .then(n -> Op.forEach(range(n), i -> d.lock.withIrqSave(() -> Mem.read(d.bufs, i)
                .then(b -> Mem.write(d.bufs, i, null).then(Op.pure(b))))
            .then(b -> b == null ? Op.<Void>done() : Mem.read(b.dma).then(DmaApi::unmapSingle)
                .then(Mem.read(b.vaddr)).then(Mem::kfree).then(Mem.kfree(b)))))
        .then(d.lock.withIrqSave(() -> Mem.write(d.numBuffers, 0))));
  }

  // ---- the V4L2 operations ----

  /** The ioctls: each under the mutex, refusing a dead device and another file's queue. */
  private final class Ops implements V4l2Ops {
    private final Data d;

    Ops(Data d) {
      this.d = d;
    }

    /** Runs {@code body} with the mutex held, unless the device is gone or another file owns the queue. */
    private Op<Integer> locked(File file, java.util.function.Supplier<Op<Integer>> body) {
      return d.mutex.lock().then(Mem.read(d.dead)).then(dead -> dead != 0 ? Op.rc(-Errno.ENODEV)
              : Mem.read(d.owner).then(owner -> owner != null && owner != file ? Op.rc(-Errno.EBUSY) : body.get()))
          .then(rc -> d.mutex.unlock().then(Op.rc(rc)));
    }

    @Override
    public Op<Integer> open(File file) {
      // v4l2_open holds videodev_lock: the node is still registered, so the struct is alive to take a reference on
      return Op.fn("ipu6_isys_open", () -> get(d).then(Op.step("file->private_data = isys", x -> {
        file.privateData(d);
        return 0;
      })));
    }

    @Override
    public Op<Integer> release(File file) {
      Data isys = (Data) file.privateData();
      return Op.fn("ipu6_isys_release", () -> isys.mutex.lock()
          .then(Mem.read(isys.dead))
          .then(dead -> dead != 0 ? Op.<Void>done() : Mem.read(isys.owner).then(owner -> owner != file ? Op.<Void>done()
              : stopStreaming(isys).then(freeBuffers(isys)).then(Mem.write(isys.owner, null))))
          .then(isys.mutex.unlock())
          .then(put(isys))
          .then(Op.rc(0)));
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

    private boolean badType(int type, int memory) {
      return type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE || memory != Videodev2.V4L2_MEMORY_MMAP;
    }

    @Override
    public Op<Integer> reqbufs(File file, Videodev2.RequestBuffers req) {
      return Op.fn("ipu6_isys_reqbufs", () -> {
        if (badType(req.type, req.memory)) return Op.rc(-Errno.EINVAL);
        return locked(file, () -> d.lock.withIrqSave(() -> Mem.read(d.streaming)).then(on -> on != 0
            ? Op.rc(-Errno.EBUSY)
            : stopStreaming(d).then(freeBuffers(d)).then(ignored -> req.count == 0
                ? Mem.write(d.owner, null).then(Op.step("reqbufs", x -> {
                  req.capabilities = Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP;
                  return 0;
                }))
                : allocate(file, req))));
      });
    }

    /** Buffers of the device's own FRAME_SIZE; fewer than asked when memory runs out, -ENOMEM when none. */
    private Op<Integer> allocate(File file, Videodev2.RequestBuffers req) {
      int count = Math.max(2, Math.min(req.count, RING_SLOTS));
      return Mem.read(d.base).then(base -> PciCore.ioread32(base, REG_FRAME_SIZE)).then(size -> {
        if (size <= 0) return Op.rc(-Errno.ENODEV); // all ones: the device is gone
        return allocOne(size, 0, count).then(n -> n == 0 ? Op.rc(-Errno.ENOMEM)
            : d.lock.withIrqSave(() -> Mem.write(d.numBuffers, n).then(Mem.write(d.sizeimage, size)))
                .then(Mem.write(d.owner, file))
                .then(Op.step("reqbufs", x -> {
                  req.count = n;
                  req.capabilities = Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP;
                  return 0;
                })));
      });
    }

    /** Allocates buffers {@code i..count-1}; stops at the first failure and returns how many exist. */
    private Op<Integer> allocOne(int size, int i, int count) {
      if (i == count) return Op.pure(count);
      Buffer b = new Buffer();
      return Mem.kzalloc(b).then(s -> b.allocation() == null ? Op.pure(i)
          : Mem.kmalloc(size, "ipu6 frame buffer " + size).then(vaddr -> vaddr == null ? Mem.kfree(b).then(Op.pure(i))
              : DmaApi.mapSingle(vaddr, size, DmaDirection.FROM_DEVICE).then(dma -> dma == null
                  // LEAK_ON_MAP_ERROR: the frame memory is not freed on this path.
                  ? (has(Defect.LEAK_ON_MAP_ERROR) ? Op.<Void>done() : Mem.kfree(vaddr)).then(Mem.kfree(b))
                      .then(Op.pure(i))
                  : Mem.write(b.vaddr, vaddr).then(Mem.write(b.dma, dma)).then(Mem.write(b.length, size))
                      .then(Mem.write(b.state, DEQUEUED))
                      .then(d.lock.withIrqSave(() -> Mem.write(d.bufs, i, b)))
                      .then(allocOne(size, i + 1, count)))));
    }

    @Override
    public Op<Integer> qbuf(File file, Videodev2.Buffer v) {
      return Op.fn("ipu6_isys_qbuf", () -> {
        if (badType(v.type, v.memory)) return Op.rc(-Errno.EINVAL);
        return locked(file, () -> d.lock.withIrqSave(() -> Mem.read(d.numBuffers).then(n -> {
          if (v.index < 0 || v.index >= n) return Op.rc(-Errno.EINVAL);
          return Mem.read(d.bufs, v.index).then(b -> Mem.read(b.state).then(state -> state != DEQUEUED
              ? Op.rc(-Errno.EINVAL) : program(b, v.index).then(Op.rc(0))));
        })));
      });
    }

    /** Puts the buffer into the next ring slot and hands its descriptor to the device (the lock is held). */
    private Op<Void> program(Buffer b, int index) {
      return Mem.read(d.base).then(base -> Mem.read(d.ringTail).then(slot -> Mem.write(d.ringTail,
              (slot + 1) % RING_SLOTS)
          .then(Mem.write(d.slotBuf, slot, index))
          .then(Mem.write(b.state, QUEUED))
          .then(Mem.read(b.dma))
          .then(dma -> PciCore.iowrite32(base, desc(slot, DESC_ADDR_LO), (int) dma.iova())
              .then(PciCore.iowrite32(base, desc(slot, DESC_ADDR_HI), (int) (dma.iova() >>> 32))))
          .then(Mem.read(b.length))
          .then(len -> PciCore.iowrite32(base, desc(slot, DESC_LEN), len))
          .then(PciCore.iowrite32(base, desc(slot, DESC_FLAGS), DESC_READY))));
    }

    @Override
    public Op<Integer> dqbuf(File file, Videodev2.Buffer v) {
      return Op.fn("ipu6_isys_dqbuf", () -> {
        if (badType(v.type, v.memory)) return Op.rc(-Errno.EINVAL);
        return locked(file, () -> waitDone(file, v).then(rc -> rc == 0 && (v.flags & Videodev2.V4L2_BUF_FLAG_ERROR) != 0
            ? d.lock.withIrqSave(() -> Mem.read(d.statsErrors).then(n -> Mem.write(d.statsErrors, n + 1))).then(Op.rc(0))
            : Op.rc(rc)));
      });
    }

    /** Dequeues a done buffer (the mutex is held; it is dropped while sleeping, as vb2's wait_prepare does). */
    private Op<Integer> waitDone(File file, Videodev2.Buffer v) {
      return takeDone(v).then(rc -> {
        if (rc != -Errno.EAGAIN || file.nonBlocking()) return Op.rc(rc);
        return d.mutex.unlock()
            // the condition reads without the lock, as vb2's does (READ_ONCE); the dequeue itself takes the lock
            .then(d.wq.waitEvent(() -> Mem.readOnce(d.doneCount).then(c -> c > 0 ? Op.pure(true)
                : Mem.readOnce(d.streaming).then(s -> s == 0 ? Op.pure(true) : Mem.readOnce(d.dead).map(dead -> dead != 0)))))
            .then(d.mutex.lock())
            .then(Mem.read(d.dead))
            .then(dead -> dead != 0 ? Op.rc(-Errno.ENODEV) : waitDone(file, v));
      });
    }

    /** 0 with {@code v} filled, -EINVAL when not streaming, -EAGAIN when nothing is done yet. */
    private Op<Integer> takeDone(Videodev2.Buffer v) {
      Op<Integer> body = Mem.read(d.streaming).then(on -> on == 0 ? Op.rc(-Errno.EINVAL)
          : Mem.read(d.doneCount).then(count -> count == 0 ? Op.rc(-Errno.EAGAIN)
              : Mem.read(d.doneHead).then(head -> Mem.read(d.done, head)
                  .then(idx -> Mem.write(d.doneHead, (head + 1) % RING_SLOTS).then(Mem.write(d.doneCount, count - 1))
                      .then(Mem.read(d.bufs, idx)).then(b -> fill(v, idx, b)).then(Op.rc(0))))));
      // UNLOCKED_DONE_LIST: the done list is taken from without the queue lock the handler holds.
      return has(Defect.UNLOCKED_DONE_LIST) ? body : d.lock.withIrqSave(() -> body);
    }

    private Op<Void> fill(Videodev2.Buffer v, int index, Buffer b) {
      return Mem.read(b.bytesused).then(used -> Mem.read(b.sequence).then(seq -> Mem.read(b.timestamp)
          .then(ts -> Mem.read(b.flags).then(flags -> Mem.read(b.length).then(len -> Op.<Void>step("fill_v4l2_buffer",
              x -> {
                v.index = index;
                v.bytesused = used;
                v.sequence = seq;
                v.timestampNanos = ts;
                v.flags = Videodev2.V4L2_BUF_FLAG_DONE | Videodev2.V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | flags;
                v.field = Videodev2.V4L2_FIELD_NONE;
                v.length = len;
                v.offset = (long) index * ((len + PAGE_SIZE - 1L) / PAGE_SIZE * PAGE_SIZE);
                return null;
              }))))))
          .then(Mem.write(b.state, DEQUEUED));
    }

    @Override
    public Op<Integer> streamon(File file, int type) {
      return Op.fn("ipu6_isys_streamon", () -> {
        if (type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE) return Op.rc(-Errno.EINVAL);
        return locked(file, () -> d.lock.withIrqSave(() -> Mem.read(d.streaming)).then(on -> on != 0 ? Op.rc(0)
            : d.lock.withIrqSave(() -> Mem.read(d.numBuffers)).then(n -> n == 0 ? Op.rc(-Errno.EINVAL) : start())));
      });
    }

    /** The sensor mode must still fit the buffers; then the info ring, published under the lock, then the stream. */
    private Op<Integer> start() {
      return Mem.read(d.base).then(base -> PciCore.ioread32(base, REG_FRAME_SIZE).then(frame -> Mem.read(d.sizeimage)
          .then(size -> frame <= 0 || frame > size ? Op.rc(-Errno.EINVAL)
              : DmaApi.allocCoherent(INFO_RING_SIZE, "ipu6 frame-info ring").then(info -> info == null
                  ? Op.rc(-Errno.ENOMEM)
                  : PciCore.iowrite32(base, REG_INFO_LO, (int) info.iova())
                      .then(PciCore.iowrite32(base, REG_INFO_HI, (int) (info.iova() >>> 32)))
                      .then(d.lock.withIrqSave(() -> Mem.write(d.info, info).then(Mem.write(d.streaming, 1))))
                      .then(PciCore.iowrite32(base, REG_CTRL, CTRL_STREAM_EN))
                      .then(Op.rc(0))))));
    }

    @Override
    public Op<Integer> streamoff(File file, int type) {
      return Op.fn("ipu6_isys_streamoff", () -> {
        if (type != Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE) return Op.rc(-Errno.EINVAL);
        return locked(file, () -> stopStreaming(d).then(Op.rc(0)));
      });
    }
  }
}
