package dev.devemu.hw.device.camera;

import static dev.devemu.datasheet.Ipu6IsysDatasheet.*;

import dev.devemu.fault.Faults;
import dev.devemu.hw.pci.DeviceContext;
import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.hw.pci.PciDeviceModel;
import dev.devemu.sim.Cause;
import dev.devemu.spec.DmaDirection;

/**
 * An IPU6-style camera input system (ISYS) as a PCIe function, in the spirit of QEMU's {@code hw/misc/edu.c}: a
 * sensor delivers frames at a fixed rate; for each frame the ISYS takes the descriptor at the head of its ring,
 * writes the frame into that buffer with one DMA transfer through the host bridge (so KASAN and the IOMMU see
 * every byte), marks the descriptor done and raises its MSI.
 *
 * <p>The IDs and the register map are in {@link dev.devemu.datasheet.Ipu6IsysDatasheet}.
 *
 * <p>When a frame ends the device writes it (one transfer, never per line), marks the descriptor, writes a 32-byte
 * frame-info record for the slot into the info ring ({@code sequence, bytesused, flags, -, timestamp}: the
 * firmware's response, as a driver reads it from shared memory), and only then raises the MSI — as PCIe orders
 * posted writes before the MSI. A stop requested while a frame is in flight is acknowledged with that frame's
 * interrupt (STOP_DONE | FRAME_DONE).
 *
 * <p>Timing: frames start every {@code 1/fps}; the image is read out during the first 90% of the interval and
 * written at the end of the readout, with a little jitter. A frame that
 * finds no ready descriptor at its start is dropped (NO_BUFFER) — the buffer underrun a driver causes by not
 * returning buffers in time. Surprise removal makes reads return all ones (the bus glue) and stops DMA.
 */
public final class Ipu6IsysDevice implements PciDeviceModel {
  /** Fault points of this device ({@link Ipu6IsysFaultPoints}). */
  public static final String FAULT_IRQ_LOST = "ipu6_irq_lost";
  public static final String FAULT_FIFO_OVERFLOW = "ipu6_fifo_overflow";
  public static final String FAULT_STOP_LOST = "ipu6_stop_lost";

  /** The sensor mode and the frame clock, fixed for the device's life (a scenario's keys). */
  public record Mode(int width, int height, int bytesPerPixel, int embeddedLines, int lineAlign, double fps) {
    public Mode {
      if (width <= 0 || height <= 0 || bytesPerPixel <= 0 || embeddedLines < 0) {
        throw new IllegalArgumentException("bad sensor mode " + width + "x" + height + "x" + bytesPerPixel);
      }
      if (lineAlign <= 0 || Integer.bitCount(lineAlign) != 1) {
        throw new IllegalArgumentException("line alignment must be a power of two");
      }
      if (!(fps > 0)) throw new IllegalArgumentException("fps must be positive");
      if ((long) stride(width, bytesPerPixel, lineAlign) * (height + embeddedLines) > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("frame larger than 2 GiB");
      }
    }

    private static int stride(int width, int bpp, int align) {
      return (width * bpp + align - 1) / align * align;
    }

    public int stride() {
      return stride(width, bytesPerPixel, lineAlign);
    }

    /** Bytes one frame needs in memory: stride × (height + embedded lines). */
    public int frameSize() {
      return stride() * (height + embeddedLines);
    }

    /** What a driver computes if it forgets the stride alignment and the embedded lines. */
    public int packedImageSize() {
      return width * height * bytesPerPixel;
    }

    public long frameIntervalNanos() {
      return Math.max(1, Math.round(1e9 / fps));
    }
  }

  // timer tokens carry the generation they belong to: a stop or a reset makes older ones stale
  private record StartOfFrame(long generation) {}

  private record EndOfFrame(long generation) {}

  private record StopAck(long generation) {}

  private final PciConfigSpace config;
  private final Mode mode;
  private final Faults faults;
  private final long interval;
  private final long readout;

  private final int[] descLo = new int[RING_SLOTS];
  private final int[] descHi = new int[RING_SLOTS];
  private final int[] descLen = new int[RING_SLOTS];
  private final int[] descFlags = new int[RING_SLOTS];
  private final int[] descBytesused = new int[RING_SLOTS];
  private final int[] descSequence = new int[RING_SLOTS];

  private boolean streaming;
  private boolean stopping;
  private int capturingSlot = -1;
  private int irqStatus;
  private int irqEnable;
  private int head;
  private int lastDone;
  private int sequence;
  private int frameCount;
  private int dropCount;
  private long generation;
  private long nextDmaTag;
  private int infoLo;
  private int infoHi;
  /** The transfer out at the host bridge, or -1 (DMA_BUSY while set); one at a time, image then info record. */
  private long dmaTag = -1;
  /** False once a soft reset orphaned the transfer: it still lands, but finishes no frame. */
  private boolean dmaFinishesFrame;
  /** What the outstanding transfer is: the image of the latched frame, or its info record. */
  private boolean dmaIsInfo;
  private int dmaLength;
  private boolean dmaTruncated;
  /** IRQ_STATUS bits the frame being finished will raise once its info record has landed. */
  private int pendingCause;
  private long framesWritten;

  /**
   * @param faults the kernel's fault points, consulted for this device's own ({@code ipu6_*}); may be null
   */
  public Ipu6IsysDevice(int revision, Mode mode, Faults faults) {
    this.mode = mode;
    this.faults = faults;
    this.interval = mode.frameIntervalNanos();
    this.readout = Math.max(1, interval * 9 / 10);
    this.config = PciConfigSpace.builder(VENDOR, DEVICE)
        .revision(revision)
        .classCode(CLASS_MULTIMEDIA_OTHER)
        .subsystem(VENDOR, DEVICE)
        .interruptPin(1)
        .memoryBar(0, BAR0_SIZE, true, false)
        .powerManagement()
        .msi(1, true)
        .express(1, 1)
        .build();
  }

  @Override
  public String name() {
    return "IPU6 input system";
  }

  @Override
  public PciConfigSpace config() {
    return config;
  }

  public Mode mode() {
    return mode;
  }

  /** Frames written into memory so far (for tests and statistics). */
  public long framesWritten() {
    return framesWritten;
  }

  public int dropCount() {
    return dropCount;
  }

  // ---- registers ----

  @Override
  public long readBar(int bar, long offset, int size, DeviceContext dev) {
    if (bar != 0 || size != 4) return 0xFFFFFFFFL;
    int off = (int) offset;
    if (off >= REG_DESC_BASE && off < REG_DESC_BASE + RING_SLOTS * DESC_STRIDE) {
      int slot = (off - REG_DESC_BASE) / DESC_STRIDE;
      return switch ((off - REG_DESC_BASE) % DESC_STRIDE) {
        case DESC_ADDR_LO -> descLo[slot] & 0xFFFFFFFFL;
        case DESC_ADDR_HI -> descHi[slot] & 0xFFFFFFFFL;
        case DESC_LEN -> descLen[slot] & 0xFFFFFFFFL;
        case DESC_FLAGS -> descFlags[slot];
        case DESC_BYTESUSED -> descBytesused[slot] & 0xFFFFFFFFL;
        case DESC_SEQUENCE -> descSequence[slot] & 0xFFFFFFFFL;
        default -> 0;
      };
    }
    return switch (off) {
      case REG_ID -> ((long) DEVICE << 16) | VENDOR;
      case REG_CAPS -> (VERSION << 8) | RING_SLOTS;
      case REG_CTRL -> streaming && !stopping ? CTRL_STREAM_EN : 0;
      case REG_STATUS -> status();
      case REG_IRQ_STATUS -> irqStatus;
      case REG_IRQ_ENABLE -> irqEnable;
      case REG_WIDTH -> mode.width();
      case REG_HEIGHT -> mode.height();
      case REG_BPP -> mode.bytesPerPixel();
      case REG_STRIDE -> mode.stride();
      case REG_EMBEDDED_LINES -> mode.embeddedLines();
      case REG_FRAME_SIZE -> mode.frameSize() & 0xFFFFFFFFL;
      case REG_FRAME_INTERVAL -> interval / 1_000;
      case REG_FRAME_COUNT -> frameCount & 0xFFFFFFFFL;
      case REG_DROP_COUNT -> dropCount & 0xFFFFFFFFL;
      case REG_HEAD -> head;
      case REG_LAST_DONE -> lastDone;
      case REG_INFO_LO -> infoLo & 0xFFFFFFFFL;
      case REG_INFO_HI -> infoHi & 0xFFFFFFFFL;
      default -> 0;
    };
  }

  private int status() {
    return (streaming ? STATUS_STREAMING : 0) | (capturingSlot >= 0 ? STATUS_CAPTURING : 0)
        | (stopping ? STATUS_STOPPING : 0) | (dmaTag >= 0 ? STATUS_DMA_BUSY : 0);
  }

  @Override
  public void writeBar(int bar, long offset, int size, long value, DeviceContext dev) {
    if (bar != 0 || size != 4) return;
    int off = (int) offset;
    int v = (int) value;
    if (off >= REG_DESC_BASE && off < REG_DESC_BASE + RING_SLOTS * DESC_STRIDE) {
      int slot = (off - REG_DESC_BASE) / DESC_STRIDE;
      switch ((off - REG_DESC_BASE) % DESC_STRIDE) {
        case DESC_ADDR_LO -> descLo[slot] = v;
        case DESC_ADDR_HI -> descHi[slot] = v;
        case DESC_LEN -> descLen[slot] = v;
        case DESC_FLAGS -> descFlags[slot] = v & (DESC_READY | DESC_DONE | DESC_ERROR);
        default -> { }
      }
      return;
    }
    switch (off) {
      case REG_CTRL -> control(v, dev);
      case REG_IRQ_CLEAR -> irqStatus &= ~v;
      case REG_IRQ_ENABLE -> irqEnable = v & IRQ_ALL;
      case REG_INFO_LO -> infoLo = v;
      case REG_INFO_HI -> infoHi = v;
      default -> { }
    }
  }

  private void control(int v, DeviceContext dev) {
    if ((v & CTRL_SOFT_RESET) != 0) {
      softReset();
      return;
    }
    boolean enable = (v & CTRL_STREAM_EN) != 0;
    if (enable && !streaming) {
      start(dev);
    } else if (!enable && streaming && !stopping) {
      if (inject(FAULT_STOP_LOST, dev)) return; // the firmware never saw the command: the stream runs on
      stopping = true;
      // no frame in flight: the firmware acknowledges after a short latency; else the frame ends first
      if (capturingSlot < 0) dev.schedule(20_000 + dev.random().nextLong(180_000), new StopAck(generation));
    }
  }

  private void start(DeviceContext dev) {
    generation++;
    streaming = true;
    stopping = false;
    capturingSlot = -1;
    head = 0;
    sequence = 0;
    frameCount = 0;
    dropCount = 0;
    // the sensor's frame clock is not aligned with the start command
    dev.schedule(1 + dev.random().nextLong(interval), new StartOfFrame(generation));
  }

  private void softReset() {
    generation++;
    streaming = false;
    stopping = false;
    capturingSlot = -1;
    flushRing();
    head = 0;
    lastDone = 0;
    irqStatus = 0;
    sequence = 0;
    frameCount = 0;
    dropCount = 0;
    dmaFinishesFrame = false; // a transfer already issued still lands (DMA_BUSY until then), but ends no frame
  }

  private void flushRing() {
    for (int i = 0; i < RING_SLOTS; i++) descFlags[i] &= ~DESC_READY;
  }

  // ---- the frame clock ----

  @Override
  public void onTimer(Object token, DeviceContext dev) {
    if (token instanceof StartOfFrame s && s.generation() == generation) {
      startOfFrame(dev);
    } else if (token instanceof EndOfFrame e && e.generation() == generation) {
      endOfFrame(dev);
    } else if (token instanceof StopAck a && a.generation() == generation) {
      finishStop(dev);
    }
  }

  private void startOfFrame(DeviceContext dev) {
    if (!streaming || stopping) return;
    dev.schedule(interval, new StartOfFrame(generation));
    if (capturingSlot >= 0 || dmaTag >= 0) {
      // the previous frame has not been written yet (a slow bus): this one is lost in the input FIFO
      drop(dev, IRQ_FIFO_OVERFLOW);
      return;
    }
    if ((descFlags[head] & DESC_READY) == 0) {
      drop(dev, IRQ_NO_BUFFER);
      return;
    }
    capturingSlot = head;
    long jitter = dev.random().nextLong(Math.max(1, Math.min(interval / 100, 100_000)));
    dev.schedule(readout + jitter, new EndOfFrame(generation));
  }

  private void drop(DeviceContext dev, int cause) {
    sequence++;
    dropCount++;
    int n = sequence;
    String why = cause == IRQ_NO_BUFFER ? "no buffer" : "FIFO overflow";
    raise(dev, cause, () -> "frame " + n + " dropped (" + why + ")");
  }

  private void endOfFrame(DeviceContext dev) {
    int slot = capturingSlot;
    if (slot < 0) return;
    if (inject(FAULT_FIFO_OVERFLOW, dev)) {
      // the input FIFO overflowed mid-frame: nothing reaches memory, the descriptor completes with an error
      frameWritten(dev, slot, 0, DESC_ERROR, IRQ_FRAME_DONE | IRQ_FIFO_OVERFLOW);
      return;
    }
    int len = descLen[slot];
    int frame = mode.frameSize();
    boolean truncated = Integer.compareUnsigned(frame, len) > 0;
    int length = truncated ? len : frame;
    if (length <= 0) {
      frameWritten(dev, slot, 0, DESC_ERROR, IRQ_FRAME_DONE | IRQ_TRUNCATED);
      return;
    }
    long bus = ((long) descHi[slot] << 32) | (descLo[slot] & 0xFFFFFFFFL);
    int seq = sequence;
    if (!transfer(dev, bus, length, false, () -> "frame " + seq + " read out into slot " + slot)) {
      frameWritten(dev, slot, 0, DESC_ERROR, IRQ_FRAME_DONE | IRQ_DMA_ERROR); // bus mastering off
      return;
    }
    dmaLength = length;
    dmaTruncated = truncated;
  }

  private boolean transfer(DeviceContext dev, long bus, int length, boolean info,
      java.util.function.Supplier<String> what) {
    long tag = nextDmaTag++;
    if (!dev.dma(bus, length, DmaDirection.FROM_DEVICE, tag, dev.cause(what))) return false;
    dmaTag = tag;
    dmaFinishesFrame = true;
    dmaIsInfo = info;
    return true;
  }

  @Override
  public void onDmaCompleted(long tag, int status, int length, DeviceContext dev) {
    if (tag != dmaTag) return;
    dmaTag = -1;
    if (!dmaFinishesFrame) return;
    if (dmaIsInfo) {
      finish(dev, pendingCause | (status != 0 ? IRQ_DMA_ERROR : 0));
      return;
    }
    if (status == 0) framesWritten++;
    int flags = status != 0 || dmaTruncated ? DESC_ERROR : 0;
    int cause = IRQ_FRAME_DONE | (status != 0 ? IRQ_DMA_ERROR : 0) | (dmaTruncated ? IRQ_TRUNCATED : 0);
    frameWritten(dev, capturingSlot, status == 0 ? dmaLength : 0, flags, cause);
  }

  /** The image is in memory (or lost): mark the descriptor, then write the info record, then interrupt. */
  private void frameWritten(DeviceContext dev, int slot, int bytesused, int errorFlags, int cause) {
    descFlags[slot] = (descFlags[slot] & ~DESC_READY) | DESC_DONE | errorFlags;
    descBytesused[slot] = bytesused;
    descSequence[slot] = sequence;
    sequence++;
    frameCount++;
    lastDone = slot;
    head = (head + 1) % RING_SLOTS;
    long info = ((long) infoHi << 32) | (infoLo & 0xFFFFFFFFL);
    if (info != 0) {
      pendingCause = cause;
      int seq = descSequence[slot];
      if (transfer(dev, info + (long) slot * INFO_RECORD_SIZE, INFO_RECORD_SIZE, true,
          () -> "frame-info record " + seq + " for slot " + slot)) {
        return;
      }
      cause |= IRQ_DMA_ERROR;
    }
    finish(dev, cause);
  }

  private void finish(DeviceContext dev, int cause) {
    int slot = lastDone;
    int seq = descSequence[slot];
    capturingSlot = -1;
    if (stopping) {
      stopDone();
      cause |= IRQ_STOP_DONE;
    }
    raise(dev, cause, () -> "frame " + seq + " done in slot " + slot);
  }

  private void finishStop(DeviceContext dev) {
    if (!stopping || capturingSlot >= 0) return;
    stopDone();
    raise(dev, IRQ_STOP_DONE, () -> "stream stopped");
  }

  /** The firmware acknowledges the stop and hands back every descriptor it still held. */
  private void stopDone() {
    generation++;
    streaming = false;
    stopping = false;
    flushRing();
  }

  /** Sets IRQ_STATUS bits and signals the MSI if any of them is enabled (one message per event, never per line). */
  private void raise(DeviceContext dev, int bits, java.util.function.Supplier<String> what) {
    irqStatus |= bits;
    if ((bits & irqEnable) == 0) return;
    if (inject(FAULT_IRQ_LOST, dev)) return;
    dev.raiseInterrupt(0, dev.cause(what));
  }

  private boolean inject(String point, DeviceContext dev) {
    return faults != null && faults.inject(point, dev.address().toString());
  }

  // ---- hot-plug ----

  @Override
  public void onRemoved(boolean surprise, DeviceContext dev) {
    // Power is gone: the frame clock stops and nothing more is written (the bus glue refuses DMA and MSIs).
    generation++;
    streaming = false;
    stopping = false;
    capturingSlot = -1;
  }

  @Override
  public void onReset(DeviceContext dev) {
    softReset();
    irqEnable = 0;
    for (int i = 0; i < RING_SLOTS; i++) {
      descLo[i] = 0;
      descHi[i] = 0;
      descLen[i] = 0;
      descFlags[i] = 0;
      descBytesused[i] = 0;
      descSequence[i] = 0;
    }
    infoLo = 0;
    infoHi = 0;
    dmaTag = -1;
  }
}
