package dev.devemu.kernel;

import dev.devemu.kernel.mem.Stamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Resources a driver instance holds besides memory and interrupts — I/O regions, BAR mappings, DMA mappings,
 * URBs, char device numbers — so that the leak check can list what is still held when remove returns.
 */
public final class Resources {
  /** One held resource. */
  public static final class Handle {
    private final String kind;
    private Object name; // a String, or a Supplier<String> until asked (most names are never printed)
    private final Owner owner;
    private Stamp acquired;
    private final boolean managed;
    private boolean released;

    Handle(String kind, Object name, Owner owner, Stamp acquired, boolean managed) {
      this.kind = kind;
      this.name = name;
      this.owner = owner;
      this.acquired = acquired;
      this.managed = managed;
    }

    public String kind() {
      return kind;
    }

    @SuppressWarnings("unchecked")
    public String name() {
      if (name instanceof java.util.function.Supplier<?> s) name = ((java.util.function.Supplier<String>) s).get();
      return (String) name;
    }

    public Owner owner() {
      return owner;
    }

    public Stamp acquired() {
      return acquired;
    }

    /** Device-managed: the driver core releases it after remove. */
    public boolean managed() {
      return managed;
    }

    public boolean released() {
      return released;
    }

    @Override
    public String toString() {
      return kind + " " + name();
    }
  }

  // insertion-ordered for deterministic reports, O(1) removal (Handle has identity equality)
  private final java.util.LinkedHashSet<Handle> live = new java.util.LinkedHashSet<>();

  public Handle acquire(Exec x, String kind, String name, boolean managed) {
    return add(x, kind, name, managed);
  }

  /** Like {@link #acquire(Exec, String, String, boolean)}, with the name built only when printed. */
  public Handle acquire(Exec x, String kind, java.util.function.Supplier<String> name, boolean managed) {
    return add(x, kind, name, managed);
  }

  private Handle add(Exec x, String kind, Object name, boolean managed) {
    Owner owner = x.task().owner() == null ? Owner.KERNEL : x.task().owner();
    Handle h = new Handle(kind, name, owner, null, managed);
    h.acquired = Stamp.of(x, () -> kind + " " + h.name());
    live.add(h);
    return h;
  }

  /** @return false if it was already released */
  public boolean release(Handle h) {
    if (h == null || h.released) return false;
    h.released = true;
    live.remove(h);
    return true;
  }

  public List<Handle> liveOwnedBy(Owner owner) {
    List<Handle> out = new ArrayList<>();
    for (Handle h : live) {
      if (h.owner.equals(owner)) out.add(h);
    }
    return out;
  }
}
