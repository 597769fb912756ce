package dev.devemu.kunit;

/** Thrown by a failed assertion ({@code KUNIT_ASSERT_*}): ends the case at once; exit still runs. */
final class KunitAbort extends RuntimeException {
  KunitAbort() {
    super(null, null, false, false);
  }
}
