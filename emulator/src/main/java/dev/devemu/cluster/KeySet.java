package dev.devemu.cluster;

import dev.devemu.campaign.RunKey;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A set of run keys that costs about a bit per key: campaigns plan seeds 1..N of each variant, so each variant's
 * seeds are a {@link BitSet}; any other key (a negative or huge seed, no variant) goes to a plain set. The
 * coordinator holds the planned and the recorded keys of every campaign this way, so its heap does not grow with
 * the results it has already handed out ({@code BENCHMARKS.md}, coordinator heap).
 */
final class KeySet {
  private final Map<String, BitSet> seeds = new TreeMap<>();
  private final Set<RunKey> others = new HashSet<>();
  private int size;

  private static boolean compact(RunKey k) {
    return k.variant() != null && k.seed() >= 0 && k.seed() < Integer.MAX_VALUE;
  }

  boolean contains(RunKey k) {
    if (!compact(k)) return others.contains(k);
    BitSet b = seeds.get(k.variant().toString());
    return b != null && b.get((int) k.seed());
  }

  /** Adds a key; false if it was there. */
  boolean add(RunKey k) {
    if (!compact(k)) {
      if (!others.add(k)) return false;
    } else {
      BitSet b = seeds.computeIfAbsent(k.variant().toString(), v -> new BitSet());
      if (b.get((int) k.seed())) return false;
      b.set((int) k.seed());
    }
    size++;
    return true;
  }

  /** Removes a key; false if it was not there. */
  boolean remove(RunKey k) {
    if (!compact(k)) {
      if (!others.remove(k)) return false;
    } else {
      BitSet b = seeds.get(k.variant().toString());
      if (b == null || !b.get((int) k.seed())) return false;
      b.clear((int) k.seed());
    }
    size--;
    return true;
  }

  int size() {
    return size;
  }

  /** Every key, in no particular order. */
  List<RunKey> keys() {
    List<RunKey> out = new ArrayList<>(size);
    for (Map.Entry<String, BitSet> e : seeds.entrySet()) {
      BitSet b = e.getValue();
      for (int s = b.nextSetBit(0); s >= 0; s = b.nextSetBit(s + 1)) out.add(new RunKey(s, dev.devemu.kernel.Variant.parse(e.getKey())));
    }
    out.addAll(others);
    return out;
  }

  /** Per variant its seeds as bytes ({@link BitSet#toByteArray()}), and the keys that are not compact. */
  Map<String, BitSet> bitSets() {
    return seeds;
  }

  Set<RunKey> others() {
    return others;
  }

  static KeySet of(Map<String, BitSet> bits, Iterable<RunKey> others) {
    KeySet k = new KeySet();
    for (Map.Entry<String, BitSet> e : bits.entrySet()) {
      k.seeds.put(e.getKey().intern(), (BitSet) e.getValue().clone());
      k.size += e.getValue().cardinality();
    }
    for (RunKey o : others) k.add(o);
    return k;
  }
}
