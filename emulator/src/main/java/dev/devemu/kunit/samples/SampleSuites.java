package dev.devemu.kunit.samples;

import dev.devemu.kunit.KunitSuite;
import dev.devemu.kunit.KunitSuiteSource;
import java.util.List;

/** The sample drivers' suites, listed in META-INF/services/dev.devemu.kunit.KunitSuiteSource. */
public final class SampleSuites implements KunitSuiteSource {
  @Override
  public List<KunitSuite> suites() {
    return List.of(MyPcieSuite.SUITE, MyUsbSuite.SUITE, MyCharSuite.SUITE, Ipu6IsysSuite.SUITE);
  }
}
