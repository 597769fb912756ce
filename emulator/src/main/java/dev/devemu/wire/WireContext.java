package dev.devemu.wire;

import dev.devemu.protocol.v1.CauseFrame;
import dev.devemu.sim.Cause;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/** What codecs need besides the message: turning ActorRefs into strings and back, and the shared types. */
public final class WireContext {
  private final ActorRefResolver resolver;

  public WireContext(ActorRefResolver resolver) {
    this.resolver = resolver;
  }

  public String ref(ActorRef<?> ref) {
    return ref == null ? "" : resolver.toSerializationFormat(ref);
  }

  public <T> ActorRef<T> ref(String serialized) {
    return serialized.isEmpty() ? null : resolver.resolveActorRef(serialized);
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
