package dev.devemu.kernel;

/**
 * Driver code asked the kernel for a value that nothing can have produced yet: almost always the chain-building
 * trap ({@link Op}: the chain is built before it runs, so an argument written as {@code .then(f(value()))} is
 * computed before the earlier steps of that chain ran). A C driver cannot make this mistake, since its statements
 * run in order; a Java driver makes it without a word, and the kernel call that gets the stale value fails later
 * with an error code that hides why (pci_irq_vector's -EINVAL becomes request_irq's -EINVAL and a probe that fails
 * on every seed). So the kernel function that is asked too early throws this at once: the CPU reports it as a
 * kernel BUG in the driver's function, with this message, which says what to write instead.
 */
public final class ChainBuildingTrap extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * @param call the call as the driver made it, e.g. {@code pci_irq_vector(0000:00:02.0, 0)}
   * @param producer the kernel call that must have run first, e.g. {@code pci_alloc_irq_vectors}
   */
  public ChainBuildingTrap(String call, String producer) {
    super(call + " was called before " + producer + " ever ran on this device, so it has no value to give. If it"
        + " is an argument of a call later in an Op chain, it was computed while the chain was being built, before"
        + " the chain ran: compute it inside the step that needs it, .then(x -> f(" + call.replaceAll("\\(.*", "")
        + "(...))), or in Op.defer(() -> ...) (docs/architecture.md, 'Trap').");
  }
}
