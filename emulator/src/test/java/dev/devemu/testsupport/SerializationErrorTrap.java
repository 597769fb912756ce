package dev.devemu.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects errors Pekko logs when a message cannot be serialized. With {@code serialize-messages = on} Pekko
 * logs such a failure and drops the message — a test would then pass with a silently broken schema.
 * {@link NoDroppedMessagesExtension} fails the test instead.
 */
public final class SerializationErrorTrap extends AppenderBase<ILoggingEvent> {
  private static final List<String> ERRORS = new ArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    if (!event.getLevel().isGreaterOrEqual(Level.ERROR)) return;
    String text = event.getFormattedMessage();
    String thrown = event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getClassName() + ": "
        + event.getThrowableProxy().getMessage();
    if ((text + thrown).toLowerCase().contains("serializ")) {
      synchronized (ERRORS) {
        ERRORS.add(event.getLoggerName() + ": " + text + " " + thrown);
      }
    }
  }

  /** Errors seen since the last call, and forgets them. */
  public static List<String> drain() {
    synchronized (ERRORS) {
      List<String> out = new ArrayList<>(ERRORS);
      ERRORS.clear();
      return out;
    }
  }
}
