package dev.devemu.kernel.detect;

import dev.devemu.testbed.Sim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** One simulation host per detector test class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DetectorTestBase {
  Sim sim;

  @BeforeAll
  void startHost() {
    sim = new Sim(getClass().getSimpleName());
  }

  @AfterAll
  void stopHost() {
    sim.close();
  }
}
