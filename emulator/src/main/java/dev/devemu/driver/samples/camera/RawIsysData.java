package dev.devemu.driver.samples.camera;

import dev.devemu.datasheet.Ipu6IsysDatasheet;
import dev.devemu.driver.api.v4l2.VideoDevice;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.kernel.sync.WaitQueue;

/**
 * {@code struct ipu6_isys} of the raw driver: one per device, with the {@code video_device} and the buffer queue
 * embedded, as C drivers lay it out. The lock, completion and wait queue are kernel objects embedded in it.
 */
final class RawIsysData extends KStruct {
  /** Buffer states ({@code enum vb2_buffer_state}, reduced). */
  static final int DEQUEUED = 0;
  static final int QUEUED = 1;
  static final int DONE = 2;

  final Field<IoMem> base = field("base", 8, null);
  final Field<Integer> irq = field("irq", 4, 0);
  final Field<Boolean> vdevRegistered = field("vdev.flags", 4, false);
  final Field<File> owner = field("queue.owner", 8, null);
  final Field<Integer> streaming = field("queue.streaming", 4, 0);
  final Field<Integer> numBuffers = field("queue.num_buffers", 4, 0);
  final Field<Integer> sizeimage = field("sizeimage", 4, 0);
  final Field<Integer> frameLen = field("frame_len", 4, 0);
  final Field<Integer> ringTail = field("ring_tail", 4, 0);
  final Field<Integer> doneHead = field("done_head", 4, 0);
  final Field<Integer> doneCount = field("done_count", 4, 0);
  final Field<Integer> users = field("users", 4, 0);
  final Field<Integer> statsFrames = field("stats.frames", 4, 0);
  final Field<Integer> statsDropped = field("stats.dropped", 4, 0);
  /** Frames handed to user space with V4L2_BUF_FLAG_ERROR (counted by DQBUF; see the shared bug). */
  final Field<Integer> statsErrors = field("stats.errors", 4, 0);
  /** The frame-info ring the device writes a record into per frame (dma_alloc_coherent at STREAMON). */
  final Field<dev.devemu.kernel.dma.Dma.Mapping> info = field("info", 8, null);
  final FieldArray<RawIsysBuffer> bufs = array("queue.bufs", Ipu6IsysDatasheet.RING_SLOTS, 8);
  final FieldArray<Integer> slotBuf = array("slot_buf", Ipu6IsysDatasheet.RING_SLOTS, 4);
  final FieldArray<Integer> done = array("done", Ipu6IsysDatasheet.RING_SLOTS, 4);

  /** The lock of the buffer queue (its lockdep class named as the safe variant's, so shared bugs sign alike). */
  final SpinLock lock = new SpinLock("ipu6_isys.queue.lock");
  final Completion stopDone = Completion.uninitialized("ipu6_isys.stop_done");
  final WaitQueue wq = new WaitQueue("ipu6_isys.queue.done_wq");
  final PciFunction pdev;
  VideoDevice vdev;

  RawIsysData(PciFunction pdev) {
    super("struct ipu6_isys");
    this.pdev = pdev;
  }
}
