package dev.devemu.kernel.driver;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;

/**
 * A driver matched to a device, as the driver core drives it: probe, and later remove (or disconnect). A bus
 * builds one per match; the raw and the safe driver flavours adapt their own APIs to it.
 */
public interface Binding {
  /** The driver instance, for reports and leak checks. */
  Owner owner();

  /** Name of the probe function as reports print it (e.g. {@code my_pcie_probe}). */
  String probeFunction();

  /** Name of the remove/disconnect function. */
  String removeFunction();

  /** The probe, returning 0 or -errno. */
  Op<Integer> probe();

  /** The remove/disconnect, followed by the release of device-managed resources. */
  Op<Void> remove();

  /**
   * A binding whose probe and remove are built by the given code when they run (the raw flavour's: the driver's
   * own functions, marked with their names so that reports inside them blame them).
   */
  static Binding of(Owner owner, String probeFunction, String removeFunction,
      java.util.function.Supplier<Op<Integer>> probe, java.util.function.Supplier<Op<Void>> remove) {
    // interned: every binding of a driver names the same functions, and 100k bindings need not hold 200k strings
    String probeName = probeFunction.intern();
    String removeName = removeFunction.intern();
    return new Binding() {
      @Override
      public Owner owner() {
        return owner;
      }

      @Override
      public String probeFunction() {
        return probeName;
      }

      @Override
      public String removeFunction() {
        return removeName;
      }

      @Override
      public Op<Integer> probe() {
        return Op.fn(probeName, probe);
      }

      @Override
      public Op<Void> remove() {
        return Op.fn(removeName, remove);
      }
    };
  }
}
