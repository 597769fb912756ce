package dev.devemu.sim;

/**
 * A message that describes itself in traces. The text must be deterministic: no ActorRef (its uid is random),
 * no identity hash codes. Messages that do not implement this appear by their simple class name.
 */
public interface Traceable {
  String traceText();

  static String describe(Object message) {
    if (message instanceof Traceable t) return t.traceText();
    return message.getClass().getSimpleName();
  }
}
