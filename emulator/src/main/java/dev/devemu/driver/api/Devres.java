package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Device-managed resources of one binding: everything the safe flavour acquires registers its release here, and
 * the driver core releases them in reverse order after remove (or after a failed probe), as {@code devres} does.
 */
public final class Devres {
  private record Entry(String name, Supplier<Op<Void>> release) {}

  private final List<Entry> entries = new ArrayList<>();

  /** Registers a release action; returns nothing to free by hand. */
  public void add(String name, Supplier<Op<Void>> release) {
    entries.add(new Entry(name, release));
  }

  public int size() {
    return entries.size();
  }

  /** Releases everything, last acquired first. */
  public Op<Void> releaseAll() {
    return Op.defer(() -> {
      List<Entry> reversed = new ArrayList<>(entries);
      java.util.Collections.reverse(reversed);
      entries.clear();
      return Op.forEach(reversed, e -> Op.fn("devres_release(" + e.name() + ")", e.release()));
    });
  }
}
