package dev.devemu.hw.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * A type-0 PCI configuration space, byte-exact: 256 bytes of header and capabilities with per-bit write masks,
 * so that BAR size probing, read-only IDs and write-1-to-clear status bits behave like hardware.
 *
 * <p>Offsets and bit layouts follow the PCI Local Bus 3.0 and PCI Express Base specifications (as mirrored in
 * Linux's {@code include/uapi/linux/pci_regs.h}).
 */
public final class PciConfigSpace {
  public static final int SIZE = 256;

  public static final int VENDOR_ID = 0x00;
  public static final int DEVICE_ID = 0x02;
  public static final int COMMAND = 0x04;
  public static final int STATUS = 0x06;
  public static final int REVISION_ID = 0x08;
  public static final int CLASS_PROG = 0x09;
  public static final int CLASS_DEVICE = 0x0a;
  public static final int CACHE_LINE_SIZE = 0x0c;
  public static final int LATENCY_TIMER = 0x0d;
  public static final int HEADER_TYPE = 0x0e;
  public static final int BAR0 = 0x10;
  public static final int SUBSYSTEM_VENDOR_ID = 0x2c;
  public static final int SUBSYSTEM_ID = 0x2e;
  public static final int ROM_ADDRESS = 0x30;
  public static final int CAPABILITY_LIST = 0x34;
  public static final int INTERRUPT_LINE = 0x3c;
  public static final int INTERRUPT_PIN = 0x3d;

  public static final int COMMAND_IO = 0x1;
  public static final int COMMAND_MEMORY = 0x2;
  public static final int COMMAND_MASTER = 0x4;
  public static final int COMMAND_SERR = 0x100;
  public static final int COMMAND_INTX_DISABLE = 0x400;
  public static final int STATUS_CAP_LIST = 0x10;

  public static final int CAP_ID_PM = 0x01;
  public static final int CAP_ID_MSI = 0x05;
  public static final int CAP_ID_EXP = 0x10;
  public static final int CAP_ID_MSIX = 0x11;

  public static final int MSI_FLAGS_ENABLE = 0x1;
  public static final int MSI_FLAGS_64BIT = 0x80;
  public static final int MSI_FLAGS_MASKBIT = 0x100;
  public static final int MSIX_FLAGS_ENABLE = 0x8000;
  public static final int MSIX_FLAGS_MASKALL = 0x4000;

  /**
   * The space as the model built it (power-on values). It is the same for every device built the same way, so
   * build() shares it (see SHARED) and it is never written after that: what the OS or the device changes lives in
   * {@link #written}. A device keeps only the dwords that differ from power-on — a handful (command, BARs, MSI) —
   * instead of 256 bytes of its own.
   */
  private byte[] template = new byte[SIZE];
  /**
   * The dwords that differ from {@link #template}, sorted by dword index: {@code index << 32 | value}. Null until
   * the first change.
   */
  private long[] written;
  private int writtenCount;
  // The masks are the same for every device built the same way: build() shares them (see SHARED).
  private byte[] writable = new byte[SIZE];
  private byte[] writeOneToClear = new byte[SIZE];

  /** Identical power-on contents and write masks, shared between devices of one model. */
  private static final java.util.Map<java.nio.ByteBuffer, byte[]> SHARED =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static byte[] shared(byte[] bytes) {
    return SHARED.computeIfAbsent(java.nio.ByteBuffer.wrap(bytes), k -> bytes);
  }
  // Read-only once built, and the same for every device of one model: build() shares them too.
  private long[] barSizes = new long[6];
  private boolean[] bar64 = new boolean[6];
  private static final java.util.Map<String, Object> BAR_LAYOUTS = new java.util.concurrent.ConcurrentHashMap<>();
  private int msiCap = -1;
  private int msixCap = -1;
  private int expCap = -1;
  private int pmCap = -1;

  private PciConfigSpace() {}

  public static Builder builder(int vendor, int device) {
    return new Builder(vendor, device);
  }

  // ---- raw access, as a config TLP sees it ----

  public int read(int offset, int size) {
    check(offset, size);
    int v = dword(offset >>> 2) >>> (8 * (offset & 3)); // an aligned access never crosses a dword
    return size == 4 ? v : v & ((1 << (8 * size)) - 1);
  }

  public int read8(int offset) {
    return read(offset, 1);
  }

  public int read16(int offset) {
    return read(offset, 2);
  }

  public int read32(int offset) {
    return read(offset, 4);
  }

  /** A configuration write: read-only bits keep their value, RW1C bits clear where a 1 is written. */
  public void write(int offset, int size, int value) {
    check(offset, size);
    int index = offset >>> 2;
    int dword = dword(index);
    for (int i = 0; i < size; i++) {
      int b = (value >>> (8 * i)) & 0xff;
      int at = offset + i;
      int w = writable[at] & 0xff;
      int c = writeOneToClear[at] & 0xff;
      int shift = 8 * (at & 3);
      int old = (dword >>> shift) & 0xff;
      int next = (old & ~w) | (b & w);
      next &= ~(b & c);
      dword = (dword & ~(0xff << shift)) | (next << shift);
    }
    putDword(index, dword);
  }

  /** Dword {@code index} as it is now. */
  private int dword(int index) {
    long[] w = written;
    for (int i = 0; i < writtenCount; i++) {
      int at = (int) (w[i] >>> 32);
      if (at == index) return (int) w[i];
      if (at > index) break;
    }
    return templateDword(index);
  }

  private int templateDword(int index) {
    int at = 4 * index;
    return (template[at] & 0xff) | (template[at + 1] & 0xff) << 8 | (template[at + 2] & 0xff) << 16
        | (template[at + 3] & 0xff) << 24;
  }

  /** Sets dword {@code index}, keeping only what differs from power-on. */
  private void putDword(int index, int value) {
    int i = 0;
    while (i < writtenCount && (int) (written[i] >>> 32) < index) i++;
    boolean present = i < writtenCount && (int) (written[i] >>> 32) == index;
    if (value == templateDword(index)) {
      if (present) {
        System.arraycopy(written, i + 1, written, i, writtenCount - i - 1);
        writtenCount--;
      }
      return;
    }
    long entry = (long) index << 32 | (value & 0xFFFFFFFFL);
    if (present) {
      written[i] = entry;
      return;
    }
    if (written == null) {
      written = new long[4];
    } else if (writtenCount == written.length) {
      written = java.util.Arrays.copyOf(written, writtenCount + 2); // a few more at a time: a device keeps it
    }
    System.arraycopy(written, i, written, i + 1, writtenCount - i);
    written[i] = entry;
    writtenCount++;
  }

  private static void check(int offset, int size) {
    if ((size != 1 && size != 2 && size != 4) || offset < 0 || offset + size > SIZE || offset % size != 0) {
      throw new IllegalArgumentException("bad config access: offset 0x" + Integer.toHexString(offset) + " size " + size);
    }
  }

  /** A copy of all 256 bytes, as {@code lspci -xxx} dumps them. */
  public byte[] snapshot() {
    byte[] out = template.clone();
    for (int i = 0; i < writtenCount; i++) {
      int at = 4 * (int) (written[i] >>> 32);
      int v = (int) written[i];
      for (int b = 0; b < 4; b++) out[at + b] = (byte) (v >>> (8 * b));
    }
    return out;
  }

  // ---- what the device model needs ----

  public int vendorId() {
    return read16(VENDOR_ID);
  }

  public int deviceId() {
    return read16(DEVICE_ID);
  }

  public int revision() {
    return read8(REVISION_ID);
  }

  /** 24-bit class code: base class, subclass, programming interface. */
  public int classCode() {
    return read32(REVISION_ID) >>> 8;
  }

  public int subsystemVendorId() {
    return read16(SUBSYSTEM_VENDOR_ID);
  }

  public int subsystemId() {
    return read16(SUBSYSTEM_ID);
  }

  public boolean memoryEnabled() {
    return (read16(COMMAND) & COMMAND_MEMORY) != 0;
  }

  public boolean busMaster() {
    return (read16(COMMAND) & COMMAND_MASTER) != 0;
  }

  /** Size of BAR {@code i} in bytes (0 if not implemented); for a 64-bit BAR, on its lower half. */
  public long barSize(int i) {
    return barSizes[i];
  }

  public boolean bar64(int i) {
    return bar64[i];
  }

  /** The bus address programmed into BAR {@code i}. */
  public long barAddress(int i) {
    long lo = read32(BAR0 + 4 * i) & 0xFFFFFFF0L;
    if (bar64[i]) lo |= ((long) read32(BAR0 + 4 * (i + 1))) << 32;
    return lo;
  }

  public int msiCapability() {
    return msiCap;
  }

  public int msixCapability() {
    return msixCap;
  }

  public int expressCapability() {
    return expCap;
  }

  public int pmCapability() {
    return pmCap;
  }

  public boolean msiEnabled() {
    return msiCap >= 0 && (read16(msiCap + 2) & MSI_FLAGS_ENABLE) != 0;
  }

  public long msiAddress() {
    int flags = read16(msiCap + 2);
    long lo = read32(msiCap + 4) & 0xFFFFFFFFL;
    return (flags & MSI_FLAGS_64BIT) != 0 ? lo | ((long) read32(msiCap + 8) << 32) : lo;
  }

  public int msiData() {
    int flags = read16(msiCap + 2);
    return read16(msiCap + ((flags & MSI_FLAGS_64BIT) != 0 ? 12 : 8));
  }

  /** Per-vector mask of MSI vector {@code i}, if the capability has masking. */
  public boolean msiMasked(int i) {
    int flags = read16(msiCap + 2);
    if ((flags & MSI_FLAGS_MASKBIT) == 0) return false;
    int maskOffset = msiCap + ((flags & MSI_FLAGS_64BIT) != 0 ? 16 : 12);
    return ((read32(maskOffset) >>> i) & 1) != 0;
  }

  /** Number of MSI vectors the OS enabled (Multiple Message Enable). */
  public int msiVectorsEnabled() {
    return 1 << ((read16(msiCap + 2) >>> 4) & 0x7);
  }

  public boolean msixEnabled() {
    return msixCap >= 0 && (read16(msixCap + 2) & MSIX_FLAGS_ENABLE) != 0;
  }

  public boolean msixMaskAll() {
    return msixCap >= 0 && (read16(msixCap + 2) & MSIX_FLAGS_MASKALL) != 0;
  }

  public int msixTableSize() {
    return (read16(msixCap + 2) & 0x7ff) + 1;
  }

  /** BAR index and offset of the MSI-X table. */
  public int msixTableBar() {
    return read32(msixCap + 4) & 0x7;
  }

  public long msixTableOffset() {
    return read32(msixCap + 4) & ~0x7L & 0xFFFFFFFFL;
  }

  /** Sets or clears the Data Link Layer Link Active bit of the PCIe Link Status register. */
  public void linkActive(boolean up) {
    if (expCap < 0) return;
    int at = expCap + 0x12;
    int v = read16(at);
    v = up ? v | 0x2000 : v & ~0x2000;
    int index = at >>> 2;
    int shift = 8 * (at & 3);
    putDword(index, (dword(index) & ~(0xffff << shift)) | (v << shift));
  }

  /** Capabilities in list order, as (id, offset) pairs. */
  public List<int[]> capabilities() {
    List<int[]> out = new ArrayList<>();
    int at = read8(CAPABILITY_LIST) & ~3;
    int guard = 0;
    while (at != 0 && guard++ < 48) {
      out.add(new int[] {read8(at), at});
      at = read8(at + 1) & ~3;
    }
    return out;
  }

  /** Builds a configuration space field by field. */
  public static final class Builder {
    private final PciConfigSpace s = new PciConfigSpace();
    private int nextCap = 0x40;
    private int lastCapNext = -1;

    Builder(int vendor, int device) {
      set(VENDOR_ID, 2, vendor);
      set(DEVICE_ID, 2, device);
      rw(COMMAND, 2, COMMAND_IO | COMMAND_MEMORY | COMMAND_MASTER | 0x40 | COMMAND_SERR | COMMAND_INTX_DISABLE);
      w1c(STATUS, 2, 0xF900); // parity, target/master aborts, SERR, detected parity
      rw(CACHE_LINE_SIZE, 1, 0xff);
      rw(LATENCY_TIMER, 1, 0xff);
      rw(INTERRUPT_LINE, 1, 0xff);
    }

    public Builder revision(int rev) {
      set(REVISION_ID, 1, rev);
      return this;
    }

    /** 24-bit class code, e.g. 0x048000 (multimedia, other) or 0x0c0330 (USB xHCI). */
    public Builder classCode(int code) {
      set(CLASS_PROG, 1, code & 0xff);
      set(CLASS_DEVICE, 2, code >>> 8);
      return this;
    }

    public Builder subsystem(int vendor, int device) {
      set(SUBSYSTEM_VENDOR_ID, 2, vendor);
      set(SUBSYSTEM_ID, 2, device);
      return this;
    }

    /** INTA#..INTD# as 1..4; 0 for none. */
    public Builder interruptPin(int pin) {
      set(INTERRUPT_PIN, 1, pin);
      return this;
    }

    /** A memory BAR of {@code size} bytes (a power of two, at least 16). */
    public Builder memoryBar(int index, long size, boolean is64, boolean prefetchable) {
      if (Long.bitCount(size) != 1 || size < 16) throw new IllegalArgumentException("BAR size must be a power of two >= 16");
      if (index < 0 || index > (is64 ? 4 : 5)) throw new IllegalArgumentException("bad BAR index " + index);
      int at = BAR0 + 4 * index;
      int flags = (is64 ? 0x4 : 0) | (prefetchable ? 0x8 : 0);
      set(at, 4, flags);
      rw(at, 4, (int) (~(size - 1) & 0xFFFFFFF0L));
      if (is64) {
        rw(at + 4, 4, size > 0xFFFFFFFFL ? (int) (~(size - 1) >>> 32) : 0xFFFFFFFF);
      }
      s.barSizes[index] = size;
      s.bar64[index] = is64;
      return this;
    }

    private int addCap(int id, int length) {
      int at = nextCap;
      if (at + length > SIZE) throw new IllegalStateException("capabilities do not fit in 256 bytes");
      set(at, 1, id);
      set(at + 1, 1, 0);
      if (lastCapNext < 0) {
        set(CAPABILITY_LIST, 1, at);
        set(STATUS, 2, s.read16(STATUS) | STATUS_CAP_LIST);
      } else {
        set(lastCapNext, 1, at);
      }
      lastCapNext = at + 1;
      nextCap = (at + length + 7) & ~7;
      return at;
    }

    /** Power management capability (D0/D3hot), version 1.2. */
    public Builder powerManagement() {
      int at = addCap(CAP_ID_PM, 8);
      set(at + 2, 2, 0x0003);          // PMC: version 3 (PM 1.2)
      rw(at + 4, 2, 0x0103);           // PMCSR: PowerState, PME_En
      w1c(at + 4, 2, 0x8000);          // PME_Status
      set(at + 4, 2, 0x0008);          // No_Soft_Reset
      s.pmCap = at;
      return this;
    }

    /** MSI capability with {@code vectors} (1, 2, 4, 8, 16 or 32), 64-bit addresses, optional per-vector masking. */
    public Builder msi(int vectors, boolean perVectorMask) {
      int mmc = Integer.numberOfTrailingZeros(vectors);
      if (Integer.bitCount(vectors) != 1 || mmc > 5) throw new IllegalArgumentException("MSI vectors must be 1..32, a power of two");
      int length = perVectorMask ? 24 : 16;
      int at = addCap(CAP_ID_MSI, length);
      int flags = (mmc << 1) | MSI_FLAGS_64BIT | (perVectorMask ? MSI_FLAGS_MASKBIT : 0);
      set(at + 2, 2, flags);
      rw(at + 2, 2, MSI_FLAGS_ENABLE | 0x70);
      rw(at + 4, 4, 0xFFFFFFFC);
      rw(at + 8, 4, 0xFFFFFFFF);
      rw(at + 12, 2, 0xFFFF);
      if (perVectorMask) rw(at + 16, 4, vectors == 32 ? 0xFFFFFFFF : (1 << vectors) - 1);
      s.msiCap = at;
      return this;
    }

    /** MSI-X capability: table of {@code tableSize} entries in BAR {@code bar} at {@code tableOffset}, PBA after it. */
    public Builder msix(int tableSize, int bar, long tableOffset, long pbaOffset) {
      if (tableSize < 1 || tableSize > 2048) throw new IllegalArgumentException("MSI-X table size must be 1..2048");
      int at = addCap(CAP_ID_MSIX, 12);
      set(at + 2, 2, tableSize - 1);
      rw(at + 2, 2, MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL);
      set(at + 4, 4, (int) tableOffset | bar);
      set(at + 8, 4, (int) pbaOffset | bar);
      s.msixCap = at;
      return this;
    }

    /**
     * PCI Express capability (version 2) of an endpoint.
     *
     * @param speed link speed: 1 = 2.5 GT/s, 2 = 5 GT/s, 3 = 8 GT/s, 4 = 16 GT/s
     * @param width link width (1, 2, 4, 8, 16)
     */
    public Builder express(int speed, int width) {
      int at = addCap(CAP_ID_EXP, 0x3c);
      set(at + 2, 2, 0x0002);                           // version 2, type 0 = PCI Express Endpoint
      set(at + 4, 4, 0x00008001);                       // DevCap: 256B max payload, role-based error reporting, no FLR
      rw(at + 8, 2, 0x7CFF);                            // DevCtl
      set(at + 8, 2, 0x2810);                           // relaxed ordering, no snoop, 512B MRRS
      w1c(at + 10, 2, 0x000F);                          // DevSta error bits
      set(at + 12, 4, (speed & 0xf) | ((width & 0x3f) << 4) | (1 << 10) | (3 << 15) | (1 << 20)); // LnkCap, ASPM L0s, DLL active reporting
      rw(at + 16, 2, 0x0043);                           // LnkCtl: ASPM control, RCB
      set(at + 18, 2, (speed & 0xf) | ((width & 0x3f) << 4) | 0x2000); // LnkSta: DLL link active
      set(at + 0x24, 4, 0x00000010);                    // DevCap2: completion timeout disable supported
      rw(at + 0x28, 2, 0x040F);                         // DevCtl2
      set(at + 0x2c, 4, ((1 << speed) - 1) << 1);       // LnkCap2: supported speeds vector
      rw(at + 0x30, 2, 0x000F);                         // LnkCtl2: target link speed
      set(at + 0x30, 2, speed & 0xf);
      s.expCap = at;
      return this;
    }

    public PciConfigSpace build() {
      s.template = shared(s.template);
      s.writable = shared(s.writable);
      s.writeOneToClear = shared(s.writeOneToClear);
      s.barSizes = (long[]) BAR_LAYOUTS.computeIfAbsent("sizes" + java.util.Arrays.toString(s.barSizes),
          k -> s.barSizes);
      s.bar64 = (boolean[]) BAR_LAYOUTS.computeIfAbsent("64" + java.util.Arrays.toString(s.bar64), k -> s.bar64);
      return s;
    }

    private void set(int offset, int size, int value) {
      for (int i = 0; i < size; i++) s.template[offset + i] = (byte) (value >>> (8 * i));
    }

    private void rw(int offset, int size, int mask) {
      for (int i = 0; i < size; i++) s.writable[offset + i] = (byte) (mask >>> (8 * i));
    }

    private void w1c(int offset, int size, int mask) {
      for (int i = 0; i < size; i++) s.writeOneToClear[offset + i] = (byte) (mask >>> (8 * i));
    }
  }
}
