package dev.devemu.sim.domain;

/**
 * A message across a link that its sender waits on: an MMIO or configuration read, whose CPU stalls until the
 * completion comes back. When the receiver's time domain is lost ({@link DomainLosses}), no completion ever
 * comes, and the requester's side of the link answers instead, as the hardware does — so that a lost domain never
 * leaves the guest waiting forever.
 */
public interface LinkRequest {
  /**
   * How long after it was sent the requester gives up on a request that was in flight when the domain was lost
   * (PCIe: the root port's completion timeout).
   */
  long completionTimeoutNanos();

  /**
   * Gives the requester the answer its side of the link makes up (PCIe: all ones, completed as an unsupported
   * request). Runs on the requester's lane, at the time the answer arrives.
   */
  void answerUnreachable();

  /**
   * Whether {@code message}, sent back over the same link, is this request's answer (then the request no longer
   * waits, and a later loss of its receiver leaves it alone).
   */
  boolean answeredBy(Object message);
}
