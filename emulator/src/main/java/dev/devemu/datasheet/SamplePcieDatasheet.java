package dev.devemu.datasheet;

/**
 * The datasheet of the sample PCIe card (1234:5678) that the article's my_pcie drives: IDs and the BAR0 register
 * map. The device model ({@code hw.device.pcie.SamplePcieDevice}) implements it; drivers are written from it and
 * never see the model.
 *
 * <pre>
 * BAR0 (4 KiB)   0x00 ID (ro)          0x04 STATUS (ro, bit 0 running)
 *                0x08 IRQ_STATUS (ro)  0x0c IRQ_ACK (wo, write 1s to clear)
 *                0x10 DATA (ro)        0x14 CONTROL (rw, bit 0 enable)
 *                0x18 SAMPLES (ro, samples produced so far)
 * </pre>
 *
 * An interrupt puts the sample in DATA and the ring slot it belongs to in IRQ_STATUS[15:8] until the driver
 * acknowledges it.
 */
public final class SamplePcieDatasheet {
  private SamplePcieDatasheet() {}

  public static final int VENDOR = 0x1234;
  public static final int DEVICE = 0x5678;
  public static final int REG_ID = 0x00;
  public static final int REG_STATUS = 0x04;
  public static final int REG_IRQ_STATUS = 0x08;
  public static final int REG_IRQ_ACK = 0x0c;
  public static final int REG_DATA = 0x10;
  public static final int REG_CONTROL = 0x14;
  public static final int REG_SAMPLES = 0x18;
  public static final int IRQ_DATA_READY = 0x1;
  public static final int RING_SLOTS = 16;
  public static final int BAR0_SIZE = 4096;
}
