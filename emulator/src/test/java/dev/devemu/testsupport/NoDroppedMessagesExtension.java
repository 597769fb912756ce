package dev.devemu.testsupport;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails any test during which Pekko dropped a message it could not serialize (registered for every test). */
public final class NoDroppedMessagesExtension implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) {
    List<String> errors = SerializationErrorTrap.drain();
    if (!errors.isEmpty()) {
      throw new AssertionError("messages were dropped because they could not be serialized (every message that "
          + "is not LocalOnly needs a codec): " + errors);
    }
  }
}
