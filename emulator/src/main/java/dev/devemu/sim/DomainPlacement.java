package dev.devemu.sim;

/**
 * Where the time domains of a testbed run: what the testbed needs to put an actor into a domain other than the
 * guest's (the domain's lane dispatcher) and to give a device model its domain's clock. Implemented by
 * {@code sim.domain.DomainRun}.
 */
public interface DomainPlacement {
  /** The config id of the dispatcher whose lane runs {@code domain}. */
  String dispatcher(String domain);

  /** The virtual clock of {@code domain}: device timers in that domain go there. */
  VirtualClock clock(String domain);

  /**
   * {@code handler} hears, on the guest's lane and at the loss's virtual time, of every time domain that is lost
   * (docs/domains.md, "A lost domain"): the testbed turns it into a surprise removal of the domain's devices.
   */
  default void onLoss(java.util.function.Consumer<String> handler) {}
}
