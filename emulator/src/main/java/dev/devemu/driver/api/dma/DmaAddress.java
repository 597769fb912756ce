package dev.devemu.driver.api.dma;

/**
 * A range of a {@link DmaBuffer} as the device sees it ({@code dma_addr_t} plus the length the device may write):
 * the only thing a driver can put into a descriptor. It can only be obtained from a live buffer, and its length
 * never exceeds the buffer's, so a descriptor cannot tell the device to write past the end of its memory.
 */
public final class DmaAddress {
  private final long bus;
  private final int length;

  DmaAddress(long bus, int length) {
    this.bus = bus;
    this.length = length;
  }

  /** The bus address (an IOVA behind an IOMMU, a physical address without one). */
  public long bus() {
    return bus;
  }

  /** Bytes from {@link #bus()} that belong to the buffer. */
  public int length() {
    return length;
  }

  public int low32() {
    return (int) bus;
  }

  public int high32() {
    return (int) (bus >>> 32);
  }

  @Override
  public String toString() {
    return "0x" + Long.toHexString(bus) + "+" + length;
  }
}
