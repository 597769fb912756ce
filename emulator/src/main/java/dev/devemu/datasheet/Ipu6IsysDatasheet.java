package dev.devemu.datasheet;

/**
 * The datasheet of the IPU6-style camera input system: IDs, class and the BAR0 register map below, the descriptor
 * ring and the frame-info records. The device model ({@code hw.device.camera.Ipu6IsysDevice}) implements it;
 * drivers are written from it and never see the model. The IDs are Intel's ({@code 8086:9a19}, the Tiger Lake
 * IPU6 of {@code drivers/media/pci/intel/ipu6/ipu6.h}), the class is multimedia (0x048000); the register map is
 * ours — the real ISYS talks to firmware through shared-memory queues, which would add nothing here.
 *
 * <pre>
 * BAR0 (64 KiB, 64-bit)
 *   0x000 ID (ro)              device &lt;&lt; 16 | vendor
 *   0x004 CAPS (ro)            [7:0] ring slots, [15:8] version
 *   0x008 CTRL (rw)            bit 0 STREAM_EN: 1 starts the stream (ring head back to slot 0, sequence 0);
 *                              0 asks for a stop: the frame in flight still completes, then STOP_DONE and the
 *                              ring is flushed. bit 1 SOFT_RESET (self-clearing): stop at once, flush the ring,
 *                              clear IRQ_STATUS and the counters; a DMA already issued still lands
 *   0x00c STATUS (ro)          bit 0 STREAMING, bit 1 CAPTURING (a descriptor is latched), bit 2 STOPPING,
 *                              bit 3 DMA_BUSY (a transfer is out at the host bridge)
 *   0x010 IRQ_STATUS (ro)      bit 0 FRAME_DONE, 1 NO_BUFFER (frame dropped: no ready descriptor), 2 DMA_ERROR,
 *                              3 STOP_DONE, 4 FIFO_OVERFLOW, 5 TRUNCATED (frame longer than the descriptor)
 *   0x014 IRQ_CLEAR (wo)       write 1s to clear IRQ_STATUS bits
 *   0x018 IRQ_ENABLE (rw)      which IRQ_STATUS bits raise the MSI (0 after power-on)
 *   0x020 WIDTH  0x024 HEIGHT  0x028 BPP (bytes per pixel)  (ro: the sensor mode)
 *   0x02c STRIDE (ro)          bytes per line as written: WIDTH * BPP rounded up to the line alignment
 *   0x030 EMBEDDED_LINES (ro)  sensor metadata lines written before the image
 *   0x034 FRAME_SIZE (ro)      STRIDE * (HEIGHT + EMBEDDED_LINES): bytes one frame needs
 *   0x038 FRAME_INTERVAL (ro)  microseconds between two frames
 *   0x040 FRAME_COUNT (ro)     frames completed since the stream started
 *   0x044 DROP_COUNT (ro)      frames dropped for lack of a buffer
 *   0x048 HEAD (ro)            ring slot the next frame goes to
 *   0x04c LAST_DONE (ro)       ring slot of the last completed descriptor
 *   0x050 INFO_LO, 0x054 INFO_HI (rw)  bus address of the frame-info ring (16 records of 32 bytes), 0 = none
 *   0x100 + 32 * i             descriptor i of 16: +0x00 ADDR_LO, +0x04 ADDR_HI, +0x08 LEN (rw, driver);
 *                              +0x0c FLAGS (rw: bit 0 READY set by the driver; the device clears it and sets
 *                              bit 1 DONE, bit 2 ERROR); +0x10 BYTESUSED, +0x14 SEQUENCE (ro, device)
 * </pre>
 */
public final class Ipu6IsysDatasheet {
  private Ipu6IsysDatasheet() {}

  public static final int VENDOR = 0x8086;
  /** {@code IPU6_PCI_ID} (Tiger Lake). */
  public static final int DEVICE = 0x9a19;
  public static final int CLASS_MULTIMEDIA_OTHER = 0x048000;
  public static final long BAR0_SIZE = 64 * 1024;
  public static final int RING_SLOTS = 16;
  public static final int VERSION = 6;
  public static final int REG_ID = 0x000;
  public static final int REG_CAPS = 0x004;
  public static final int REG_CTRL = 0x008;
  public static final int REG_STATUS = 0x00c;
  public static final int REG_IRQ_STATUS = 0x010;
  public static final int REG_IRQ_CLEAR = 0x014;
  public static final int REG_IRQ_ENABLE = 0x018;
  public static final int REG_WIDTH = 0x020;
  public static final int REG_HEIGHT = 0x024;
  public static final int REG_BPP = 0x028;
  public static final int REG_STRIDE = 0x02c;
  public static final int REG_EMBEDDED_LINES = 0x030;
  public static final int REG_FRAME_SIZE = 0x034;
  public static final int REG_FRAME_INTERVAL = 0x038;
  public static final int REG_FRAME_COUNT = 0x040;
  public static final int REG_DROP_COUNT = 0x044;
  public static final int REG_HEAD = 0x048;
  public static final int REG_LAST_DONE = 0x04c;
  public static final int REG_INFO_LO = 0x050;
  public static final int REG_INFO_HI = 0x054;
  public static final int REG_DESC_BASE = 0x100;
  public static final int DESC_STRIDE = 0x20;
  public static final int DESC_ADDR_LO = 0x00;
  public static final int DESC_ADDR_HI = 0x04;
  public static final int DESC_LEN = 0x08;
  public static final int DESC_FLAGS = 0x0c;
  public static final int DESC_BYTESUSED = 0x10;
  public static final int DESC_SEQUENCE = 0x14;
  public static final int CTRL_STREAM_EN = 0x1;
  public static final int CTRL_SOFT_RESET = 0x2;
  public static final int STATUS_STREAMING = 0x1;
  public static final int STATUS_CAPTURING = 0x2;
  public static final int STATUS_STOPPING = 0x4;
  public static final int STATUS_DMA_BUSY = 0x8;
  public static final int IRQ_FRAME_DONE = 0x01;
  public static final int IRQ_NO_BUFFER = 0x02;
  public static final int IRQ_DMA_ERROR = 0x04;
  public static final int IRQ_STOP_DONE = 0x08;
  public static final int IRQ_FIFO_OVERFLOW = 0x10;
  public static final int IRQ_TRUNCATED = 0x20;
  public static final int IRQ_ALL = 0x3f;
  /** One frame-info record: u32 sequence, u32 bytesused, u32 flags (DESC_*), u32 pad, u64 timestamp, u64 pad. */
  public static final int INFO_RECORD_SIZE = 32;
  public static final int INFO_RING_SIZE = RING_SLOTS * INFO_RECORD_SIZE;
  public static final int DESC_READY = 0x1;
  public static final int DESC_DONE = 0x2;
  public static final int DESC_ERROR = 0x4;
}
