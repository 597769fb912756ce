package dev.devemu.kernel;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Error-path coverage: for each call site of a fallible kernel call in driver code (driver, variant, the call, and
 * the driver's source file and line that made it), how often it ran and how often it failed — that is, how often
 * the driver's error path for it was taken. Off unless a recorder is installed ({@link Kernel#errorPaths(ErrorPaths)});
 * recording reads values only, so it never changes a run.
 *
 * <p>Which calls are fallible, and what failure is, follows their kernel contract: a negative errno
 * ({@code pci_enable_device}, {@code request_irq}, {@code usb_submit_urb} …), NULL ({@code kmalloc},
 * {@code pci_iomap}, {@code usb_alloc_urb} …), bytes not copied ({@code copy_to_user}, {@code copy_from_user}), or a
 * timeout ({@code wait_for_completion_timeout}).
 */
public final class ErrorPaths {
  /** How a call reports failure. */
  enum Failure { ERRNO, NULL, NONZERO, TIMEOUT }

  private static final Map<String, Failure> FALLIBLE = Map.ofEntries(
      Map.entry("pci_enable_device", Failure.ERRNO), Map.entry("pci_request_regions", Failure.ERRNO),
      Map.entry("pci_request_region", Failure.ERRNO), Map.entry("pci_alloc_irq_vectors", Failure.ERRNO),
      Map.entry("request_irq", Failure.ERRNO), Map.entry("usb_submit_urb", Failure.ERRNO),
      Map.entry("usb_set_configuration", Failure.ERRNO), Map.entry("usb_start_wait_urb", Failure.ERRNO),
      Map.entry("get_user", Failure.ERRNO), Map.entry("put_user", Failure.ERRNO), Map.entry("cdev_add", Failure.ERRNO),
      Map.entry("device_add", Failure.ERRNO), Map.entry("kmalloc", Failure.NULL), Map.entry("kzalloc", Failure.NULL),
      Map.entry("pci_iomap", Failure.NULL), Map.entry("usb_alloc_urb", Failure.NULL),
      Map.entry("dma_alloc_coherent", Failure.NULL), Map.entry("copy_to_user", Failure.NONZERO),
      Map.entry("copy_from_user", Failure.NONZERO), Map.entry("wait_for_completion_timeout", Failure.TIMEOUT));

  /** Whether call sites are worth capturing at all (set once any recorder exists; a stack walk per fallible call). */
  private static volatile boolean capturing;

  /** One call site: {@code my_pcie raw pci_iomap RawMyPcie.java:71}. */
  public record Site(String driver, String variant, String call, String source) implements Comparable<Site> {
    @Override
    public int compareTo(Site o) {
      int c = driver.compareTo(o.driver);
      if (c == 0) c = variant.compareTo(o.variant);
      if (c == 0) c = source.compareTo(o.source);
      return c != 0 ? c : call.compareTo(o.call);
    }
  }

  /** How often a site ran, and how often its call failed (its error path ran). */
  public record Counts(long calls, long errors) {
    public Counts plus(Counts o) {
      return new Counts(calls + o.calls, errors + o.errors);
    }
  }

  private final TreeMap<Site, Counts> sites = new TreeMap<>();

  public ErrorPaths() {
    capturing = true;
  }

  /** The call sites seen, in order (driver, variant, source). */
  public Map<Site, Counts> sites() {
    return Collections.unmodifiableMap(sites);
  }

  /** Adds another recorder's counts (runs of a campaign, cases of a suite). */
  public synchronized void merge(ErrorPaths other) {
    other.sites.forEach(this::add);
  }

  /** Adds counts for a site (from a result file, say). */
  public synchronized void add(Site site, Counts counts) {
    sites.merge(site, counts, Counts::plus);
  }

  /** The fallible calls and the source sites seen, for tables: every driver's sites, even those that never failed. */
  public static Set<String> fallibleCalls() {
    return new java.util.TreeSet<>(FALLIBLE.keySet());
  }

  static boolean fallible(String call) {
    return FALLIBLE.containsKey(call);
  }

  /**
   * Where in driver code a fallible call is being built: the first frame outside the kernel and the driver API
   * ({@code RawMyPcie.java:71}), or null when none is (the kernel's own use of the call).
   */
  static String captureSite(String call) {
    if (!capturing || !FALLIBLE.containsKey(call)) return null;
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> {
          String c = f.getClassName();
          return !c.startsWith("dev.devemu.kernel.") && !c.startsWith("dev.devemu.driver.api.");
        })
        .findFirst()
        .filter(f -> f.getClassName().startsWith("dev.devemu.") && !f.getClassName().startsWith("dev.devemu.sim."))
        .map(f -> (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber())
        .orElse(null));
  }

  /** A fallible call at {@code source} returned {@code value} in {@code owner}'s code. */
  void record(Owner owner, String source, String call, Object value) {
    if (owner == null || owner.isKernel()) return;
    Site site = new Site(owner.driver(), owner.variantWord(), call, source);
    add(site, new Counts(1, failed(FALLIBLE.get(call), value) ? 1 : 0));
  }

  static boolean failed(Failure kind, Object value) {
    return switch (kind) {
      case NULL -> value == null;
      case ERRNO -> value instanceof Number n && n.longValue() < 0;
      case NONZERO -> value instanceof Number n && n.longValue() != 0;
      // the blocking half of wait_for_completion_timeout wakes with whether it completed
      case TIMEOUT -> Boolean.FALSE.equals(value) || (value instanceof Number n && n.longValue() == 0);
    };
  }
}
