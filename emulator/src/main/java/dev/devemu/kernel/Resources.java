package dev.devemu.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Resources a driver instance holds besides memory and interrupts — I/O regions, BAR mappings, DMA mappings,
 * URBs, char device numbers — so that the leak check can list what is still held when remove returns.
 */
public final class Resources {
  /**
   * One held resource. It records who acquired it and when — what the leak report prints ("acquired by task 12
   * (my_pcie_probe) on cpu 1 at …") — in its own fields rather than in a {@link Stamp} with a causal chain: no
   * report prints a resource's chain, and every bound device holds a few of these for as long as it is bound.
   */
  public static final class Handle {
    private final String kind;
    private Object name; // a String, or a Supplier<String> until asked (most names are never printed)
    private final Owner owner;
    private final String task;
    private final int pid;
    private final int cpu;
    private final long timeNanos;
    private final boolean managed;
    private boolean released;
    // the live list, in acquisition order (an intrusive list: no map entry per handle)
    private Handle prev;
    private Handle next;

    Handle(String kind, Object name, Owner owner, Exec x, boolean managed) {
      this.kind = kind;
      this.name = name;
      this.owner = owner;
      this.task = x.task().comm();
      this.pid = x.task().pid();
      this.cpu = x.cpu();
      this.timeNanos = x.now();
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

    /** Who acquired it, where and when (no stack and no causal chain: see the class comment). */
    public Stamp acquired() {
      return new Stamp(task, pid, cpu, timeNanos, null, null);
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

  // insertion-ordered for deterministic reports, O(1) removal
  private Handle first;
  private Handle last;

  public Handle acquire(Exec x, String kind, String name, boolean managed) {
    return add(x, kind, name, managed);
  }

  /** Like {@link #acquire(Exec, String, String, boolean)}, with the name built only when printed. */
  public Handle acquire(Exec x, String kind, java.util.function.Supplier<String> name, boolean managed) {
    return add(x, kind, name, managed);
  }

  private Handle add(Exec x, String kind, Object name, boolean managed) {
    Owner owner = x.task().owner() == null ? Owner.KERNEL : x.task().owner();
    Handle h = new Handle(kind, name, owner, x, managed);
    h.prev = last;
    if (last == null) first = h;
    else last.next = h;
    last = h;
    return h;
  }

  /** @return false if it was already released */
  public boolean release(Handle h) {
    if (h == null || h.released) return false;
    h.released = true;
    if (h.prev == null) first = h.next;
    else h.prev.next = h.next;
    if (h.next == null) last = h.prev;
    else h.next.prev = h.prev;
    h.prev = null;
    h.next = null;
    return true;
  }

  public List<Handle> liveOwnedBy(Owner owner) {
    List<Handle> out = new ArrayList<>();
    for (Handle h = first; h != null; h = h.next) {
      if (h.owner.equals(owner)) out.add(h);
    }
    return out;
  }
}
