package dev.devemu.sim.domain;

import java.util.List;

/**
 * The time domains a scenario declares besides the guest ({@link #GUEST}: CPUs, kernel, drivers, the interrupt
 * controller and host bridge, and every device no domain names). Each domain holds devices by slot and is joined
 * to the guest by a link of a minimum virtual latency (a PCIe link, a USB bus).
 *
 * @param domains in declaration order; empty for a scenario without domains (one domain, today's behaviour)
 */
public record DomainPlan(List<Domain> domains) {
  /** The guest's domain: always there, always first. */
  public static final String GUEST = "guest";

  /** No domains declared: the whole testbed is the guest's, on one lane, exactly as without this package. */
  public static final DomainPlan NONE = new DomainPlan(List.of());

  /**
   * @param name the domain's name (its scheduling stream is forked from the run's seed by it)
   * @param linkLatencyNanos minimum virtual latency of the link between this domain and the guest, one way
   * @param slots the device slots it holds ({@code 0000:00:05.0})
   */
  public record Domain(String name, long linkLatencyNanos, List<String> slots) {
    public Domain {
      slots = List.copyOf(slots);
      if (linkLatencyNanos <= 0) throw new IllegalArgumentException("link latency must be positive");
    }
  }

  public DomainPlan {
    domains = List.copyOf(domains);
  }

  public boolean isEmpty() {
    return domains.isEmpty();
  }

  /** The domain holding the device in {@code slot}, or null: the guest's. */
  public String domainOf(String slot) {
    for (Domain d : domains) {
      if (d.slots().contains(slot)) return d.name();
    }
    return null;
  }

  /** Every domain's name, the guest first: the canonical order of domains in a trace. */
  public List<String> names() {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    out.add(GUEST);
    for (Domain d : domains) out.add(d.name());
    return out;
  }
}
