package dev.devemu.kernel;

import java.util.List;

/**
 * Which flavour of a driver runs: written with C habits on the kernel's C API ({@code raw}), or with Rust's
 * discipline on the mirror of the kernel crate ({@code safe}). The sample drivers exist in both, and campaigns
 * compare them; reports name the flavour of the driver they blame.
 */
public enum Variant {
  RAW("raw"),
  SAFE("safe");

  private final String word;

  Variant(String word) {
    this.word = word;
  }

  /** As scenarios, command lines, reports and result files write it: {@code raw}, {@code safe}. */
  @Override
  public String toString() {
    return word;
  }

  /**
   * @throws IllegalArgumentException naming the words that are known, for the user's message
   */
  public static Variant parse(String text) {
    for (Variant v : values()) {
      if (v.word.equals(text)) return v;
    }
    throw new IllegalArgumentException("unknown variant \"" + text + "\" (use raw or safe)");
  }

  /** {@code raw}, {@code safe}. */
  public static List<String> words() {
    return List.of(RAW.word, SAFE.word);
  }
}
