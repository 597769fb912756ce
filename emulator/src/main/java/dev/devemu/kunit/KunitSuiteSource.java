package dev.devemu.kunit;

import java.util.List;

/**
 * Where suites come from: an implementation listed in {@code META-INF/services/dev.devemu.kunit.KunitSuiteSource}
 * (the sample drivers' suites in main, a test's own in {@code src/test/resources}).
 */
public interface KunitSuiteSource {
  List<KunitSuite> suites();
}
