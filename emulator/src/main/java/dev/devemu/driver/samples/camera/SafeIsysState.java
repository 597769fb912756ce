package dev.devemu.driver.samples.camera;

import dev.devemu.datasheet.Ipu6IsysDatasheet;
import dev.devemu.driver.api.dma.DmaEngine;
import dev.devemu.driver.api.pci.Bar;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.kernel.sync.Mutex;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.kernel.sync.WaitQueue;

/**
 * The safe driver's device state, shared by the binding and every open file through a {@code KArc}: it outlives
 * an unbind while a file is open, and says so ({@code dead}) instead of being freed under the file. The queue's
 * fields are only touched with {@link #lock} held (Rust's {@code SpinLock<Queue>}); the ioctls are serialised by
 * {@link #mutex} ({@code vdev->lock}), which DQBUF drops while it sleeps.
 */
final class SafeIsysState extends KStruct {
  static final int DEQUEUED = 0;
  static final int QUEUED = 1;
  static final int DONE = 2;

  final Field<Boolean> vdevRegistered = field("vdev.flags", 4, false);
  final Field<Boolean> dead = field("dead", 4, false);
  final Field<File> owner = field("queue.owner", 8, null);
  final Field<Boolean> streaming = field("queue.streaming", 4, false);
  final Field<Integer> count = field("queue.num_buffers", 4, 0);
  final Field<Integer> sizeimage = field("sizeimage", 4, 0);
  final Field<Integer> ringTail = field("ring_tail", 4, 0);
  final Field<Integer> completeSlot = field("complete_slot", 4, 0);
  final Field<Integer> doneHead = field("done_head", 4, 0);
  final Field<Integer> doneCount = field("done_count", 4, 0);
  /** Frames handed to user space with V4L2_BUF_FLAG_ERROR (counted by DQBUF; see the shared bug). */
  final Field<Integer> statsErrors = field("stats.errors", 4, 0);
  final FieldArray<SafeIsysBuffer> bufs = array("queue.bufs", Ipu6IsysDatasheet.RING_SLOTS, 8);
  final FieldArray<Integer> slotBuf = array("slot_buf", Ipu6IsysDatasheet.RING_SLOTS, 4);
  final FieldArray<Integer> done = array("done", Ipu6IsysDatasheet.RING_SLOTS, 4);

  final SpinLock lock = new SpinLock("ipu6_isys.queue.lock");
  final Mutex mutex = new Mutex("ipu6_isys.vdev.lock");
  final Completion stopDone = Completion.initialized("ipu6_isys.stop_done");
  final WaitQueue wq = new WaitQueue("ipu6_isys.queue.done_wq");
  final String device;
  /** Frame interval of the sensor, for the stop timeout (read once at probe). */
  long frameIntervalNanos;
  Bar bar;
  DmaEngine dma;
  /** The frame-info ring while streaming (Rust: {@code Option<DmaBuffer>} inside the locked queue). */
  dev.devemu.driver.api.dma.DmaBuffer info;

  SafeIsysState(String device) {
    super("struct ipu6_isys");
    this.device = device;
  }
}
