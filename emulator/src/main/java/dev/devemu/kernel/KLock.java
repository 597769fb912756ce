package dev.devemu.kernel;

/** A lock lockdep tracks. The name is its lock class (e.g. {@code my_char_data.lock}). */
public interface KLock {
  String name();

  /** True for spinning locks: holding one makes the context atomic. */
  boolean spinning();
}
