package dev.devemu.wire;

import dev.devemu.protocol.v1.CauseFrame;
import dev.devemu.sim.Cause;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * What codecs need besides the message: turning ActorRefs into strings and back, and the shared types. The links
 * between time domains ({@code sim.domain.LinkWire}) write refs differently (by path below the testbed root) and
 * override the two {@code ref} methods.
 */
public class WireContext {
  /**
   * A few recently used refs and their strings, both ways. Pekko's resolver formats and parses a path on every
   * call (a third of an URB's round trip, BENCHMARKS.md figure 4), while the refs a testbed's messages carry are
   * few and long-lived: a controller, a host bridge. The serialized form names the actor's incarnation (its uid),
   * so a cached string never comes to mean another actor. Direct-mapped and racy by design: entries are immutable,
   * and a lost or stale slot only costs a call to the resolver.
   */
  private static final int CACHE_SLOTS = 256;

  private record Entry(ActorRef<?> ref, String text) {}

  private final ActorRefResolver resolver;
  private final Entry[] byRef = new Entry[CACHE_SLOTS];
  private final Entry[] byText = new Entry[CACHE_SLOTS];

  public WireContext(ActorRefResolver resolver) {
    this.resolver = resolver;
  }

  public String ref(ActorRef<?> ref) {
    if (ref == null) return "";
    int slot = ref.hashCode() & (CACHE_SLOTS - 1);
    Entry e = byRef[slot];
    if (e != null && e.ref().equals(ref)) return e.text();
    String text = resolver.toSerializationFormat(ref);
    byRef[slot] = new Entry(ref, text);
    return text;
  }

  @SuppressWarnings("unchecked")
  public <T> ActorRef<T> ref(String serialized) {
    if (serialized.isEmpty()) return null;
    int slot = serialized.hashCode() & (CACHE_SLOTS - 1);
    Entry e = byText[slot];
    if (e != null && e.text().equals(serialized)) return (ActorRef<T>) e.ref();
    ActorRef<T> ref = resolver.resolveActorRef(serialized);
    byText[slot] = new Entry(ref, serialized);
    return ref;
  }

  public static dev.devemu.protocol.v1.Cause cause(Cause cause) {
    var b = dev.devemu.protocol.v1.Cause.newBuilder();
    if (cause != null) {
      for (Cause c : cause.chain()) {
        b.addFrames(CauseFrame.newBuilder().setActor(c.actor()).setCpu(c.cpu()).setTimeNs(c.timeNanos())
            .setWhat(c.what()));
      }
    }
    return b.build();
  }

  public static Cause cause(dev.devemu.protocol.v1.Cause proto) {
    Cause c = null;
    List<CauseFrame> frames = proto.getFramesList();
    for (CauseFrame f : frames) c = new Cause(f.getActor(), f.getCpu(), f.getTimeNs(), f.getWhat(), c);
    return c;
  }
}
