package dev.devemu.driver.api;

import dev.devemu.uapi.Errno;

/** Rust's {@code Result<T, Error>} with kernel error codes. */
public sealed interface KResult<T> {
  record Ok<T>(T value) implements KResult<T> {}

  /** @param errno a positive errno value such as {@link Errno#ENODEV} */
  record Err<T>(int errno) implements KResult<T> {
    public Err {
      if (errno <= 0) throw new IllegalArgumentException("errno must be positive, got " + errno);
    }
  }

  static <T> KResult<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> KResult<T> err(int errno) {
    return new Err<>(errno);
  }

  /** From a C return code: 0 or positive is Ok, negative is Err. */
  static KResult<Integer> fromRc(int rc) {
    return rc < 0 ? new Err<>(-rc) : new Ok<>(rc);
  }

  default boolean isOk() {
    return this instanceof Ok;
  }

  /** 0 or -errno, as C callers expect. */
  default int toRc() {
    return this instanceof Err<T> e ? -e.errno() : 0;
  }

  default String describe() {
    return this instanceof Err<T> e ? "Err(" + Errno.describe(-e.errno()) + ")" : "Ok";
  }
}
