package dev.devemu.kernel.mem;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each field label ({@code my_pcie_data.ring}, {@code read ring}) for all instances of a struct:
 * every bound device has its own driver struct, but the labels are the same for all of them.
 */
final class Labels {
  private static final ConcurrentHashMap<String, String> LABELS = new ConcurrentHashMap<>();

  private Labels() {}

  static String of(String label) {
    String known = LABELS.putIfAbsent(label, label);
    return known == null ? label : known;
  }
}
