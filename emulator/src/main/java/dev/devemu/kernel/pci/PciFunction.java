package dev.devemu.kernel.pci;

import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Resources;
import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.spec.pci.PciAddress;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The kernel's {@code struct pci_dev}: what enumeration learned about a function (IDs, class, revision, BARs,
 * capabilities, all cached as the kernel caches them) and the state drivers change (enable count, bus master,
 * regions, interrupt vectors, driver data).
 */
public final class PciFunction implements BindableDevice {
  /** How the function's interrupts are delivered. */
  public enum IrqMode { NONE, MSI, MSIX }

  private final PciAddress address;
  private final String name;
  private final ActorRef<PciDeviceActor.Command> device;
  private final byte[] config;
  /** Assigned addresses of BARs 0 up to the last one implemented (BARs after it have none). */
  private final long[] barAddress;
  private final long[] barSize;
  /** Regions requested, as long as {@link #barAddress}; made on the first request. */
  private Resources.Handle[] regions;
  /** Linux IRQ numbers of the vectors allocated (MSI: one; MSI-X: one per entry), null while none. */
  private int[] irqs;
  private int irqCount;
  private boolean irqVectorsAllocatedOnce;
  private IrqMode irqMode = IrqMode.NONE;
  private int enableCount;
  private boolean master;
  private boolean disconnected;
  private Object drvdata;
  private Owner owner = Owner.KERNEL;

  PciFunction(PciAddress address, ActorRef<PciDeviceActor.Command> device, byte[] config, long[] barSize, String name) {
    this.address = address;
    this.name = name;
    this.device = device;
    this.config = CACHED_CONFIGS.computeIfAbsent(java.nio.ByteBuffer.wrap(config.clone()), k -> k.array());
    this.barSize = CACHED_BAR_SIZES.computeIfAbsent(java.util.Arrays.toString(barSize), k -> barSize.clone());
    int bars = 6;
    while (bars > 0 && this.barSize[bars - 1] == 0) bars--;
    this.barAddress = bars == 0 ? NO_BARS : new long[bars];
  }

  private static final long[] NO_BARS = new long[0];

  /**
   * The {@code pci_dev} enumeration would make of a function with this configuration space, before its BARs are
   * assigned and with no device behind it: what drivers' ID tables are matched against before a testbed exists.
   */
  public static PciFunction ofConfig(PciAddress address, byte[] config) {
    return new PciFunction(address, null, config, new long[6], address.toString());
  }

  /** A BAR index out of 0..5 fails as indexing the kernel's six-entry resource array would. */
  private static void checkBar(int bar) {
    if (bar < 0 || bar >= 6) throw new ArrayIndexOutOfBoundsException("Index " + bar + " out of bounds for length 6");
  }

  /**
   * What enumeration caches is read-only and the same for every function of one model (BARs are assigned
   * after): one shared copy per distinct content instead of 256 bytes per device.
   */
  private static final java.util.Map<java.nio.ByteBuffer, byte[]> CACHED_CONFIGS =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** BAR sizes are read-only too: shared the same way. */
  private static final java.util.Map<String, long[]> CACHED_BAR_SIZES = new java.util.concurrent.ConcurrentHashMap<>();

  public PciAddress address() {
    return address;
  }

  @Override
  public String name() {
    return name;
  }

  ActorRef<PciDeviceActor.Command> device() {
    return device;
  }

  /** A value of the configuration space as enumeration cached it. */
  int cachedConfig(int offset, int size) {
    return cfg(offset, size);
  }

  private int cfg(int offset, int size) {
    int v = 0;
    for (int i = size - 1; i >= 0; i--) v = (v << 8) | (config[offset + i] & 0xff);
    return v;
  }

  public int vendor() {
    return cfg(PciConfigSpace.VENDOR_ID, 2);
  }

  public int deviceId() {
    return cfg(PciConfigSpace.DEVICE_ID, 2);
  }

  public int subsystemVendor() {
    return cfg(PciConfigSpace.SUBSYSTEM_VENDOR_ID, 2);
  }

  public int subsystemDevice() {
    return cfg(PciConfigSpace.SUBSYSTEM_ID, 2);
  }

  /** {@code pdev->class}: the 24-bit class code. */
  public int classCode() {
    return cfg(PciConfigSpace.REVISION_ID, 4) >>> 8;
  }

  /** {@code pdev->revision}, cached at enumeration: reading it does no I/O. */
  public int revision() {
    return cfg(PciConfigSpace.REVISION_ID, 1);
  }

  /** Offset of capability {@code id} in the cached configuration space, or -1 ({@code pci_find_capability}). */
  public int findCapability(int id) {
    int at = cfg(PciConfigSpace.CAPABILITY_LIST, 1) & ~3;
    int guard = 0;
    while (at != 0 && guard++ < 48) {
      if (cfg(at, 1) == id) return at;
      at = cfg(at + 1, 1) & ~3;
    }
    return -1;
  }

  public boolean matches(PciDeviceId id) {
    return id.matches(vendor(), deviceId(), subsystemVendor(), subsystemDevice(), classCode());
  }

  /** The kernel's modalias for this function (what udev matches modules against). */
  @Override
  public String modalias() {
    return Modalias.pci(vendor(), deviceId(), subsystemVendor(), subsystemDevice(), classCode());
  }

  public long barAddress(int bar) {
    checkBar(bar);
    return bar < barAddress.length ? barAddress[bar] : 0;
  }

  public long barSize(int bar) {
    return barSize[bar];
  }

  void assignBar(int bar, long address) {
    barAddress[bar] = address;
  }

  /** The region of BAR {@code bar} the driver holds, or null. */
  Resources.Handle region(int bar) {
    checkBar(bar);
    return regions == null || bar >= regions.length ? null : regions[bar];
  }

  void region(int bar, Resources.Handle handle) {
    checkBar(bar);
    if (regions == null) {
      if (handle == null) return;
      regions = new Resources.Handle[barAddress.length];
    }
    if (bar < regions.length) regions[bar] = handle;
  }

  int irqCount() {
    return irqCount;
  }

  /**
   * Whether pci_alloc_irq_vectors was ever called on this function (whatever it returned): before that,
   * pci_irq_vector is the chain-building trap ({@code kernel.ChainBuildingTrap}).
   */
  public boolean irqVectorsAllocatedOnce() {
    return irqVectorsAllocatedOnce;
  }

  void irqVectorsAllocatedOnce(boolean called) {
    irqVectorsAllocatedOnce = called;
  }

  /** The Linux IRQ number of vector {@code n} (0 &lt;= n &lt; {@link #irqCount()}). */
  int irq(int n) {
    return irqs[java.util.Objects.checkIndex(n, irqCount)];
  }

  void addIrq(int irq) {
    if (irqs == null) irqs = new int[1];
    else if (irqCount == irqs.length) irqs = java.util.Arrays.copyOf(irqs, irqCount * 2);
    irqs[irqCount++] = irq;
  }

  void clearIrqs() {
    irqs = null;
    irqCount = 0;
  }

  public IrqMode irqMode() {
    return irqMode;
  }

  void irqMode(IrqMode mode) {
    this.irqMode = mode;
  }

  int enableCount() {
    return enableCount;
  }

  void enableCount(int n) {
    enableCount = n;
  }

  public boolean isEnabled() {
    return enableCount > 0;
  }

  boolean master() {
    return master;
  }

  void master(boolean on) {
    master = on;
  }

  /** {@code pci_dev_is_disconnected}: set when the slot reports a surprise removal. */
  public boolean disconnected() {
    return disconnected;
  }

  void disconnected(boolean gone) {
    disconnected = gone;
  }

  /** {@code pci_get_drvdata}. */
  public Object drvdata() {
    return drvdata;
  }

  /** {@code pci_set_drvdata}. */
  public void drvdata(Object data) {
    this.drvdata = data;
  }

  /** The driver instance bound to this function, or {@link Owner#KERNEL} while unbound. */
  public Owner owner() {
    return owner;
  }

  @Override
  public void owner(Owner owner) {
    this.owner = owner;
  }

  @Override
  public String toString() {
    return name;
  }
}
